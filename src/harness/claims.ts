/**
 * Claims -> verdicts (docs/architecture.md).
 *
 * For each trial t, m(selector) = the claim's metric for the selector's (arm, width, weights
 * remaining, data set), averaged over replicates (e.g. random-reinit draws) of that trial, or
 * for the metric smallest_matching the smallest matching level along the arm's levels
 * (smallest_matching.ts). Then
 *   measured(t) = m(select)                         (statistic "value")
 *               = m(select) - m(baseline)           (statistic "difference", paired in a trial)
 *               = m(select) / m(baseline)           (statistic "ratio"; undefined when m_base = 0)
 * and along the selector's one list-valued field (the axis a_1 < ... < a_n as listed):
 *   argmax   = the a_i with the highest m (the first listed on ties)
 *   max      = max_i m(a_i)
 *   min_step = min_i m(a_(i+1)) - m(a_i), over the axis sorted ascending
 *   max_difference = max_i m(select at a_i) - max_j m(baseline at b_j)
 *   max_ratio      = max_i m(select at a_i) / max_j m(baseline at b_j)
 *   min_step_difference = min_step of d_i = m(select at a_i) - m(baseline at b_i), the baseline
 *                  listing the same axis field with as many values, paired in order
 * (a baseline without a list is its one value). The axis may be a list of arms for max,
 * max_difference and max_ratio: "the best of these methods".
 * The per-trial values are summarised by their mean and a 95% confidence interval of the mean
 * (statistics.ts). With the claimed side "measured op threshold" and the claim's margin:
 *   PASS          the whole interval lies on the claimed side of threshold +- margin;
 *   FAIL          the whole interval lies on the other side of the bare threshold;
 *   INCONCLUSIVE  it straddles either, data are missing, an early stop is censored, or n = 1
 *                 (no interval) unless the profile is marked single_seed, when the one value
 *                 decides and the report says "one seed".
 */
import { UsageError } from "../base/errors.ts";
import type {
  ClaimConfig,
  ClaimResult,
  ClaimSelector,
  ResultRow,
  Threshold,
  Verdict,
} from "../config/types.ts";
import type { ProfileName } from "../config/profiles.ts";
import { CI_METHOD, summarize } from "./statistics.ts";
import { datasetRows } from "./dataset_rows.ts";
import { smallestMatching } from "./smallest_matching.ts";

/** A selector matches a level whose weights remaining is within this distance (absolute). */
export const WEIGHTS_REMAINING_TOLERANCE = 0.005;

type AxisKey = "arm" | "weights_remaining" | "width";

/** The selector's list-valued field, if any. */
export function axisOf(selector: ClaimSelector): AxisKey | null {
  if (Array.isArray(selector.arm)) return "arm";
  if (Array.isArray(selector.weights_remaining)) return "weights_remaining";
  if (Array.isArray(selector.width)) return "width";
  return null;
}

export interface ClaimOptions {
  /** The profile runs one trial on purpose: its single value decides, marked "one seed". */
  singleSeed: boolean;
}

/** Evaluate every claim against the result rows under one profile's thresholds. */
export function evaluateClaims(
  claims: ClaimConfig[],
  rows: ResultRow[],
  profile: ProfileName,
  options: ClaimOptions = { singleSeed: false },
): ClaimResult[] {
  return claims.map((claim) => evaluateClaim(claim, rows, profile, options));
}

/** Where an interval [low, high] lies against the claim: on its side, the other, or across. */
function side(
  claim: ClaimConfig,
  threshold: Threshold,
  low: number,
  high: number,
): "pass" | "fail" | "straddles" | "short of margin" {
  const margin = claim.margin ?? 0;
  if (claim.op === "in") {
    const [min, max] = threshold as [number, number];
    if (min <= low && high <= max) return "pass";
    return high < min || low > max ? "fail" : "straddles";
  }
  const t = threshold as number;
  const strict = claim.op === ">" || claim.op === "<";
  const above = (x: number, bound: number) => (strict ? x > bound : x >= bound);
  const below = (x: number, bound: number) => (strict ? x < bound : x <= bound);
  if (claim.op === ">" || claim.op === ">=") {
    if (above(low, t + margin)) return "pass";
    if (!above(high, t)) return "fail";
    return above(low, t) ? "short of margin" : "straddles";
  }
  if (below(high, t - margin)) return "pass";
  if (!below(low, t)) return "fail";
  return below(high, t) ? "short of margin" : "straddles";
}

