/**
 * The smallest matching ticket on rows whose answer is worked out by hand: the interpolation in
 * log(weights remaining), the censored case, one and three trials, replicates, the walk that
 * stops at the first level below, and a difference across data sets.
 */
import assert from "node:assert/strict";
import { evaluateClaims } from "../../src/harness/claims.ts";
import { smallestMatching } from "../../src/harness/smallest_matching.ts";
import type { ClaimConfig, ResultRow } from "../../src/config/types.ts";
import { makeRow } from "../fixtures/rows.ts";

/** Levels 0..3 at 100%, 50%, 25%, 12.5% weights remaining. */
const LEVELS = [1, 0.5, 0.25, 0.125];

/** One trial's ticket rows with these accuracies at LEVELS (as many as given). */
function curve(trial: number, accuracies: number[], dataset = "mnist"): ResultRow[] {
  return accuracies.map((accuracy, level) =>
    makeRow({ dataset, trial, level, arm: "ticket" }, {
      weights_remaining: LEVELS[level],
      test_accuracy_at_early_stop: accuracy,
    })
  );
}

const MATCHING = { accuracy: "test_accuracy_at_early_stop", tolerance: 0.003 } as const;

const valueClaim: ClaimConfig = {
  id: "smallest",
  text: "The smallest matching ticket keeps at most 40% of the weights.",
  metric: "smallest_matching",
  matching: MATCHING,
  select: { arm: "ticket" },
  statistic: "value",
  op: "<=",
  threshold: 0.4,
  paper: "test",
};

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

Deno.test("the crossing is interpolated linearly in log(weights remaining)", () => {
  // Dense 0.980, threshold 0.977. 50%: 0.979 matches; 25%: 0.975 falls below.
  // f = (0.979 - 0.977) / (0.979 - 0.975) = 0.5, so w* = 0.5^0.5 * 0.25^0.5 = sqrt(0.125).
  const value = smallestMatching(curve(1, [0.98, 0.979, 0.975, 0.96]), { arm: "ticket" }, {
    id: "x",
    matching: MATCHING,
  });
  near(value as number, Math.sqrt(0.125), "w*");
  // A quarter of the way: 0.978 at 50%, 0.974 at 25% -> f = 0.001 / 0.004 = 0.25,
  // w* = 0.5^0.75 * 0.25^0.25 = 2^-1.25.
  const quarter = smallestMatching(curve(1, [0.98, 0.978, 0.974]), { arm: "ticket" }, {
    id: "x",
    matching: MATCHING,
  });
  near(quarter as number, Math.pow(2, -1.25), "w* a quarter of the way");
});

Deno.test("the first pruned level below the threshold: between dense and it", () => {
  // 50% at 0.970 is 0.010 below dense: f = (0.980 - 0.977) / (0.980 - 0.970) = 0.3,
  // w* = 1^0.7 * 0.5^0.3 = 2^-0.3.
  const value = smallestMatching(curve(1, [0.98, 0.97, 0.98, 0.98]), { arm: "ticket" }, {
    id: "x",
    matching: MATCHING,
  });
  // The levels below 50% match again, but the walk stopped at the first that fell below.
  near(value as number, Math.pow(2, -0.3), "w*");
});

Deno.test("exactly at the threshold still matches: the next level is the crossing", () => {
  // 50% at exactly the threshold matches (tolerance 0.980 - 0.977); 25% at 0.970 falls below:
  // f = (0.977 - 0.977) / (0.977 - 0.970) = 0, so w* = 50%.
  const value = smallestMatching(curve(1, [0.98, 0.977, 0.97]), { arm: "ticket" }, {
    id: "x",
    matching: { accuracy: "test_accuracy_at_early_stop", tolerance: 0.98 - 0.977 },
  });
  near(value as number, 0.5, "w*");
});

Deno.test("no level falls below: censored at the smallest level, and the claim is INCONCLUSIVE", () => {
  const rows = curve(1, [0.98, 0.981, 0.979, 0.978]);
  const reason = smallestMatching(rows, { arm: "ticket" }, { id: "x", matching: MATCHING });
  assert.equal(
    reason,
    "the smallest matching level of arm ticket is censored: every level down to 12.50% weights " +
      "remaining is within 0.3 pp of the dense level, so the smallest matching ticket is at most " +
      "12.50% (prune further to measure it)",
  );
  const three = [...rows, ...curve(2, [0.98, 0.97, 0.96]), ...curve(3, [0.98, 0.97, 0.96])];
  const [result] = evaluateClaims([valueClaim], three, "quick");
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.equal(result.n, 2);
  assert.deepEqual(result.per_trial.map((v) => v === null), [true, false, false]);
  assert.match(result.reason, /^Data missing for trial 1: the smallest matching level .* censored/);
});

