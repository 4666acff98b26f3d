/**
 * Claims -> verdicts (design.md section 5).
 *
 * For each trial t: m_sel(t) = the claim's metric for (select.arm, select.weights_remaining),
 * averaged over replicates (e.g. random-reinit draws) of that trial; likewise m_base(t). Then
 *   measured(t) = m_sel(t)                       (statistic "value")
 *               = m_sel(t) - m_base(t)           (statistic "difference")
 *               = m_sel(t) / m_base(t)           (statistic "ratio"; undefined when m_base = 0)
 * and trial t passes when `measured(t) op threshold`. The claim PASSes when every trial has data
 * and passes, FAILs when every trial has data and fails, and is INCONCLUSIVE otherwise (trials
 * disagree, data is missing, or the profile has no threshold). measured = mean_t measured(t).
 */
import { UsageError } from "../errors.ts";
import type {
  ClaimConfig,
  ClaimOp,
  ClaimResult,
  ClaimSelector,
  ProfileName,
  ResultRow,
  Verdict,
} from "./types.ts";

/** A selector matches a round whose weights remaining is within this distance (absolute). */
export const WEIGHTS_REMAINING_TOLERANCE = 0.005;

const COMPARE: Record<ClaimOp, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

/** Evaluate every claim against the result rows under one profile's thresholds. */
export function evaluateClaims(
  claims: ClaimConfig[],
  rows: ResultRow[],
  profile: ProfileName,
): ClaimResult[] {
  return claims.map((claim) => evaluateClaim(claim, rows, profile));
}

function evaluateClaim(claim: ClaimConfig, rows: ResultRow[], profile: ProfileName): ClaimResult {
  if (claim.statistic !== "value" && claim.baseline === undefined) {
    throw new UsageError(
      `claim "${claim.id}" uses statistic "${claim.statistic}" but has no baseline; add one`,
    );
  }
  const threshold = typeof claim.threshold === "number"
    ? claim.threshold
    : claim.threshold[profile];

  const trials = [...new Set(rows.map((row) => row.trial))].sort((a, b) => a - b);
  const missing: string[] = [];
  const perTrial = trials.map((trial) => {
    const trialRows = rows.filter((row) => row.trial === trial);
    const sel = selectMetric(trialRows, claim.select, claim.metric);
    if (sel === null) {
      missing.push(noRow(claim.select));
      return null;
    }
    if (claim.statistic === "value") return sel;
    const base = selectMetric(trialRows, claim.baseline!, claim.metric);
    if (base === null) {
      missing.push(noRow(claim.baseline!));
      return null;
    }
    if (claim.statistic === "difference") return sel - base;
    if (base === 0) {
      missing.push(`baseline ${claim.metric} is 0, so the ratio is undefined`);
      return null;
    }
    return sel / base;
  });

  const present = perTrial.filter((v): v is number => v !== null);
  const measured = present.length === 0
    ? null
    : present.reduce((s, v) => s + v, 0) / present.length;
  const result = (verdict: Verdict, reason: string, thresholdValue = threshold ?? NaN) => ({
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
      `${capitalize(unique(missing).join("; "))} (in all ${trials.length} trials).`,
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
  const mean = formatClaimValue(claim.metric, claim.statistic, measured!);
  if (passes === trials.length) {
    return result("PASS", `All ${trials.length} trials pass ${condition} (mean ${mean}).`);
  }
  if (passes === 0) {
    return result("FAIL", `All ${trials.length} trials fail ${condition} (mean ${mean}).`);
  }
  return result(
    "INCONCLUSIVE",
    `Trials disagree: ${passes} of ${trials.length} trials pass ${condition} (mean ${mean}).`,
  );
}

/**
 * The metric at a selector within one trial: among the selector's arm, the round whose weights
 * remaining is nearest the target (and within the tolerance), averaged over its replicates.
 * null when no round matches or the value is not finite (a diverged run).
 */
function selectMetric(
  rows: ResultRow[],
  selector: ClaimSelector,
  metric: ClaimConfig["metric"],
): number | null {
  const distance = (row: ResultRow) => Math.abs(row.weights_remaining - selector.weights_remaining);
  const candidates = rows.filter((row) =>
    row.arm === selector.arm && distance(row) <= WEIGHTS_REMAINING_TOLERANCE
  );
  if (candidates.length === 0) return null;
  const nearest = candidates.reduce((best, row) =>
    distance(row) < distance(best) || (distance(row) === distance(best) && row.round < best.round)
      ? row
      : best
  );
  const replicates = candidates.filter((row) => row.round === nearest.round);
  const mean = replicates.reduce((s, row) => s + row[metric], 0) / replicates.length;
  return Number.isFinite(mean) ? mean : null;
}

function noRow(selector: ClaimSelector): string {
  return `no row for arm ${selector.arm} at weights remaining ${selector.weights_remaining}`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isAccuracy(metric: ClaimConfig["metric"]): boolean {
  return metric === "test_accuracy_at_early_stop" || metric === "final_test_accuracy";
}

/**
 * A measured value in the claim's units: accuracies (fractions) in percent, differences of
 * accuracies in percentage points, ratios as plain numbers, iterations as counts.
 */
export function formatClaimValue(
  metric: ClaimConfig["metric"],
  statistic: ClaimConfig["statistic"],
  value: number,
): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = statistic === "difference" && value > 0 ? "+" : "";
  if (statistic === "ratio") return value.toFixed(3);
  if (isAccuracy(metric)) {
    return `${sign}${(value * 100).toFixed(2)}${statistic === "difference" ? " pp" : "%"}`;
  }
  if (metric === "early_stop_iteration") {
    return sign + (Number.isInteger(value) ? String(value) : value.toFixed(1));
  }
  return sign + value.toFixed(4);
}

/** The pass condition as text, e.g. "ratio < 1" or "test_accuracy_at_early_stop >= 97%". */
export function formatThreshold(claim: ClaimConfig, threshold: number): string {
  const subject = claim.statistic === "value" ? claim.metric : claim.statistic;
  let value: string;
  if (!Number.isFinite(threshold)) value = "—";
  else if (claim.statistic !== "ratio" && isAccuracy(claim.metric)) {
    // Shortest decimal of the percentage, e.g. 0.97 -> "97", -0.005 -> "-0.5".
    const percent = Number((threshold * 100).toFixed(6));
    value = claim.statistic === "difference" ? `${percent} pp` : `${percent}%`;
  } else value = String(threshold);
  return `${subject} ${claim.op} ${value}`;
}
