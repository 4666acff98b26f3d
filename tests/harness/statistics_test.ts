import assert from "node:assert/strict";
import { summarize, tCdf, tQuantile975 } from "../../src/harness/statistics.ts";

Deno.test("t quantiles match the printed table to 3 decimals", () => {
  const table: Record<number, number> = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    9: 2.262,
    10: 2.228,
    30: 2.042,
    120: 1.980,
  };
  for (const [df, t] of Object.entries(table)) {
    assert.ok(
      Math.abs(tQuantile975(Number(df)) - t) < 5e-4,
      `df ${df}: ${tQuantile975(Number(df))} vs ${t}`,
    );
  }
  assert.ok(Math.abs(tCdf(0, 5) - 0.5) < 1e-12);
  assert.ok(Math.abs(tCdf(1, 1) - 0.75) < 1e-8, "Cauchy: P(T <= 1) = 3/4");
  assert.throws(() => tQuantile975(0), /positive integer, got 0/);
});

Deno.test("n = 1: the value, no spread, no interval", () => {
  assert.deepEqual(summarize([0.25]), { n: 1, mean: 0.25, sd: null, ci: null });
  assert.throws(() => summarize([]), /at least one value/);
});

Deno.test("n = 2 and n = 5 by hand", () => {
  // [1, 3]: mean 2, sd sqrt(2), half width 12.706 * sqrt(2) / sqrt(2) = 12.706.
  const two = summarize([1, 3]);
  assert.equal(two.mean, 2);
  assert.ok(Math.abs(two.sd! - Math.SQRT2) < 1e-15);
  assert.ok(Math.abs(two.ci![0] - (2 - 12.7062)) < 1e-3 && Math.abs(two.ci![1] - 14.7062) < 1e-3);
  // [1..5]: mean 3, sd sqrt(2.5), half width 2.7764 * sqrt(2.5) / sqrt(5) = 1.9632.
  const five = summarize([1, 2, 3, 4, 5]);
  assert.equal(five.mean, 3);
  assert.ok(Math.abs(five.sd! - Math.sqrt(2.5)) < 1e-15);
  assert.ok(Math.abs(five.ci![1] - 3 - 1.9632) < 1e-3, `${five.ci}`);
  assert.ok(Math.abs(3 - five.ci![0] - 1.9632) < 1e-3);
  // Identical values: a point interval.
  assert.deepEqual(summarize([0.5, 0.5, 0.5]).ci, [0.5, 0.5]);
});

Deno.test("the same values give the same bits", () => {
  const values = [0.9812, 0.9799, 0.9821, 0.9788, 0.9803];
  assert.deepEqual(summarize(values), summarize([...values]));
});
