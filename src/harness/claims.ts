/**
 * Claims -> verdicts (design.md section 5).
 *
 * For each trial t, m(selector) = the claim's metric for the selector's (arm, width, weights
 * remaining), averaged over replicates (e.g. random-reinit draws) of that trial. Then
 *   measured(t) = m(select)                         (statistic "value")
 *               = m(select) - m(baseline)           (statistic "difference")
 *               = m(select) / m(baseline)           (statistic "ratio"; undefined when m_base = 0)
 * and along the selector's one list-valued field (the axis a_1 < ... < a_n as listed):
 *   argmax   = the a_i with the highest m (the first listed on ties)
 *   max      = max_i m(a_i)
 *   min_step = min_i m(a_(i+1)) - m(a_i), over the axis sorted ascending
 * Trial t passes when `measured(t) op threshold` ("in": low <= measured(t) <= high). The claim
 * PASSes when every trial has data and passes, FAILs when every trial has data and fails, and is
 * INCONCLUSIVE otherwise (trials disagree, data is missing, or the profile has no threshold).
 * measured = mean_t measured(t).
 */
import { UsageError } from "../base/errors.ts";
import type {
  ClaimConfig,
  ClaimOp,
  ClaimResult,
  ClaimSelector,
  ProfileName,
  ResultRow,
  Threshold,
  Verdict,
} from "../config/types.ts";

/** A selector matches a round whose weights remaining is within this distance (absolute). */
export const WEIGHTS_REMAINING_TOLERANCE = 0.005;

const COMPARE: Record<ClaimOp, (a: number, b: Threshold) => boolean> = {
  "<": (a, b) => a < (b as number),
  "<=": (a, b) => a <= (b as number),
  ">": (a, b) => a > (b as number),
  ">=": (a, b) => a >= (b as number),
  "in": (a, b) => Array.isArray(b) && b[0] <= a && a <= b[1],
};

type AxisKey = "weights_remaining" | "width";

/** The selector's list-valued field, if any. */
export function axisOf(selector: ClaimSelector): AxisKey | null {
  if (Array.isArray(selector.weights_remaining)) return "weights_remaining";
  if (Array.isArray(selector.width)) return "width";
  return null;
}

/** Evaluate every claim against the result rows under one profile's thresholds. */
export function evaluateClaims(
  claims: ClaimConfig[],
  rows: ResultRow[],
  profile: ProfileName,
): ClaimResult[] {
  return claims.map((claim) => evaluateClaim(claim, rows, profile));
}

function evaluateClaim(claim: ClaimConfig, rows: ResultRow[], profile: ProfileName): ClaimResult {
  const needsBaseline = claim.statistic === "difference" || claim.statistic === "ratio";
  if (needsBaseline && claim.baseline === undefined) {
    throw new UsageError(
      `claim "${claim.id}" uses statistic "${claim.statistic}" but has no baseline; add one`,
    );
  }
  const threshold = typeof claim.threshold === "object" && !Array.isArray(claim.threshold)
    ? claim.threshold[profile]
    : claim.threshold;

  const trials = [...new Set(rows.map((row) => row.trial))].sort((a, b) => a - b);
  const missing: string[] = [];
  const perTrial = trials.map((trial) =>
    measureTrial(claim, rows.filter((row) => row.trial === trial), missing)
  );

  const present = perTrial.filter((v): v is number => v !== null);
  const measured = present.length === 0
    ? null
    : present.reduce((s, v) => s + v, 0) / present.length;
  const result = (
    verdict: Verdict,
    reason: string,
    thresholdValue: Threshold = threshold ?? NaN,
  ) => ({
    id: claim.id,
    text: claim.text,
    statistic: claim.statistic,
    op: claim.op,
    threshold: thresholdValue,
    measured,
    per_trial: perTrial,
    paper: claim.paper,
    verdict,
    reason,
  });

  if (threshold === undefined) {
    const given = Object.keys(claim.threshold).join(", ") || "none";
    return result(
      "INCONCLUSIVE",
      `No threshold for profile "${profile}" (thresholds given for: ${given}).`,
      // NaN serialises to null in summary.json: there is no threshold to show.
      NaN,
    );
  }
  if (trials.length === 0) return result("INCONCLUSIVE", "No result rows.");
  const condition = formatThreshold(claim, threshold);
  if (present.length === 0) {
    return result(
      "INCONCLUSIVE",
      `${capitalize(unique(missing).join("; "))} (${inTrials(trials.length)}).`,
    );
  }
  const passes = present.filter((v) => COMPARE[claim.op](v, threshold)).length;
  if (present.length < trials.length) {
    const absent = trials.filter((_, i) => perTrial[i] === null);
    return result(
      "INCONCLUSIVE",
      `Data missing for trial${absent.length > 1 ? "s" : ""} ${absent.join(", ")} ` +
        `(${unique(missing).join("; ")}); ${passes} of ${present.length} trials with data pass ` +
        `${condition}.`,
    );
  }
  const mean = formatClaimValue(claim, measured!);
  if (passes === trials.length) {
    return result(
      "PASS",
      `${capitalize(everyTrial(trials.length, "pass"))} ${condition} (mean ${mean}).`,
    );
  }
  if (passes === 0) {
    return result(
      "FAIL",
      `${capitalize(everyTrial(trials.length, "fail"))} ${condition} (mean ${mean}).`,
    );
  }
  return result(
    "INCONCLUSIVE",
    `Trials disagree: ${passes} of ${trials.length} trials pass ${condition} (mean ${mean}).`,
  );
}

