import assert from "node:assert/strict";
import { evaluateClaims } from "../../src/harness/claims.ts";
import { verdictLine, verdictLines } from "../../src/harness/verdict_lines.ts";
import type { ClaimConfig, ResultRow } from "../../src/config/types.ts";

function row(level: number, arm: string, accuracy: number, earlyStop: number): ResultRow {
  const wr = level === 0 ? 1 : 0.2107;
  return {
    trial: 1,
    level,
    arm,
    replicate: 0,
    width: 300,
    weights_remaining: wr,
    weights_remaining_per_layer: [wr],
    early_stop_iteration: earlyStop,
    early_stop_censored: false,
    test_accuracy_at_early_stop: accuracy,
    final_test_accuracy: accuracy,
    min_validation_loss: 0.1,
  };
}

// Accuracies whose difference is 0.0022999999999999687 in binary floating point.
const rows = [row(0, "ticket", 0.9789, 3000), row(7, "ticket", 0.9812, 2800)];

const claims: ClaimConfig[] = [
  {
    id: "b-accuracy-gain",
    text: "gain",
    metric: "test_accuracy_at_early_stop",
    select: { arm: "ticket", weights_remaining: 0.2107 },
    baseline: { arm: "ticket", weights_remaining: 1 },
    statistic: "difference",
    op: ">=",
    threshold: 0,
    paper: "+0.3 points",
  },
  {
    id: "a-earlier-stop",
    text: "earlier",
    metric: "early_stop_iteration",
    select: { arm: "ticket", weights_remaining: 0.2107 },
    baseline: { arm: "ticket", weights_remaining: 1 },
    statistic: "ratio",
    op: "<",
    threshold: 1,
    paper: "ratio 0.62",
  },
  {
    id: "accuracy",
    text: "accuracy",
    metric: "test_accuracy_at_early_stop",
    select: { arm: "ticket", weights_remaining: 0.2107 },
    statistic: "value",
    op: ">=",
    threshold: 0.97,
    paper: "98%",
  },
  {
    id: "c-missing",
    text: "missing",
    metric: "test_accuracy_at_early_stop",
    select: { arm: "ticket", weights_remaining: 0.0358 },
    statistic: "value",
    op: ">=",
    threshold: 0.97,
    paper: "98%",
  },
];

Deno.test("verdict lines are in the report's units, with the threshold and the paper's value", () => {
  const results = evaluateClaims(claims, rows, "quick", { singleSeed: true });
  const lines = results.map((result, i) => verdictLine(result, claims[i]));
  assert.equal(
    lines[0],
    "PASS          b-accuracy-gain: +0.23 pp (one seed); pass if difference >= 0 pp; paper: +0.3 points",
  );
  assert.equal(
    lines[1],
    "PASS          a-earlier-stop: 0.933 (one seed); pass if ratio < 1; paper: ratio 0.62",
  );
  assert.equal(
    lines[2],
    "PASS          accuracy: 98.12% (one seed); pass if test_accuracy_at_early_stop >= 97%; paper: 98%",
  );
  assert.equal(
    lines[3],
    "INCONCLUSIVE  c-missing: not measured: no row for arm ticket at weights remaining 0.0358 " +
      "(in 1 trial); pass if test_accuracy_at_early_stop >= 97%; paper: 98%",
  );
  for (const line of lines) assert.doesNotMatch(line, /\d\.\d{5,}/, `unrounded: ${line}`);
});

Deno.test("a smoke run says first that it is a pipeline check; the report's path comes last", () => {
  const results = evaluateClaims(claims, rows, "smoke");
  const smoke = verdictLines("smoke", results, claims, "/r/report.md");
  assert.match(smoke[0], /^smoke profile: a pipeline check.*not evaluated at smoke size/);
  assert.equal(smoke.length, claims.length + 2);
  assert.equal(smoke.at(-1), "report: /r/report.md");
  const quick = verdictLines("quick", evaluateClaims(claims, rows, "quick"), claims, "/r/x.md");
  assert.ok(!quick.some((line) => line.includes("pipeline check")));
  assert.equal(quick.length, claims.length + 1);
});

Deno.test("with several trials the line gives n and the 95% CI in the claim's units", () => {
  const three = [1, 2, 3].flatMap((trial) => [
    { ...rows[0], trial },
    { ...rows[1], trial, test_accuracy_at_early_stop: 0.9812 + 0.001 * (trial - 2) },
  ]);
  const [result] = evaluateClaims([claims[0]], three, "quick");
  assert.equal(
    verdictLine(result, claims[0]),
    "INCONCLUSIVE  b-accuracy-gain: +0.23 pp (n 3, 95% CI [-0.02 pp, +0.48 pp]); pass if difference >= 0 pp; paper: +0.3 points",
  );
});
