/**
 * The lines `reproduce` prints on stdout: one per claim, in the report's units (claims.ts's
 * formatClaimValue and formatThreshold, so stdout and report.md agree), then the report's path.
 * A smoke run is a pipeline check and says so first: its claims are not evaluated at smoke size.
 */
import { formatClaimValue, formatThreshold } from "./claims.ts";
import type { ClaimConfig, ClaimResult } from "../config/types.ts";
import type { ProfileName } from "../config/profiles.ts";

/** Width of the verdict column: the longest verdict, INCONCLUSIVE, and a space. */
const VERDICT_WIDTH = "INCONCLUSIVE".length + 1;

/**
 * One claim: verdict, id, the mean with n and its 95% CI (or "one seed"), the pass condition and
 * the paper's value.
 */
export function verdictLine(result: ClaimResult, config: ClaimConfig | undefined): string {
  const format = (v: number) => config ? formatClaimValue(config, v) : String(v);
  const spread = result.ci
    ? ` (n ${result.n}, 95% CI [${format(result.ci[0])}, ${format(result.ci[1])}])`
    : result.method === "one seed"
    ? " (one seed)"
    : ` (n ${result.n})`;
  const measured = result.measured === null
    ? `not measured: ${shortReason(result.reason)}`
    : `${format(result.measured)}${spread}`;
  const threshold = config
    ? formatThreshold(config, result.threshold)
    : `${result.statistic} ${result.op} ${JSON.stringify(result.threshold)}`;
  return `${
    result.verdict.padEnd(VERDICT_WIDTH)
  } ${result.id}: ${measured}; pass if ${threshold}; paper: ${result.paper}`;
}

/**
 * The first of a reason's missing items, lower-cased, e.g. "no row for arm ticket at weights
 * remaining 0.2107 (in 1 trial)"; report.md keeps the full reason.
 */
function shortReason(reason: string): string {
  const text = reason.replace(/\.$/, "");
  const items = text.split("; ");
  const first = items[0].charAt(0).toLowerCase() + items[0].slice(1);
  return items.length === 1 ? first : `${first}; and ${items.length - 1} more (see the report)`;
}

/** Everything `reproduce` prints on stdout after a run, in order. */
export function verdictLines(
  profile: ProfileName,
  results: ClaimResult[],
  configs: ClaimConfig[],
  reportPath: string,
): string[] {
  const lines: string[] = [];
  if (profile === "smoke") {
    lines.push(
      "smoke profile: a pipeline check, not a test of the claims; they are not evaluated at smoke size, so these verdicts say nothing about the paper (run --profile quick or paper for that)",
    );
  }
  for (const result of results) {
    lines.push(verdictLine(result, configs.find((config) => config.id === result.id)));
  }
  lines.push(`report: ${reportPath}`);
  return lines;
}