/** measured(t) of one trial, or null with the reason pushed to `missing`. */
function measureTrial(claim: ClaimConfig, rows: ResultRow[], missing: string[]): number | null {
  const metricAt = (selector: ClaimSelector): number | null => {
    const found = selectMetric(rows, selector, claim.metric);
    if (typeof found === "string") {
      missing.push(found);
      return null;
    }
    return found;
  };
  const axis = axisOf(claim.select);
  if (axis === null) {
    const sel = metricAt(claim.select);
    if (sel === null || claim.statistic === "value") return sel;
    const base = metricAt(claim.baseline!);
    if (base === null) return null;
    if (claim.statistic === "difference") return sel - base;
    if (base === 0) {
      missing.push(`baseline ${claim.metric} is 0, so the ratio is undefined`);
      return null;
    }
    return sel / base;
  }
  const points = (claim.select[axis] as number[]).map((at) => ({
    at,
    metric: metricAt({ ...claim.select, [axis]: at }),
  }));
  if (points.some((p) => p.metric === null)) return null;
  const values = points as { at: number; metric: number }[];
  if (claim.statistic === "min_step") {
    const sorted = [...values].sort((a, b) => a.at - b.at);
    let step = Infinity;
    for (let i = 1; i < sorted.length; i++) {
      step = Math.min(step, sorted[i].metric - sorted[i - 1].metric);
    }
    return step;
  }
  const best = values.reduce((b, p) => (p.metric > b.metric ? p : b));
  return claim.statistic === "argmax" ? best.at : best.metric;
}

/**
 * The metric at a single-valued selector within one trial: among the rows of the selector's arm
 * and width, the level whose weights remaining is nearest the target (and within the
 * tolerance), averaged over its replicates. A string (the reason) when no level matches, the
 * width is ambiguous, or the value is not finite (a diverged run).
 */
function selectMetric(
  rows: ResultRow[],
  selector: ClaimSelector,
  metric: ClaimConfig["metric"],
): number | string {
  const width = selector.width as number | undefined;
  const armRows = rows.filter((row) =>
    row.arm === selector.arm && (width === undefined || row.width === width)
  );
  const widths = [...new Set(armRows.map((row) => row.width))].sort((a, b) => a - b);
  if (widths.length > 1) {
    return `arm ${selector.arm} has widths ${widths.join(", ")}; add width to the selector`;
  }
  let target = selector.weights_remaining as number | undefined;
  if (target === undefined) {
    const levels = [...new Set(armRows.map((row) => row.round))];
    if (levels.length > 1) {
      return `arm ${selector.arm} has ${levels.length} levels; add weights_remaining to the selector`;
    }
    if (levels.length === 0) return noRow(selector);
    target = armRows[0].weights_remaining;
  }
  const at = target;
  const distance = (row: ResultRow) => Math.abs(row.weights_remaining - at);
  const candidates = armRows.filter((row) => distance(row) <= WEIGHTS_REMAINING_TOLERANCE);
  if (candidates.length === 0) return noRow(selector);
  const nearest = candidates.reduce((best, row) =>
    distance(row) < distance(best) || (distance(row) === distance(best) && row.round < best.round)
      ? row
      : best
  );
  const replicates = candidates.filter((row) => row.round === nearest.round);
  const mean = replicates.reduce((s, row) => s + row[metric], 0) / replicates.length;
  return Number.isFinite(mean) ? mean : `${metric} of ${describe(selector)} is not finite`;
}

