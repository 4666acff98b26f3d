import assert from "node:assert/strict";
import { evaluateClaims, formatThreshold } from "../../src/harness/claims.ts";
import type { ClaimConfig, ResultRow } from "../../src/config/types.ts";
import { UsageError } from "../../src/base/errors.ts";
import { impRemaining, makeRow } from "../fixtures/rows.ts";

type Metrics = Partial<Pick<ResultRow, "early_stop_iteration" | "test_accuracy_at_early_stop">>;

function row(
  trial: number,
  level: number,
  arm: string,
  metrics: Metrics,
  replicate = 0,
): ResultRow {
  return makeRow({ trial, level, arm, replicate }, {
    weights_remaining: impRemaining(level, 6),
    ...metrics,
  });
}

/** Ticket early-stop iterations at level 0 (dense) and level 7 (0.8^7 = 0.2097) per trial. */
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

Deno.test("ratio claim PASSes when its 95% CI lies below the threshold; measured is the mean", () => {
  const [result] = evaluateClaims([ratioClaim], earlyStopRows([600, 700, 800]), "quick");
  assert.equal(result.verdict, "PASS");
  assert.deepEqual(result.per_trial, [0.6, 0.7, 0.8]);
  assert.ok(Math.abs(result.measured! - 0.7) < 1e-12);
  assert.equal(result.threshold, 1);
  assert.equal(result.n, 3);
  // sd 0.1; half width t(0.975, 2) * 0.1 / sqrt(3) = 4.3027 * 0.057735 = 0.2484.
  assert.ok(Math.abs(result.sd! - 0.1) < 1e-12);
  assert.ok(Math.abs(result.ci![0] - 0.4516) < 1e-4 && Math.abs(result.ci![1] - 0.9484) < 1e-4);
  assert.equal(result.method, "Student t, 95%, two-sided");
  assert.match(result.reason, /The 95% CI \[0\.452, 0\.948\] passes ratio < 1/);
});

Deno.test("ratio claim FAILs when its 95% CI lies wholly on the other side", () => {
  const [result] = evaluateClaims([ratioClaim], earlyStopRows([1100, 1200, 1150]), "quick");
  assert.equal(result.verdict, "FAIL");
  assert.match(result.reason, /The 95% CI \[1\.026, 1\.274\] fails ratio < 1/);
});

