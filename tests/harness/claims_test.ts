import assert from "node:assert/strict";
import { evaluateClaims } from "../../src/harness/claims.ts";
import type { ClaimConfig, ResultRow } from "../../src/config/types.ts";
import { UsageError } from "../../src/base/errors.ts";

type Metrics = Partial<Pick<ResultRow, "early_stop_iteration" | "test_accuracy_at_early_stop">>;

function row(
  trial: number,
  round: number,
  arm: string,
  metrics: Metrics,
  replicate = 0,
): ResultRow {
  const wr = Number(Math.pow(0.8, round).toFixed(6));
  return {
    trial,
    round,
    arm,
    replicate,
    width: 300,
    weights_remaining: wr,
    weights_remaining_per_layer: [wr, wr],
    early_stop_iteration: metrics.early_stop_iteration ?? 1000,
    test_accuracy_at_early_stop: metrics.test_accuracy_at_early_stop ?? 0.97,
    final_test_accuracy: 0.97,
    min_validation_loss: 0.1,
  };
}

/** Ticket early-stop iterations at round 0 (dense) and round 7 (0.8^7 = 0.2097) per trial. */
function earlyStopRows(sparse: number[], dense = 1000): ResultRow[] {
  return sparse.flatMap((it, trial) => [
    row(trial, 0, "ticket", { early_stop_iteration: dense }),
    row(trial, 7, "ticket", { early_stop_iteration: it }),
  ]);
}

const ratioClaim: ClaimConfig = {
  id: "faster",
  text: "Tickets at 21% weights remaining stop earlier than the dense network.",
  metric: "early_stop_iteration",
  select: { arm: "ticket", weights_remaining: 0.2097 },
  baseline: { arm: "ticket", weights_remaining: 1 },
  statistic: "ratio",
  op: "<",
  threshold: 1,
  paper: "about 0.6 (Frankle & Carbin 2019, Fig. 3)",
};

Deno.test("ratio claim PASSes when every trial passes; measured is the mean ratio", () => {
  const [result] = evaluateClaims([ratioClaim], earlyStopRows([600, 700, 800]), "quick");
  assert.equal(result.verdict, "PASS");
  assert.deepEqual(result.per_trial, [0.6, 0.7, 0.8]);
  assert.ok(Math.abs(result.measured! - 0.7) < 1e-12);
  assert.equal(result.threshold, 1);
  assert.match(result.reason, /All 3 trials pass ratio < 1/);
});

Deno.test("ratio claim FAILs when every trial fails", () => {
  const [result] = evaluateClaims([ratioClaim], earlyStopRows([1100, 1200]), "quick");
  assert.equal(result.verdict, "FAIL");
  assert.match(result.reason, /All 2 trials fail ratio < 1/);
});

Deno.test("mixed trials are INCONCLUSIVE with a k of n count", () => {
  const [result] = evaluateClaims([ratioClaim], earlyStopRows([600, 1200, 700]), "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.match(result.reason, /2 of 3 trials pass/);
  assert.ok(Math.abs(result.measured! - 2.5 / 3) < 1e-12);
});

Deno.test("a missing weights-remaining level is INCONCLUSIVE and names the arm and level", () => {
  const claim = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.05 } };
  const [result] = evaluateClaims([claim], earlyStopRows([600, 700]), "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.equal(result.measured, null);
  assert.deepEqual(result.per_trial, [null, null]);
  assert.match(result.reason, /no row for arm ticket at weights remaining 0.05/i);
});

Deno.test("data missing in one trial is INCONCLUSIVE even if the others pass", () => {
  const rows = earlyStopRows([600, 700]).filter((r) => !(r.trial === 1 && r.round === 7));
  const [result] = evaluateClaims([ratioClaim], rows, "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.deepEqual(result.per_trial, [0.6, null]);
  assert.match(result.reason, /Data missing for trial 1/);
  assert.match(result.reason, /1 of 1 trials with data pass/);
});

Deno.test("the selector tolerance is 0.005 in weights remaining", () => {
  const near = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.2097 + 0.0049 } };
  const far = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.2097 + 0.0051 } };
  const [a, b] = evaluateClaims([near, far], earlyStopRows([600]), "quick");
  assert.equal(a.verdict, "PASS");
  assert.equal(b.verdict, "INCONCLUSIVE");
});