function describe(selector: ClaimSelector): string {
  const width = selector.width === undefined ? "" : ` width ${selector.width}`;
  const level = selector.weights_remaining === undefined
    ? ""
    : ` at weights remaining ${selector.weights_remaining}`;
  return `arm ${selector.arm}${width}${level}`;
}

function noRow(selector: ClaimSelector): string {
  return `no row for ${describe(selector)}`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** "1 trial passes", "all 3 trials pass": no "all 1 trials". */
function everyTrial(n: number, verb: "pass" | "fail"): string {
  return n === 1 ? `1 trial ${verb === "pass" ? "passes" : "fails"}` : `all ${n} trials ${verb}`;
}

/** "in 1 trial", "in all 3 trials". */
function inTrials(n: number): string {
  return n === 1 ? "in 1 trial" : `in all ${n} trials`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isAccuracy(metric: ClaimConfig["metric"]): boolean {
  return metric === "test_accuracy_at_early_stop" || metric === "final_test_accuracy";
}

/**
 * A measured value in the claim's units: accuracies (fractions) in percent, differences and
 * steps of accuracies in percentage points, ratios as plain numbers, iterations as counts, an
 * argmax in its axis' units (weights remaining in percent, widths as integers).
 */
export function formatClaimValue(
  claim: Pick<ClaimConfig, "metric" | "statistic" | "select">,
  value: number,
): string {
  const { metric, statistic } = claim;
  if (!Number.isFinite(value)) return String(value);
  if (statistic === "argmax") {
    return axisOf(claim.select) === "width" ? String(value) : `${shortest(value * 100)}%`;
  }
  const delta = statistic === "difference" || statistic === "min_step";
  const sign = delta && value > 0 ? "+" : "";
  if (statistic === "ratio") return value.toFixed(3);
  if (isAccuracy(metric)) return `${sign}${(value * 100).toFixed(2)}${delta ? " pp" : "%"}`;
  if (metric === "early_stop_iteration") {
    return sign + (Number.isInteger(value) ? String(value) : value.toFixed(1));
  }
  return sign + value.toFixed(4);
}

/** Shortest decimal of a number to 6 places, e.g. 97.000000001 -> "97". */
function shortest(value: number): string {
  return String(Number(value.toFixed(6)));
}

/** The pass condition as text, e.g. "ratio < 1", "test_accuracy_at_early_stop >= 97%" or "argmax weights_remaining in [30%, 70%]". */
export function formatThreshold(claim: ClaimConfig, threshold: Threshold): string {
  const axis = axisOf(claim.select);
  const subject = claim.statistic === "value"
    ? claim.metric
    : claim.statistic === "argmax"
    ? `argmax ${axis}`
    : claim.statistic === "max"
    ? `max ${claim.metric} over ${axis}`
    : claim.statistic === "min_step"
    ? `min step of ${claim.metric} over ${axis}`
    : claim.statistic;
  const one = (t: number): string => {
    if (!Number.isFinite(t)) return "—";
    if (claim.statistic === "argmax") return formatClaimValue(claim, t);
    if (claim.statistic !== "ratio" && isAccuracy(claim.metric)) {
      const delta = claim.statistic === "difference" || claim.statistic === "min_step";
      return `${shortest(t * 100)}${delta ? " pp" : "%"}`;
    }
    return String(t);
  };
  const value = Array.isArray(threshold)
    ? `[${one(threshold[0])}, ${one(threshold[1])}]`
    : one(threshold);
  return `${subject} ${claim.op} ${value}`;
}
