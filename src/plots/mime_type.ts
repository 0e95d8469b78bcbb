/**
 * The MIME type of an output file, from its extension (pure).
 *
 * @module
 */

const TYPES: Readonly<Record<string, string>> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  html: "text/html",
  htm: "text/html",
  json: "application/json",
  xml: "application/xml",
  yaml: "application/yaml",
  yml: "application/yaml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  tif: "image/tiff",
  tiff: "image/tiff",
  bmp: "image/bmp",
  pdf: "application/pdf",
  ps: "application/postscript",
  eps: "application/postscript",
  zip: "application/zip",
  gz: "application/gzip",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  parquet: "application/vnd.apache.parquet",
};

/** The MIME type for a file name; `application/octet-stream` when the extension is unknown. */
export function mimeTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  // No extension, or a hidden file (".Rhistory"): no type.
  if (dot <= name.lastIndexOf("/") + 1 || dot === name.length - 1) {
    return "application/octet-stream";
  }
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}
