/**
 * The demos' host tool: `query_db(table, limit)` serves rows of two of R's datasets
 * (`mtcars`, `iris`; generated once from R into `datasets.json`) as the demo "database".
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { securerTool } from "@securer/securer";

const DATASETS: Record<string, Record<string, unknown>[]> = JSON.parse(
  readFileSync(new URL("./datasets.json", import.meta.url), "utf8"),
);

/** Rows of a table of the demo database. */
export const query_db = securerTool({
  name: "query_db",
  description: "Rows of a table of the demo database (mtcars or iris)",
  args: { table: "character", limit: "numeric" },
  fn: ({ table, limit }) => {
    const rows = DATASETS[String(table)];
    if (rows === undefined) throw new Error(`There is no table "${table}"`);
    return rows.slice(0, Number(limit));
  },
});
