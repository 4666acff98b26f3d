/**
 * The smallest matching ticket of one trial (claim metric `smallest_matching`): the smallest
 * fraction of weights remaining at which an arm's accuracy still matches its own dense level.
 *
 * The arm's levels in the trial (at the selector's data set and width), by weights remaining
 * 1 = w_0 > w_1 > ... > w_n, have accuracies a_0..a_n (`matching.accuracy`, averaged over a
 * level's replicates). With the matching threshold t = a_0 - tolerance, walk from the dense level
 * down: the first level k >= 1 with a_k < t is the first that no longer matches, and the
 * crossing is interpolated linearly in log(weights remaining) between level k - 1 (a_(k-1) >= t)
 * and level k:
 *   f  = (a_(k-1) - t) / (a_(k-1) - a_k)                      in [0, 1)
 *   w* = exp(log w_(k-1) + f (log w_k - log w_(k-1))) = w_(k-1)^(1-f) * w_k^f.
 * The walk stops at the first level that falls below, so a level further down that happens to
 * match again does not count. When no level falls below t, the value is censored: the smallest
 * matching ticket is at most w_n, the smallest level tested, and the trial gets no value (the
 * reason says so), like a censored early stop.
 */
import { UsageError } from "../base/errors.ts";
import type { ClaimConfig, ClaimSelector, ResultRow } from "../config/types.ts";
import { datasetRows } from "./dataset_rows.ts";

/** A dense level has every weight: weights remaining 1 up to rounding in results.csv. */
const DENSE_WITHIN = 1e-6;

interface Level {
  weightsRemaining: number;
  accuracy: number;
}

/**
 * w* of one trial's rows for the selector, or the reason it has no value (no such rows, no dense
 * level, a non-finite accuracy, or censored).
 */
export function smallestMatching(
  rows: ResultRow[],
  selector: ClaimSelector,
  claim: Pick<ClaimConfig, "id" | "matching">,
): number | string {
  const matching = claim.matching;
  if (matching === undefined) {
    throw new UsageError(
      `claim "${claim.id}" uses the metric smallest_matching without matching: {accuracy, tolerance}; add it`,
    );
  }
  const levels = armLevels(rows, selector, matching.accuracy);
  if (typeof levels === "string") return levels;
  const what = `the smallest matching level of ${describe(selector)}`;
  const [dense, ...pruned] = levels;
  if (Math.abs(dense.weightsRemaining - 1) > DENSE_WITHIN) {
    return `${what} has no dense level (weights remaining 1) to match; the largest is ${
      percent(dense.weightsRemaining)
    }`;
  }
  if (pruned.length === 0) return `${what} needs a pruned level; only the dense level was found`;
  const threshold = dense.accuracy - matching.tolerance;
  let previous = dense;
  for (const level of pruned) {
    if (level.accuracy < threshold) {
      const f = (previous.accuracy - threshold) / (previous.accuracy - level.accuracy);
      const logW = Math.log(previous.weightsRemaining) +
        f * (Math.log(level.weightsRemaining) - Math.log(previous.weightsRemaining));
      return Math.exp(logW);
    }
    previous = level;
  }
  return `${what} is censored: every level down to ${
    percent(previous.weightsRemaining)
  } weights remaining is within ${
    Number((matching.tolerance * 100).toFixed(6))
  } pp of the dense level, so the smallest matching ticket is at most ${
    percent(previous.weightsRemaining)
  } (prune further to measure it)`;
}

/**
 * The arm's levels, densest first: weights remaining and the accuracy averaged over the level's
 * replicates; or the reason there are none to walk.
 */
function armLevels(
  allRows: ResultRow[],
  selector: ClaimSelector,
  accuracy: "test_accuracy_at_early_stop" | "final_test_accuracy",
): Level[] | string {
  const rows = datasetRows(allRows, selector);
  if (typeof rows === "string") return rows;
  const width = selector.width as number | undefined;
  const armRows = rows.filter((row) =>
    row.arm === selector.arm && (width === undefined || row.width === width)
  );
  const widths = [...new Set(armRows.map((row) => row.width))].sort((a, b) => a - b);
  if (widths.length > 1) {
    return `arm ${selector.arm} has widths ${widths.join(", ")}; add width to the selector`;
  }
  if (armRows.length === 0) return `no row for ${describe(selector)}`;
  const byLevel = new Map<number, ResultRow[]>();
  for (const row of armRows) byLevel.set(row.level, [...(byLevel.get(row.level) ?? []), row]);
  const levels: Level[] = [];
  for (const replicates of byLevel.values()) {
    const mean = replicates.reduce((s, row) => s + row[accuracy], 0) / replicates.length;
    if (!Number.isFinite(mean)) {
      return `${accuracy} of ${describe(selector)} at level ${replicates[0].level} is not finite`;
    }
    levels.push({ weightsRemaining: replicates[0].weights_remaining, accuracy: mean });
  }
  return levels.sort((a, b) => b.weightsRemaining - a.weightsRemaining);
}

function describe(selector: ClaimSelector): string {
  const dataset = selector.dataset === undefined ? "" : ` on ${selector.dataset}`;
  const width = selector.width === undefined ? "" : ` width ${selector.width}`;
  return `arm ${selector.arm}${dataset}${width}`;
}

/** A fraction of weights remaining in percent, e.g. 0.0358 -> "3.58%". */
function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
