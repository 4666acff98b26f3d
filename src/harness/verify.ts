/**
 * `verify <results folder>`: recompute what a results folder claims and list each mismatch as
 * "what: expected X, seen Y". Checks: (a) every results.csv row has the values of a run folder's
 * row.json; (b) every checkpoint parses, its *.mask tensors are 0/1, and the mask
 * fraction matches the run's weights_remaining (within 1e-6, the CSV's printed precision);
 * (c) the claims re-derived from results.csv equal summary.json; (d) run.json says complete.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { UsageError } from "../base/errors.ts";
import type { ClaimResult, ResolvedConfig, ResultRow } from "../config/types.ts";
import { parseResultsCsv } from "../io/csv.ts";
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
  const paths = walk(directory);

  // (a) Every results.csv row is backed by a run folder's row.json with the same values. Arm and
  // data set are left out of the match: procedures rename rows they reuse (elastic's IMP rows
  // become imp-<depth>), and a run folder's row.json names no data set. Row.json files without a
  // results.csv row are allowed (ticket-transfer's source runs are read, not reported).
  const stored = new Map<string, number>();
  for (const path of paths.filter((p) => p.endsWith(`/${ROW_FILE}`))) {
    const key = valuesKey(JSON.parse(readFileSync(path, "utf8")) as ResultRow);
    stored.set(key, (stored.get(key) ?? 0) + 1);
  }
  csvRows.forEach((row, i) => {
    const key = valuesKey(row);
    const left = stored.get(key) ?? 0;
    if (left > 0) {
      stored.set(key, left - 1);
      return;
    }
    problems.push(
      `results.csv line ${i + 2} (trial ${row.trial}, level ${row.level}, arm ${row.arm}): ` +
        `expected the values of a run folder's ${ROW_FILE}, seen ${key} which no ${ROW_FILE} has`,
    );
  });

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

/**
 * A row's values as results.csv prints them (io/csv.ts decimals), without arm and data set, and
 * without the per-layer columns (absent from results.csv when its rows span several layouts).
 */
function valuesKey(row: ResultRow): string {
  const decimals = (x: number | null | undefined, digits: number) =>
    x === undefined || x === null ? "" : x.toFixed(digits);
  const fraction = (x: number | null | undefined) => decimals(x, 6);
  return [
    `trial ${row.trial}`,
    `width ${row.width}`,
    `level ${row.level}`,
    `replicate ${row.replicate}`,
    `weights_remaining ${fraction(row.weights_remaining)}`,
    `early_stop ${row.early_stop_iteration}${row.early_stop_censored ? " (censored)" : ""}`,
    `accuracy ${fraction(row.test_accuracy_at_early_stop)} / ${fraction(row.final_test_accuracy)}`,
    `min_validation_loss ${decimals(row.min_validation_loss, 8)}`,
    `instability ${fraction(row.instability)}`,
    `kappa ${fraction(row.kappa)}`,
  ].join(", ");
}