function evaluateClaim(
  claim: ClaimConfig,
  rows: ResultRow[],
  profile: ProfileName,
  options: ClaimOptions,
): ClaimResult {
  const needsBaseline = claim.statistic === "difference" || claim.statistic === "ratio" ||
    claim.statistic === "max_difference" || claim.statistic === "max_ratio" ||
    claim.statistic === "min_step_difference";
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
  const summary = present.length === 0 ? null : summarize(present);
  const oneSeed = options.singleSeed && trials.length === 1;
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
    margin: claim.margin ?? 0,
    n: present.length,
    measured: summary?.mean ?? null,
    sd: summary?.sd ?? null,
    ci: summary?.ci ?? null,
    method: oneSeed ? "one seed" : CI_METHOD,
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
  if (present.length < trials.length) {
    const absent = trials.filter((_, i) => perTrial[i] === null);
    const reasons = unique(missing).join("; ");
    if (absent.length === trials.length) {
      return result("INCONCLUSIVE", `${capitalize(reasons)} (${inTrials(trials.length)}).`);
    }
    return result(
      "INCONCLUSIVE",
      `Data missing for trial${absent.length > 1 ? "s" : ""} ${absent.join(", ")}: ${reasons}.`,
    );
  }
  const mean = formatClaimValue(claim, summary!.mean);
  if (summary!.ci === null && !oneSeed) {
    return result(
      "INCONCLUSIVE",
      `One trial (mean ${mean}) gives no confidence interval; run at least 2 trials, or mark the profile single_seed.`,
    );
  }
  const [low, high] = summary!.ci ?? [summary!.mean, summary!.mean];
  const where = side(claim, threshold, low, high);
  const interval = oneSeed
    ? `the one trial (${mean})`
    : `the 95% CI [${formatClaimValue(claim, low)}, ${formatClaimValue(claim, high)}]`;
  const margin = claim.margin ? ` with margin ${formatMargin(claim)}` : "";
  if (where === "pass") {
    return result("PASS", `${capitalize(interval)} passes ${condition}${margin}.`);
  }
  if (where === "fail") return result("FAIL", `${capitalize(interval)} fails ${condition}.`);
  if (where === "short of margin") {
    return result(
      "INCONCLUSIVE",
      `${capitalize(interval)} passes ${condition} but not by the margin ${formatMargin(claim)}.`,
    );
  }
  return result("INCONCLUSIVE", `${capitalize(interval)} straddles ${condition}.`);
}

/** The margin in the claim's units. */
function formatMargin(claim: ClaimConfig): string {
  const margin = claim.margin ?? 0;
  const delta = claim.statistic !== "ratio" && claim.statistic !== "max_ratio" &&
    isAccuracy(claim.metric);
  return delta ? `${shortest(margin * 100)} pp` : String(margin);
}

