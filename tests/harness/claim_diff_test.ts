import assert from "node:assert/strict";
import type { ClaimResult } from "../../src/config/types.ts";
import { claimDifferences } from "../../src/harness/claim_diff.ts";

const claim = (id: string, verdict: ClaimResult["verdict"], measured: number) =>
  ({
    id,
    text: "",
    statistic: "mean",
    op: ">=",
    threshold: 0.9,
    margin: 0,
    n: 2,
    measured,
    sd: null,
    ci: null,
    method: "one seed",
    per_trial: [],
    paper: "",
    verdict,
    reason: "",
  }) as unknown as ClaimResult;

Deno.test("claimDifferences: none for equal claims read back through JSON", () => {
  const now = [claim("a", "PASS", 0.1 + 0.2)];
  assert.deepEqual(claimDifferences(JSON.parse(JSON.stringify(now)), now), []);
});

Deno.test("claimDifferences names each changed field, added and dropped claims", () => {
  const recorded = [claim("a", "PASS", 0.95), claim("gone", "PASS", 1)];
  const current = [claim("a", "FAIL", 0.85), claim("new", "PASS", 1)];
  assert.deepEqual(claimDifferences(recorded, current), [
    'claim a: verdict was "PASS", now "FAIL"',
    "claim a: measured was 0.95, now 0.85",
    "claim new: not in the recorded summary, now PASS",
    "claim gone: in the recorded summary, no longer evaluated",
  ]);
});

Deno.test("claimDifferences: numbers within results.csv's precision agree, beyond it differ", () => {
  const recorded = [{ ...claim("a", "PASS", 0.3085847808), ci: [0.1000004, 0.5] }] as ClaimResult[];
  const rounded = [{ ...claim("a", "PASS", 0.308585), ci: [0.1, 0.5] }] as ClaimResult[];
  assert.deepEqual(claimDifferences(recorded, rounded), []);
  const moved = [{ ...claim("a", "PASS", 0.30862), ci: [0.1, 0.5] }] as ClaimResult[];
  assert.deepEqual(claimDifferences(recorded, moved), [
    "claim a: measured was 0.3085847808, now 0.30862",
  ]);
});
