/**
 * Execution results as JSON text. R values JSON cannot hold are spelled out: `NaN`, `Inf`
 * and `-Inf` become the strings `"NaN"`, `"Inf"` and `"-Inf"` (`NA` is already `null`), and
 * raw vectors (`Uint8Array`) become arrays of bytes.
 *
 * @module
 */

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? "NaN" : value > 0 ? "Inf" : "-Inf";
  }
  if (value instanceof Uint8Array) return Array.from(value);
  return value;
}

/** `JSON.stringify` with R's special values kept apart from `NA`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}
