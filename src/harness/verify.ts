/**
 * `verify <results folder>`: recompute what a results folder claims and list each mismatch as
 * "what: expected X, seen Y". Checks: (a) results.csv equals the CSV re-derived from the run
 * folders' row.json files; (b) every checkpoint parses, its *.mask tensors are 0/1, and the mask
 * fraction matches the run's weights_remaining (within 1e-6, the CSV's printed precision);
 * (c) the claims re-derived from results.csv equal summary.json; (d) run.json says complete.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { UsageError } from "../base/errors.ts";
import type { ClaimResult, ResolvedConfig, ResultRow } from "../config/types.ts";
import { parseResultsCsv, resultsCsv } from "../io/csv.ts";
import { runFiles, SAFETENSORS } from "../io/paths.ts";
import { decodeSafetensors } from "../io/safetensors.ts";
import { walk } from "../io/digest.ts";
import { claimDifferences } from "./claim_diff.ts";
import { evaluateClaims } from "./claims.ts";
import { checkMasks } from "./mask_check.ts";

const ROW_FILE = "row.json";
/** results.csv prints fractions to 6 decimals, so a faithful row agrees within 1e-6. */
const FRACTION_TOLERANCE = 1e-6;

/** One line per mismatch; empty when the folder is consistent. */
export function verifyResults(directory: string): string[] {
  const files = runFiles(directory);
  for (const path of [files.config, files.results, files.run, files.summary]) {
    if (!existsSync(path)) {
      throw new UsageError(
        `${path} is missing; pass a results folder written by \`reproduce\` ` +
          `(results/<experiment>/<profile>-<hash>/)`,
      );
    }
  }
  const problems: string[] = [];
  const csvText = readFileSync(files.results, "utf8");
  const csvRows = parseResultsCsv(csvText, files.results);
  const header = csvText.slice(0, csvText.indexOf("\n")).split(",");
  const layerNames = header.filter((c) => c.startsWith("weights_remaining_")).map((c) =>
    c.slice("weights_remaining_".length)
  );
  const datasets = [...new Set(csvRows.map((row) => row.dataset))];
  const paths = walk(directory);

  // (a) results.csv from the stored rows.
  const rows: ResultRow[] = paths.filter((p) => p.endsWith(`/${ROW_FILE}`)).map((p) => {
    const row = JSON.parse(readFileSync(p, "utf8")) as ResultRow;
    return { ...row, dataset: row.dataset ?? (datasets.length === 1 ? datasets[0] : undefined) };
  });
  const derived = resultsCsv(rows, layerNames.length === 0 && rows.length > 0 ? null : layerNames);
  if (derived !== csvText) {
    const seen = csvText.split("\n");
    const expected = derived.split("\n");
    const line = expected.findIndex((text, i) => text !== seen[i]);
    problems.push(
      `results.csv line ${line + 1}: expected "${
        expected[line]
      }" (from the run folders' ${ROW_FILE}), seen "${seen[line]}"`,
    );
  }

  // (b) checkpoints and masks.
  for (const path of paths.filter((p) => p.endsWith(SAFETENSORS))) {
    const name = relative(directory, path);
    let check;
    try {
      check = checkMasks(decodeSafetensors(readFileSync(path)), name);
    } catch (error) {
      problems.push(`${name}: does not parse (${error instanceof Error ? error.message : error})`);
      continue;
    }
    problems.push(...check.problems);
    const rowPath = join(dirname(path), ROW_FILE);
    if (check.weightsRemaining === undefined || !existsSync(rowPath)) continue;
    const recorded = (JSON.parse(readFileSync(rowPath, "utf8")) as ResultRow).weights_remaining;
    if (Math.abs(check.weightsRemaining - recorded) > FRACTION_TOLERANCE) {
      problems.push(
        `${name}: mask fraction of weights remaining expected ${recorded} (${ROW_FILE}), seen ${check.weightsRemaining}`,
      );
    }
  }

  // (c) claims from results.csv against summary.json.
  const { config } = JSON.parse(readFileSync(files.config, "utf8")) as { config: ResolvedConfig };
  const claims = evaluateClaims(config.claims, csvRows, config.profile, {
    singleSeed: config.single_seed,
  });
  const summary = JSON.parse(readFileSync(files.summary, "utf8")) as { claims: ClaimResult[] };
  problems.push(
    ...claimDifferences(summary.claims ?? [], claims).map((line) => `summary.json ${line}`),
  );

  // (d) the run finished.
  const status = JSON.parse(readFileSync(files.run, "utf8")).status;
  if (status !== "complete") {
    problems.push(`run.json status: expected "complete", seen ${JSON.stringify(status)}`);
  }
  return problems;
}