Deno.test("a CI that straddles the threshold is INCONCLUSIVE, even when the mean passes", () => {
  const [result] = evaluateClaims([ratioClaim], earlyStopRows([600, 1200, 700]), "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.ok(Math.abs(result.measured! - 2.5 / 3) < 1e-12);
  assert.match(result.reason, /straddles ratio < 1/);
  // Two trials that both pass still straddle: t(0.975, 1) = 12.706 makes the interval wide.
  const [two] = evaluateClaims([ratioClaim], earlyStopRows([800, 900]), "quick");
  assert.equal(two.verdict, "INCONCLUSIVE");
  assert.match(two.reason, /straddles/);
});

Deno.test("one trial has no interval: INCONCLUSIVE, unless the profile is single_seed", () => {
  const rows = earlyStopRows([600]);
  const [plain] = evaluateClaims([ratioClaim], rows, "quick");
  assert.equal(plain.verdict, "INCONCLUSIVE");
  assert.equal(plain.ci, null);
  assert.match(plain.reason, /One trial \(mean 0\.600\) gives no confidence interval/);
  const [single] = evaluateClaims([ratioClaim], rows, "quick", { singleSeed: true });
  assert.equal(single.verdict, "PASS");
  assert.equal(single.method, "one seed");
  assert.match(single.reason, /The one trial \(0\.600\) passes ratio < 1/);
  // single_seed does not rescue a claim whose one trial fails.
  const [fails] = evaluateClaims([ratioClaim], earlyStopRows([1100]), "quick", {
    singleSeed: true,
  });
  assert.equal(fails.verdict, "FAIL");
});

Deno.test("a margin: clearing the threshold but not threshold + margin is INCONCLUSIVE", () => {
  const claim: ClaimConfig = {
    ...ratioClaim,
    id: "gain",
    metric: "test_accuracy_at_early_stop",
    statistic: "difference",
    op: ">",
    threshold: 0,
    margin: 0.002,
  };
  const rows = (gains: number[]) =>
    gains.flatMap((gain, trial) => [
      row(trial, 0, "ticket", { test_accuracy_at_early_stop: 0.98 }),
      row(trial, 7, "ticket", { test_accuracy_at_early_stop: 0.98 + gain }),
    ]);
  // +0.1 pp in every trial: above 0, not above the 0.2 pp margin.
  const [small] = evaluateClaims([claim], rows([0.001, 0.001, 0.001]), "quick");
  assert.equal(small.verdict, "INCONCLUSIVE");
  assert.equal(small.margin, 0.002);
  assert.match(small.reason, /passes difference > 0 pp but not by the margin 0\.2 pp/);
  const [large] = evaluateClaims([claim], rows([0.005, 0.005, 0.005]), "quick");
  assert.equal(large.verdict, "PASS");
  assert.match(large.reason, /with margin 0\.2 pp/);
  // Below the bare threshold is a FAIL, margin or not.
  const [worse] = evaluateClaims([claim], rows([-0.003, -0.003, -0.003]), "quick");
  assert.equal(worse.verdict, "FAIL");
});

Deno.test("an early-stop claim on a censored early stop is INCONCLUSIVE with the reason", () => {
  const rows = earlyStopRows([600, 700, 800]).map((r) =>
    r.level === 0 ? { ...r, early_stop_censored: true } : r
  );
  const [result] = evaluateClaims([ratioClaim], rows, "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.match(
    result.reason,
    /The early stop of arm ticket at weights remaining 1 is censored \(at the last evaluation/,
  );
  // Censoring concerns early-stop iterations only: an accuracy claim reads the row as usual.
  const accuracy: ClaimConfig = {
    ...ratioClaim,
    metric: "test_accuracy_at_early_stop",
    statistic: "value",
    baseline: undefined,
    op: ">",
    threshold: 0.5,
  };
  assert.equal(evaluateClaims([accuracy], rows, "quick")[0].verdict, "PASS");
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
  const rows = earlyStopRows([600, 700]).filter((r) => !(r.trial === 1 && r.level === 7));
  const [result] = evaluateClaims([ratioClaim], rows, "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.deepEqual(result.per_trial, [0.6, null]);
  assert.match(result.reason, /Data missing for trial 1: no row for arm ticket/);
});

Deno.test("the selector tolerance is 0.005 in weights remaining", () => {
  const near = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.2097 + 0.0049 } };
  const far = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.2097 + 0.0051 } };
  const [a, b] = evaluateClaims([near, far], earlyStopRows([600]), "quick", { singleSeed: true });
  assert.equal(a.verdict, "PASS");
  assert.equal(b.verdict, "INCONCLUSIVE");
});

Deno.test("per-profile thresholds: the profile's entry is used, a missing one is INCONCLUSIVE", () => {
  const claim = { ...ratioClaim, threshold: { paper: 0.7, quick: 0.9 } };
  const rows = earlyStopRows([800, 850, 820]);
  const [quick] = evaluateClaims([claim], rows, "quick");
  const [paper] = evaluateClaims([claim], rows, "paper");
  const [smoke] = evaluateClaims([claim], rows, "smoke");
  assert.equal(quick.verdict, "PASS");
  assert.equal(quick.threshold, 0.9);
  assert.equal(paper.verdict, "FAIL");
  assert.equal(smoke.verdict, "INCONCLUSIVE");
  assert.ok(Number.isNaN(smoke.threshold));
  assert.match(smoke.reason, /No threshold for profile "smoke"/);
  assert.deepEqual(smoke.per_trial, [0.8, 0.85, 0.82]);
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
      values.map((acc, level) =>
        makeRow({ trial, level, arm, width: Number(width) }, {
          weights_remaining: levels[level],
          test_accuracy_at_early_stop: acc,
        })
      )
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
  const rows = sweepRows([
    { 100: [0.8, 0.9, 0.85] },
    { 100: [0.8, 0.88, 0.86] },
    { 100: [0.8, 0.91, 0.9] },
  ]);
  const [pass] = evaluateClaims([argmaxClaim], rows, "quick");
  assert.deepEqual(pass.per_trial, [0.3, 0.3, 0.3]);
  assert.equal(pass.verdict, "PASS");
  assert.match(pass.reason, /argmax weights_remaining in \[30%, 50%\]/);
  const low = sweepRows([{ 100: [0.95, 0.9, 0.85] }, { 100: [0.95, 0.85, 0.9] }]);
  assert.equal(evaluateClaims([argmaxClaim], low, "quick")[0].verdict, "FAIL");
  // Trials whose best levels disagree give a wide interval: INCONCLUSIVE.
  const split = sweepRows([{ 100: [0.8, 0.9, 0.85] }, { 100: [0.8, 0.85, 0.9] }]);
  const [wide] = evaluateClaims([argmaxClaim], split, "quick");
  assert.deepEqual(wide.per_trial, [0.3, 0.5]);
  assert.equal(wide.verdict, "INCONCLUSIVE");
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
  const single = { singleSeed: true };
  const [step] = evaluateClaims([rises], rows, "quick", single);
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
  assert.equal(evaluateClaims([rises], falls, "quick", single)[0].verdict, "FAIL");
  const gap = sweepRows([{ 100: [0.8, 0.9, 0.91], 1000: [0.8, 0.9, 0.94] }]);
  const [missing] = evaluateClaims([rises], gap, "quick");
  assert.equal(missing.verdict, "INCONCLUSIVE");
  assert.match(missing.reason, /No row for arm signed-constant width 300 at weights remaining 0.5/);
});