/** measured(t) of one trial, or null with the reason pushed to `missing`. */
function measureTrial(claim: ClaimConfig, rows: ResultRow[], missing: string[]): number | null {
  const metricAt = (selector: ClaimSelector): number | null => {
    const found = claim.metric === "smallest_matching"
      ? smallestMatching(rows, selector, claim)
      : selectMetric(rows, selector, claim.metric);
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
  /** The metric at every axis value, in listed order (`at`: the value, or an arm's index). */
  const along = (selector: ClaimSelector) => {
    const key = axisOf(selector);
    const listed: (number | string)[] = key === null ? [NaN] : selector[key] as number[];
    const points = listed.map((value, i) => ({
      at: typeof value === "string" ? i : value,
      metric: metricAt(key === null ? selector : { ...selector, [key]: value }),
    }));
    return points.some((p) => p.metric === null)
      ? null
      : points as { at: number; metric: number }[];
  };
  const values = along(claim.select);
  if (values === null) return null;
  if (claim.statistic === "max_difference" || claim.statistic === "max_ratio") {
    const base = along(claim.baseline!);
    if (base === null) return null;
    const selectMax = Math.max(...values.map((p) => p.metric));
    const baseMax = Math.max(...base.map((p) => p.metric));
    if (claim.statistic === "max_difference") return selectMax - baseMax;
    if (baseMax === 0) {
      missing.push(`baseline ${claim.metric} is 0, so the ratio is undefined`);
      return null;
    }
    return selectMax / baseMax;
  }
  if (claim.statistic === "min_step_difference") {
    const base = along(claim.baseline!);
    if (base === null) return null;
    if (base.length !== values.length) {
      missing.push(`the baseline lists ${base.length} axis values, the selector ${values.length}`);
      return null;
    }
    const gaps = values.map((p, i) => ({ at: p.at, metric: p.metric - base[i].metric }));
    const sorted = gaps.sort((a, b) => a.at - b.at);
    let step = Infinity;
    for (let i = 1; i < sorted.length; i++) {
      step = Math.min(step, sorted[i].metric - sorted[i - 1].metric);
    }
    return step;
  }
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
  allRows: ResultRow[],
  selector: ClaimSelector,
  metric: Exclude<ClaimConfig["metric"], "smallest_matching">,
): number | string {
  const rows = datasetRows(allRows, selector);
  if (typeof rows === "string") return rows;
  const width = selector.width as number | undefined;
  const armRows = rows.filter((row) =>
    row.arm === selector.arm && (width === undefined || row.width === width) &&
    (selector.level === undefined || row.level === selector.level)
  );
  const value = (row: ResultRow) => row[metric] ?? NaN;
  const widths = [...new Set(armRows.map((row) => row.width))].sort((a, b) => a - b);
  if (widths.length > 1) {
    return `arm ${selector.arm} has widths ${widths.join(", ")}; add width to the selector`;
  }
  let target = selector.weights_remaining as number | undefined;
  if (target === undefined) {
    const levels = [...new Set(armRows.map((row) => row.level))];
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
    distance(row) < distance(best) || (distance(row) === distance(best) && row.level < best.level)
      ? row
      : best
  );
  const replicates = candidates.filter((row) => row.level === nearest.level);
  if (metric === "early_stop_iteration" && replicates.some((row) => row.early_stop_censored)) {
    return `the early stop of ${describe(selector)} is censored (at the last evaluation: ` +
      `the minimum may lie beyond the budget)`;
  }
  if (replicates.some((row) => row[metric] === undefined)) {
    return `${metric} of ${describe(selector)} is not recorded (its procedure compares no masks)`;
  }
  const mean = replicates.reduce((s, row) => s + value(row), 0) / replicates.length;
  return Number.isFinite(mean) ? mean : `${metric} of ${describe(selector)} is not finite`;
}

function describe(selector: ClaimSelector): string {
  const dataset = selector.dataset === undefined ? "" : ` on ${selector.dataset}`;
  const width = selector.width === undefined ? "" : ` width ${selector.width}`;
  const remaining = selector.weights_remaining === undefined
    ? ""
    : ` at weights remaining ${selector.weights_remaining}`;
  const level = selector.level === undefined ? "" : ` at level ${selector.level}`;
  return `arm ${selector.arm}${dataset}${width}${remaining}${level}`;
}

function noRow(selector: ClaimSelector): string {
  return `no row for ${describe(selector)}`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** "in 1 trial", "in all 3 trials". */
function inTrials(n: number): string {
  return n === 1 ? "in 1 trial" : `in all ${n} trials`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Fractions shown in percent (differences of them in points): the accuracies, the instability
 * (a difference of test errors), and smallest_matching (weights remaining).
 */
function isAccuracy(metric: ClaimConfig["metric"]): boolean {
  return metric === "test_accuracy_at_early_stop" || metric === "final_test_accuracy" ||
    metric === "instability" || metric === "smallest_matching";
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
  const delta = statistic === "difference" || statistic === "min_step" ||
    statistic === "max_difference" || statistic === "min_step_difference";
  const sign = delta && value > 0 ? "+" : "";
  if (statistic === "ratio" || statistic === "max_ratio") return value.toFixed(3);
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
    : claim.statistic === "max_difference"
    ? `max ${claim.metric} difference over ${axis}`
    : claim.statistic === "max_ratio"
    ? `max ${claim.metric} ratio over ${axis}`
    : claim.statistic === "min_step_difference"
    ? `min step of the ${claim.metric} difference over ${axis}`
    : claim.statistic;
  const one = (t: number): string => {
    if (!Number.isFinite(t)) return "—";
    if (claim.statistic === "argmax") return formatClaimValue(claim, t);
    if (
      claim.statistic !== "ratio" && claim.statistic !== "max_ratio" && isAccuracy(claim.metric)
    ) {
      const delta = claim.statistic === "difference" || claim.statistic === "min_step" ||
        claim.statistic === "max_difference" || claim.statistic === "min_step_difference";
      return `${shortest(t * 100)}${delta ? " pp" : "%"}`;
    }
    return String(t);
  };
  const value = Array.isArray(threshold)
    ? `[${one(threshold[0])}, ${one(threshold[1])}]`
    : one(threshold);
  return `${subject} ${claim.op} ${value}`;
}