Deno.test("three trials: per-trial values, their mean and a t interval; units in percent", () => {
  // w* = 2^-0.3, 2^-1.25 and sqrt(0.125) = 2^-1.5 (the cases above).
  const rows = [
    ...curve(1, [0.98, 0.97]),
    ...curve(2, [0.98, 0.978, 0.974]),
    ...curve(3, [0.98, 0.979, 0.975]),
  ];
  const [result] = evaluateClaims([valueClaim], rows, "quick");
  const expected = [Math.pow(2, -0.3), Math.pow(2, -1.25), Math.pow(2, -1.5)];
  result.per_trial.forEach((v, i) => near(v!, expected[i], `trial ${i + 1}`));
  const mean = (expected[0] + expected[1] + expected[2]) / 3;
  near(result.measured!, mean, "mean");
  const sd = Math.sqrt(expected.reduce((s, v) => s + (v - mean) ** 2, 0) / 2);
  near(result.sd!, sd, "sd");
  // t(0.975, 2) = 4.302653 to 7 digits.
  const half = 4.302653 * sd / Math.sqrt(3);
  assert.ok(Math.abs(result.ci![0] - (mean - half)) < 1e-6);
  assert.ok(Math.abs(result.ci![1] - (mean + half)) < 1e-6);
  // 0.8123, 0.4204, 0.3536: mean 52.88%, sd 24.77%, half width 61.55%.
  assert.equal(result.verdict, "INCONCLUSIVE");
  assert.equal(result.reason, "The 95% CI [-8.68%, 114.43%] straddles smallest_matching <= 40%.");
});

Deno.test("one trial: a value but no interval, so INCONCLUSIVE unless single_seed", () => {
  const rows = curve(1, [0.98, 0.979, 0.975]);
  const [plain] = evaluateClaims([valueClaim], rows, "quick");
  assert.equal(plain.verdict, "INCONCLUSIVE");
  near(plain.measured!, Math.sqrt(0.125), "the one value");
  assert.equal(plain.ci, null);
  assert.match(plain.reason, /One trial \(mean 35\.36%\) gives no confidence interval/);
  const [single] = evaluateClaims([valueClaim], rows, "quick", { singleSeed: true });
  assert.equal(single.verdict, "PASS");
});

Deno.test("replicates of a level are averaged before the walk", () => {
  // Two replicates at 50%: 0.981 and 0.977, mean 0.979 -> the first case, w* = sqrt(0.125).
  const rows = curve(1, [0.98, 0.981, 0.975]);
  rows.push(makeRow({ trial: 1, level: 1, arm: "ticket", replicate: 1 }, {
    weights_remaining: 0.5,
    test_accuracy_at_early_stop: 0.977,
  }));
  const value = smallestMatching(rows, { arm: "ticket" }, { id: "x", matching: MATCHING });
  near(value as number, Math.sqrt(0.125), "w*");
});

Deno.test("no dense level, only the dense level, or no rows: a reason, not a value", () => {
  const pruned = curve(1, [0.98, 0.979, 0.975]).slice(1);
  assert.match(
    smallestMatching(pruned, { arm: "ticket" }, { id: "x", matching: MATCHING }) as string,
    /has no dense level \(weights remaining 1\) to match; the largest is 50\.00%/,
  );
  assert.match(
    smallestMatching(curve(1, [0.98]), { arm: "ticket" }, {
      id: "x",
      matching: MATCHING,
    }) as string,
    /needs a pruned level; only the dense level was found/,
  );
  assert.equal(
    smallestMatching(curve(1, [0.98, 0.9]), { arm: "random-mask" }, {
      id: "x",
      matching: MATCHING,
    }),
    "no row for arm random-mask",
  );
  assert.throws(
    () => smallestMatching(curve(1, [0.98, 0.9]), { arm: "ticket" }, { id: "x" }),
    /claim "x" uses the metric smallest_matching without matching/,
  );
});

Deno.test("Fashion minus MNIST: a paired difference of per-trial values across data sets", () => {
  // MNIST: w* = sqrt(0.125) in both trials. Fashion-MNIST, dense 0.900, threshold 0.897:
  // trial 1 falls to 0.890 at 50%, f = 0.003 / 0.010 = 0.3, w* = 2^-0.3; trial 2 has 0.898 at
  // 50% and 0.894 at 25%, f = 0.001 / 0.004 = 0.25, w* = 0.5^0.75 * 0.25^0.25 = 2^-1.25.
  const rows = [
    ...curve(1, [0.98, 0.979, 0.975]),
    ...curve(2, [0.98, 0.979, 0.975]),
    ...curve(1, [0.9, 0.89], "fashion-mnist"),
    ...curve(2, [0.9, 0.898, 0.894], "fashion-mnist"),
  ];
  const difference: ClaimConfig = {
    ...valueClaim,
    select: { arm: "ticket", dataset: "fashion-mnist" },
    baseline: { arm: "ticket", dataset: "mnist" },
    statistic: "difference",
    op: ">",
    threshold: 0,
  };
  const [result] = evaluateClaims([difference], rows, "quick");
  near(result.per_trial[0]!, Math.pow(2, -0.3) - Math.sqrt(0.125), "trial 1");
  near(result.per_trial[1]!, Math.pow(2, -1.25) - Math.sqrt(0.125), "trial 2");
  assert.equal(result.n, 2);
  // Differences of weights-remaining fractions read in percentage points.
  assert.match(result.reason, /\[[-+]\d+\.\d\d pp, \+\d+\.\d\d pp\] straddles difference > 0 pp/);
  // Without a dataset, rows of two data sets are ambiguous: a reason, not a mixed curve.
  const [mixed] = evaluateClaims([valueClaim], rows, "quick");
  assert.equal(mixed.verdict, "INCONCLUSIVE");
  assert.match(
    mixed.reason,
    /^The rows are of data sets fashion-mnist, mnist; add dataset to the selector of arm ticket \(in all 2 trials\)\.$/,
  );
});
