/**
 * What changed between the claims a summary.json recorded and the claims re-evaluated now: used by
 * `report` (a line naming each change) and `verify` (each change is a mismatch). Values are
 * compared as summary.json stores them (JSON text), so a number read back from the file equals
 * the number that was written.
 */
import type { ClaimResult } from "../config/types.ts";

/** The fields whose change alters a claim's outcome or what the report prints for it. */
const COMPARED = ["verdict", "measured", "threshold", "op", "margin", "n", "ci"] as const;

const asJson = (value: unknown) => JSON.stringify(value ?? null);

/**
 * results.csv rounds fractions by up to 5e-7 (io/csv.ts); differences, ratios and confidence
 * bounds (t * sd / sqrt(n), t up to 4.3 at n = 3) grow that by a small factor. 1e-5 bounds it and
 * stays below what report.md prints (0.01 points, 1e-4).
 */
const NUMBER_TOLERANCE = 1e-5;

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") {
    return a === b || Math.abs(a - b) <= NUMBER_TOLERANCE;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  return asJson(a) === asJson(b);
}

/**
 * One line per difference: "claim <id>: <field> was <old>, now <new>", and a line for each claim
 * present on only one side. Empty when the two agree.
 */
export function claimDifferences(
  recorded: readonly Partial<ClaimResult>[],
  current: readonly ClaimResult[],
): string[] {
  const lines: string[] = [];
  const byId = new Map(recorded.map((claim) => [claim.id, claim]));
  for (const claim of current) {
    const old = byId.get(claim.id);
    if (old === undefined) {
      lines.push(`claim ${claim.id}: not in the recorded summary, now ${claim.verdict}`);
      continue;
    }
    byId.delete(claim.id);
    for (const field of COMPARED) {
      if (!same(old[field], claim[field])) {
        lines.push(
          `claim ${claim.id}: ${field} was ${asJson(old[field])}, now ${asJson(claim[field])}`,
        );
      }
    }
  }
  for (const id of byId.keys()) {
    lines.push(`claim ${id}: in the recorded summary, no longer evaluated`);
  }
  return lines;
}
