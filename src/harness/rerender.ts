/**
 * `report <results folder>`: re-evaluate the claims from results.csv with the current claim code
 * and the folder's config.json, rewrite summary.json, report.md and the figures (one shared
 * writer with `reproduce`), and name every claim whose value or verdict changed. Provenance and
 * timing come from run.json, so an unchanged folder gets byte-identical files back.
 */
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../base/errors.ts";
import type { ClaimResult, ResolvedConfig } from "../config/types.ts";
import { parseResultsCsv } from "../io/csv.ts";
import { runFiles } from "../io/paths.ts";
import { claimDifferences } from "./claim_diff.ts";
import { writeResultsOutputs } from "./results_outputs.ts";

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(
      `cannot read ${path} (${
        error instanceof Error ? error.message : String(error)
      }); pass a results folder written by \`reproduce\` (results/<experiment>/<profile>-<hash>/)`,
    );
  }
}

/** Rewrite the folder's results-derived files; returns the claims and the change lines. */
export async function rerender(directory: string): Promise<
  { claims: ClaimResult[]; changes: string[] }
> {
  const files = runFiles(directory);
  if (!existsSync(files.config) || !existsSync(files.results)) {
    throw new UsageError(
      `${directory} has no config.json and results.csv; pass a results folder written by ` +
        `\`reproduce\` (results/<experiment>/<profile>-<hash>/)`,
    );
  }
  const saved = readJson(files.config) as { hash: string; config: ResolvedConfig };
  const run = readJson(files.run);
  const rows = parseResultsCsv(readFileSync(files.results, "utf8"), files.results);
  const recorded = existsSync(files.summary)
    ? (readJson(files.summary).claims as ClaimResult[] ?? [])
    : [];
  // run.json is the provenance plus the run's times and status (harness/run.ts runRecord).
  const { first_started, started, ended, status: _status, adapter, ...provenance } = run as
    & Record<string, unknown>
    & { first_started: string; started: string; ended: string; adapter?: { description?: string } };
  const claims = await writeResultsOutputs({
    files,
    config: saved.config,
    hash: saved.hash,
    rows,
    provenance: { ...provenance, adapter: adapter?.description ?? "none" },
    timing: { started, ended, first_started },
    recorded,
  });
  return { claims, changes: claimDifferences(recorded, claims) };
}