Deno.test("per-profile thresholds: the profile's entry is used, a missing one is INCONCLUSIVE", () => {
  const claim = { ...ratioClaim, threshold: { paper: 0.7, quick: 0.9 } };
  const rows = earlyStopRows([800, 850]);
  const [quick] = evaluateClaims([claim], rows, "quick");
  const [paper] = evaluateClaims([claim], rows, "paper");
  const [smoke] = evaluateClaims([claim], rows, "smoke");
  assert.equal(quick.verdict, "PASS");
  assert.equal(quick.threshold, 0.9);
  assert.equal(paper.verdict, "FAIL");
  assert.equal(smoke.verdict, "INCONCLUSIVE");
  assert.ok(Number.isNaN(smoke.threshold));
  assert.match(smoke.reason, /No threshold for profile "smoke"/);
  assert.deepEqual(smoke.per_trial, [0.8, 0.85]);
});

Deno.test("difference of accuracies, with control replicates averaged within a trial", () => {
  const claim: ClaimConfig = {
    id: "beats-reinit",
    text: "Tickets beat random reinitialisation at 21% weights remaining.",
    metric: "test_accuracy_at_early_stop",
    select: { arm: "ticket", weights_remaining: 0.2097 },
    baseline: { arm: "random-reinit", weights_remaining: 0.2097 },
    statistic: "difference",
    op: ">",
    threshold: 0.01,
    paper: "+2 pp",
  };
  const rows = [0, 1].flatMap((trial) => [
    row(trial, 7, "ticket", { test_accuracy_at_early_stop: 0.98 }),
    // Replicates 0.95 and 0.96 average to 0.955: difference 0.025 > 0.01.
    row(trial, 7, "random-reinit", { test_accuracy_at_early_stop: 0.95 }, 0),
    row(trial, 7, "random-reinit", { test_accuracy_at_early_stop: 0.96 }, 1),
    // Another level of the same arm must not be averaged in.
    row(trial, 6, "random-reinit", { test_accuracy_at_early_stop: 0.5 }),
  ]);
  const [result] = evaluateClaims([claim], rows, "paper");
  assert.equal(result.verdict, "PASS");
  for (const value of result.per_trial) assert.ok(Math.abs(value! - 0.025) < 1e-12);
  assert.match(result.reason, /difference > 1 pp/);
});

Deno.test("value statistic compares the metric itself; a zero ratio baseline is missing data", () => {
  const value: ClaimConfig = {
    ...ratioClaim,
    id: "acc",
    metric: "test_accuracy_at_early_stop",
    statistic: "value",
    baseline: undefined,
    op: ">=",
    threshold: 0.97,
  };
  const rows = [0, 1].map((trial) =>
    row(trial, 7, "ticket", { test_accuracy_at_early_stop: 0.975 })
  );
  assert.equal(evaluateClaims([value], rows, "quick")[0].verdict, "PASS");

  const [zero] = evaluateClaims([ratioClaim], earlyStopRows([600, 700], 0), "quick");
  assert.equal(zero.verdict, "INCONCLUSIVE");
  assert.match(zero.reason, /ratio is undefined/);
});

Deno.test("no rows at all is INCONCLUSIVE; a ratio without baseline is a usage error", () => {
  assert.equal(evaluateClaims([ratioClaim], [], "quick")[0].verdict, "INCONCLUSIVE");
  assert.throws(
    () => evaluateClaims([{ ...ratioClaim, baseline: undefined }], [], "quick"),
    UsageError,
  );
});

/** A width x weights-remaining sweep: accuracy[width][level] per trial (levels 0.1, 0.3, 0.5). */
function sweepRows(accuracy: Record<number, number[]>[], arm = "signed-constant"): ResultRow[] {
  const levels = [0.1, 0.3, 0.5];
  return accuracy.flatMap((byWidth, trial) =>
    Object.entries(byWidth).flatMap(([width, values]) =>
      values.map((acc, level) => ({
        ...row(trial, level, arm, { test_accuracy_at_early_stop: acc }),
        width: Number(width),
        weights_remaining: levels[level],
        weights_remaining_per_layer: [levels[level], levels[level]],
      }))
    )
  );
}