Deno.test("min_step_difference: the gap to a baseline paired along width shrinks at every step", () => {
  // Per trial: the subnetwork's gap to dense is -3, -2, -0.5 points at widths 100, 300, 1000.
  const subnetwork = sweepRows([
    { 100: [0, 0, 0.9], 300: [0, 0, 0.92], 1000: [0, 0, 0.94] },
    { 100: [0, 0, 0.91], 300: [0, 0, 0.93], 1000: [0, 0, 0.945] },
  ]);
  const dense = sweepRows([
    { 100: [0, 0, 0.93], 300: [0, 0, 0.94], 1000: [0, 0, 0.945] },
    { 100: [0, 0, 0.94], 300: [0, 0, 0.95], 1000: [0, 0, 0.95] },
  ], "dense");
  const shrinks: ClaimConfig = {
    ...argmaxClaim,
    id: "gap-shrinks",
    select: { arm: "signed-constant", width: [100, 300, 1000], weights_remaining: 0.5 },
    baseline: { arm: "dense", width: [100, 300, 1000], weights_remaining: 0.5 },
    statistic: "min_step_difference",
    op: ">",
    threshold: 0,
  };
  const [result] = evaluateClaims([shrinks], [...subnetwork, ...dense], "quick");
  // Trial 1: gaps -0.03, -0.02, -0.005: steps 0.01, 0.015. Trial 2: -0.03, -0.02, -0.005.
  assert.equal(result.per_trial!.length, 2);
  for (const value of result.per_trial!) assert.ok(Math.abs(value! - 0.01) < 1e-9, String(value));
  assert.equal(result.verdict, "PASS");
  assert.match(
    formatThreshold(shrinks, 0),
    /^min step of the test_accuracy_at_early_stop difference over width > 0 pp$/,
  );
  // A gap that widens at one step fails.
  const widens = sweepRows([
    { 100: [0, 0, 0.9], 300: [0, 0, 0.89], 1000: [0, 0, 0.94] },
    { 100: [0, 0, 0.91], 300: [0, 0, 0.9], 1000: [0, 0, 0.945] },
  ]);
  assert.equal(evaluateClaims([shrinks], [...widens, ...dense], "quick")[0].verdict, "FAIL");
  // The same width order whatever order the lists give (paired by position).
  const reversed: ClaimConfig = {
    ...shrinks,
    select: { ...shrinks.select, width: [1000, 300, 100] },
    baseline: { ...shrinks.baseline!, width: [1000, 300, 100] },
  };
  assert.deepEqual(
    evaluateClaims([reversed], [...subnetwork, ...dense], "quick")[0].per_trial,
    result.per_trial,
  );
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

Deno.test("max_difference: the best of select minus the best of baseline, each over its axis", () => {
  const rows = [
    ...sweepRows([{ 100: [0.8, 0.9, 0.85] }, { 100: [0.82, 0.88, 0.86] }, {
      100: [0.8, 0.91, 0.9],
    }]),
    ...sweepRows(
      [{ 100: [0.3, 0.2, 0.1] }, { 100: [0.25, 0.2, 0.1] }, { 100: [0.3, 0.35, 0.1] }],
      "random-signs",
    ),
  ];
  const claim: ClaimConfig = {
    ...argmaxClaim,
    id: "signs-matter",
    select: { arm: "random-signs", width: 100, weights_remaining: [0.1, 0.3, 0.5] },
    baseline: { arm: "signed-constant", width: 100, weights_remaining: [0.1, 0.3, 0.5] },
    statistic: "max_difference",
    op: "<=",
    threshold: -0.3,
  };
  const [result] = evaluateClaims([claim], rows, "quick");
  const expected = [0.3 - 0.9, 0.25 - 0.88, 0.35 - 0.91];
  result.per_trial.forEach((v, i) => assert.ok(Math.abs(v! - expected[i]) < 1e-12));
  assert.equal(result.verdict, "PASS");
  assert.match(
    result.reason,
    /max test_accuracy_at_early_stop difference over weights_remaining <= -30 pp/,
  );
});

Deno.test("one trial reads as 1 trial, not as all 1 trials", () => {
  const single = { singleSeed: true };
  const [pass] = evaluateClaims([ratioClaim], earlyStopRows([600]), "quick", single);
  assert.equal(pass.verdict, "PASS");
  assert.match(pass.reason, /^The one trial \(0\.600\) passes ratio < 1\.$/);
  const [fail] = evaluateClaims([ratioClaim], earlyStopRows([1200]), "quick", single);
  assert.match(fail.reason, /^The one trial \(1\.200\) fails ratio < 1/);
  const far = { ...ratioClaim, select: { arm: "ticket", weights_remaining: 0.05 } };
  const [missing] = evaluateClaims([far], earlyStopRows([600]), "quick");
  assert.match(missing.reason, /\(in 1 trial\)\.$/);
  for (const result of [pass, fail, missing]) assert.doesNotMatch(result.reason, /all 1 trials/i);
});

/** Kappa rows of one level (7) for three trials: per arm, the kappa of each trial. */
function kappaRows(byArm: Record<string, (number | undefined)[]>): ResultRow[] {
  return Object.entries(byArm).flatMap(([arm, values]) =>
    values.map((kappa, trial) =>
      makeRow({ trial, level: 7, arm }, {
        weights_remaining: impRemaining(7, 6),
        ...(kappa === undefined ? {} : { kappa }),
      })
    )
  );
}

const conjectureClaim: ClaimConfig = {
  id: "supported",
  text: "The best mask found without training overlaps the ticket at least 0.7 of the ceiling.",
  metric: "kappa",
  select: { arm: ["snip", "edge-popup"], weights_remaining: 0.2097 },
  baseline: { arm: "ticket-b", weights_remaining: 0.2097 },
  statistic: "max_ratio",
  op: ">=",
  threshold: 0.7,
  paper: "no published number",
};

Deno.test("max_ratio along a list of arms: per trial, the best arm's metric over the baseline's", () => {
  const rows = kappaRows({
    "snip": [0.1, 0.45, 0.2],
    "edge-popup": [0.4, 0.3, 0.42],
    "ticket-b": [0.5, 0.5, 0.6],
  });
  const [result] = evaluateClaims([conjectureClaim], rows, "quick");
  // Trial 0: max(0.1, 0.4) / 0.5 = 0.8; trial 1: 0.45 / 0.5 = 0.9; trial 2: 0.42 / 0.6 = 0.7.
  assert.deepEqual(result.per_trial.map((v) => Number(v!.toFixed(12))), [0.8, 0.9, 0.7]);
  assert.ok(Math.abs(result.measured! - 0.8) < 1e-12);
  // sd 0.1, half width 0.2484: [0.5516, 1.0484] straddles 0.7.
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.match(result.reason, /straddles max kappa ratio over arm >= 0\.7/);
});

Deno.test("max_ratio PASSes and FAILs on the side its CI lies", () => {
  const high = kappaRows({
    "snip": [0.49, 0.5, 0.51],
    "edge-popup": [0.1, 0.1, 0.1],
    "ticket-b": [0.5, 0.5, 0.5],
  });
  assert.equal(evaluateClaims([conjectureClaim], high, "quick")[0].verdict, "PASS");
  const low = kappaRows({
    "snip": [0.05, 0.06, 0.07],
    "edge-popup": [0.1, 0.11, 0.09],
    "ticket-b": [0.5, 0.5, 0.5],
  });
  const [result] = evaluateClaims([conjectureClaim], low, "quick");
  assert.equal(result.verdict, "FAIL");
  assert.equal(result.measured!.toFixed(3), "0.200");
});

Deno.test("a kappa claim on rows without kappa is INCONCLUSIVE, naming the metric", () => {
  const rows = kappaRows({
    "snip": [0.5, 0.5, 0.5],
    "edge-popup": [undefined, undefined, undefined],
    "ticket-b": [0.5, 0.5, 0.5],
  });
  const [result] = evaluateClaims([conjectureClaim], rows, "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.match(
    result.reason,
    /Kappa of arm edge-popup at weights remaining 0\.2097 is not recorded/,
  );
});

Deno.test("max_difference with a single-valued baseline compares the best arm with that value", () => {
  const rows = [0, 1, 2].flatMap((trial) => [
    row(trial, 7, "ticket", { test_accuracy_at_early_stop: 0.98 }),
    row(trial, 7, "snip", { test_accuracy_at_early_stop: 0.96 + 0.001 * trial }),
    row(trial, 7, "synflow", { test_accuracy_at_early_stop: 0.97 }),
  ]);
  const claim: ClaimConfig = {
    id: "imp-beats-at-init",
    text: "The ticket beats every at-init mask.",
    metric: "test_accuracy_at_early_stop",
    select: { arm: ["snip", "synflow"], weights_remaining: 0.2097 },
    baseline: { arm: "ticket", weights_remaining: 0.2097 },
    statistic: "max_difference",
    op: "<",
    threshold: 0,
    paper: "below IMP",
  };
  const [result] = evaluateClaims([claim], rows, "quick");
  assert.deepEqual(result.per_trial.map((v) => Number(v!.toFixed(12))), [-0.01, -0.01, -0.01]);
  assert.equal(result.verdict, "PASS");
});

Deno.test("a selector's dataset picks that data set's rows; a baseline may read another", () => {
  const rows = [0, 1, 2].flatMap((trial) => [
    makeRow({ dataset: "mnist", trial, level: 0, arm: "ticket" }, {
      weights_remaining: 1,
      test_accuracy_at_early_stop: 0.98,
    }),
    makeRow({ dataset: "fashion-mnist", trial, level: 0, arm: "ticket" }, {
      weights_remaining: 1,
      test_accuracy_at_early_stop: 0.89 + trial / 1000,
    }),
  ]);
  const claim: ClaimConfig = {
    id: "harder",
    text: "Dense Fashion-MNIST is less accurate than dense MNIST.",
    metric: "test_accuracy_at_early_stop",
    select: { arm: "ticket", weights_remaining: 1, dataset: "fashion-mnist" },
    baseline: { arm: "ticket", weights_remaining: 1, dataset: "mnist" },
    statistic: "difference",
    op: "<",
    threshold: 0,
    paper: "test",
  };
  const [result] = evaluateClaims([claim], rows, "quick");
  assert.equal(result.verdict, "PASS");
  result.per_trial.forEach((v, trial) =>
    assert.ok(Math.abs(v! - (0.89 + trial / 1000 - 0.98)) < 1e-12)
  );
  const [absent] = evaluateClaims(
    [{
      ...claim,
      select: { ...claim.select, weights_remaining: 0.5 },
    }],
    rows,
    "quick",
  );
  assert.match(
    absent.reason,
    /^No row for arm ticket on fashion-mnist at weights remaining 0\.5 \(in all 3 trials\)\.$/,
  );
  const [unnamed] = evaluateClaims(
    [{
      ...claim,
      statistic: "value",
      baseline: undefined,
      select: {
        arm: "ticket",
        weights_remaining: 1,
      },
    }],
    rows,
    "quick",
  );
  assert.match(unnamed.reason, /rows are of data sets fashion-mnist, mnist; add dataset/);
});

Deno.test("a level selector reads the arm's row at that level, whatever its weights remaining", () => {
  // An elastic ticket's kept fraction is an outcome: 0.1031 is not within 0.005 of 0.8^10.
  const rows = [1, 2, 3].flatMap((trial) => [
    makeRow({ trial, level: 10, arm: "ett", replicate: 0 }, {
      weights_remaining: 0.1031,
      final_test_accuracy: 0.90 + trial / 100,
    }),
    makeRow({ trial, level: 10, arm: "imp", replicate: 0 }, {
      weights_remaining: impRemaining(10, 6),
      final_test_accuracy: 0.905 + trial / 100,
    }),
    makeRow({ trial, level: 13, arm: "ett", replicate: 0 }, {
      weights_remaining: 0.0521,
      final_test_accuracy: 0.5,
    }),
  ]);
  const claim: ClaimConfig = {
    id: "near",
    text: "The transformed ticket is within 1 point of the target's.",
    metric: "final_test_accuracy",
    select: { arm: "ett", level: 10 },
    baseline: { arm: "imp", level: 10 },
    statistic: "difference",
    op: ">=",
    threshold: -0.01,
    paper: "0.96 points",
  };
  const [result] = evaluateClaims([claim], rows, "quick");
  assert.deepEqual(result.per_trial.map((d) => Math.round(d! * 1e6) / 1e6), [
    -0.005,
    -0.005,
    -0.005,
  ]);
  assert.equal(result.verdict, "PASS");
  const [missing] = evaluateClaims(
    [{ ...claim, select: { arm: "ett", level: 11 } }],
    rows,
    "quick",
  );
  assert.match(missing.reason, /no row for arm ett at level 11/i);
});
