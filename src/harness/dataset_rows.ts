/**
 * The rows a claim selector reads from, by data set: those of `selector.dataset` when it names
 * one; else all of them, provided they are of one data set (an experiment on several must name
 * the data set, which the schema's rules ask for; rows built elsewhere are checked here).
 */
import type { ClaimSelector, ResultRow } from "../config/types.ts";

/** The rows of the selector's data set, or the reason there is no one data set to read. */
export function datasetRows(rows: ResultRow[], selector: ClaimSelector): ResultRow[] | string {
  if (selector.dataset !== undefined) return rows.filter((row) => row.dataset === selector.dataset);
  const names = [...new Set(rows.map((row) => row.dataset ?? "unnamed"))].sort();
  if (names.length > 1) {
    return `the rows are of data sets ${names.join(", ")}; add dataset to the selector of arm ${
      [selector.arm].flat().join(", ")
    }`;
  }
  return rows;
}