const argmaxClaim: ClaimConfig = {
  id: "best-k",
  text: "The best weights remaining lies in [30%, 50%].",
  metric: "test_accuracy_at_early_stop",
  select: { arm: "signed-constant", width: 100, weights_remaining: [0.1, 0.3, 0.5] },
  statistic: "argmax",
  op: "in",
  threshold: [0.3, 0.5],
  paper: "30-70% (Ramanujan et al. 2020)",
};

Deno.test("argmax along weights remaining with the op in", () => {
  const rows = sweepRows([{ 100: [0.8, 0.9, 0.85] }, { 100: [0.8, 0.85, 0.9] }]);
  const [pass] = evaluateClaims([argmaxClaim], rows, "quick");
  assert.deepEqual(pass.per_trial, [0.3, 0.5]);
  assert.equal(pass.verdict, "PASS");
  assert.match(pass.reason, /argmax weights_remaining in \[30%, 50%\]/);
  const low = sweepRows([{ 100: [0.95, 0.9, 0.85] }, { 100: [0.95, 0.85, 0.9] }]);
  assert.equal(evaluateClaims([argmaxClaim], low, "quick")[0].verdict, "FAIL");
  // Ties go to the first listed axis value.
  const tied = sweepRows([{ 100: [0.9, 0.9, 0.8] }]);
  assert.deepEqual(evaluateClaims([argmaxClaim], tied, "quick")[0].per_trial, [0.1]);
});

Deno.test("max and min_step along width; a missing axis point leaves the trial without data", () => {
  const rows = sweepRows([{
    100: [0.8, 0.9, 0.91],
    300: [0.8, 0.9, 0.93],
    1000: [0.8, 0.9, 0.94],
  }]);
  const rises: ClaimConfig = {
    ...argmaxClaim,
    id: "rises",
    select: { arm: "signed-constant", width: [100, 300, 1000], weights_remaining: 0.5 },
    statistic: "min_step",
    op: ">",
    threshold: 0,
  };
  const [step] = evaluateClaims([rises], rows, "quick");
  assert.ok(Math.abs(step.measured! - 0.01) < 1e-12, String(step.measured));
  assert.equal(step.verdict, "PASS");
  const max = {
    ...rises,
    id: "max",
    statistic: "max" as const,
    op: ">=" as const,
    threshold: 0.94,
  };
  assert.equal(evaluateClaims([max], rows, "quick")[0].measured, 0.94);
  const falls = sweepRows([{
    100: [0.8, 0.9, 0.91],
    300: [0.8, 0.9, 0.89],
    1000: [0.8, 0.9, 0.94],
  }]);
  assert.equal(evaluateClaims([rises], falls, "quick")[0].verdict, "FAIL");
  const gap = sweepRows([{ 100: [0.8, 0.9, 0.91], 1000: [0.8, 0.9, 0.94] }]);
  const [missing] = evaluateClaims([rises], gap, "quick");
  assert.equal(missing.verdict, "INCONCLUSIVE");
  assert.match(missing.reason, /No row for arm signed-constant width 300 at weights remaining 0.5/);
});

Deno.test("a selector without width is ambiguous when the arm has several widths", () => {
  const rows = sweepRows([{ 100: [0.8, 0.9, 0.91], 300: [0.8, 0.9, 0.93] }]);
  const claim: ClaimConfig = {
    ...argmaxClaim,
    select: { arm: "signed-constant", weights_remaining: 0.5 },
    statistic: "value",
    op: ">",
    threshold: 0.5,
  };
  const [result] = evaluateClaims([claim], rows, "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.match(result.reason, /has widths 100, 300; add width to the selector/);
});

Deno.test("one trial reads as 1 trial, not as all 1 trials", () => {
  const [pass] = evaluateClaims([ratioClaim], earlyStopRows([600]), "quick");
  assert.equal(pass.verdict, "PASS");
  assert.match(pass.reason, /^1 trial passes ratio < 1 \(mean 0\.600\)\.$/);
  const [fail] = evaluateClaims([ratioClaim], earlyStopRows([1200]), "quick");
  assert.match(fail.reason, /^1 trial fails ratio < 1/);
  const far = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.05 } };
  const [missing] = evaluateClaims([far], earlyStopRows([600]), "quick");
  assert.match(missing.reason, /\(in 1 trial\)\.$/);
  for (const result of [pass, fail, missing]) assert.doesNotMatch(result.reason, /all 1 trials/i);
});
