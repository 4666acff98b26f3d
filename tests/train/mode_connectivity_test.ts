import assert from "node:assert/strict";
import {
  instability,
  interpolate,
  interpolateNetwork,
  lineAlphas,
} from "../../src/train/mode_connectivity.ts";

Deno.test("the line's points are evenly spaced with both ends", () => {
  assert.deepEqual(lineAlphas(2), [0, 1]);
  assert.deepEqual(lineAlphas(5), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(lineAlphas(30).length, 30);
  assert.throws(() => lineAlphas(1), /at least 2 points/);
});

Deno.test("interpolate gives the ends at 0 and 1 and the midpoint between", () => {
  const w1 = Float32Array.from([1, -2, 0, 0.5]);
  const w2 = Float32Array.from([3, 2, 0, 0.25]);
  assert.deepEqual(interpolate(w1, w2, 0), w1);
  assert.deepEqual(interpolate(w1, w2, 1), w2);
  assert.deepEqual(Array.from(interpolate(w1, w2, 0.5)), [2, 0, 0, 0.375]);
  assert.throws(() => interpolate(w1, Float32Array.from([1]), 0.5), /4 and 1 entries/);
});

Deno.test("instability is the line's largest error minus the mean of its ends", () => {
  // Ends 0.02 and 0.04 (mean 0.03); the worst point 0.10: instability 0.07.
  assert.ok(Math.abs(instability([0.02, 0.06, 0.1, 0.05, 0.04]) - 0.07) < 1e-15);
  // A line no worse than its ends: the larger end minus the mean.
  assert.ok(Math.abs(instability([0.02, 0.03, 0.04]) - 0.01) < 1e-15);
  assert.equal(instability([0.05, 0.05, 0.05]), 0);
  assert.throws(() => instability([0.1]), /at least 2 points/);
});

Deno.test("interpolateNetwork interpolates the running statistics with the parameters' alpha", () => {
  const n1 = { params: Float32Array.from([1, -2]), state: Float32Array.from([0, 0.5, 1, 4]) };
  const n2 = { params: Float32Array.from([3, 2]), state: Float32Array.from([2, -0.5, 3, 2]) };
  const mid = interpolateNetwork(n1, n2, 0.25);
  assert.deepEqual(Array.from(mid.params), [1.5, -1]);
  // (1 - a) * state1 + a * state2, entry by entry: running means and variances alike.
  assert.deepEqual(Array.from(mid.state), [0.5, 0.25, 1.5, 3.5]);
  assert.deepEqual(interpolateNetwork(n1, n2, 0), n1);
  assert.deepEqual(interpolateNetwork(n1, n2, 1), n2);
  // Without batch norms the state is empty, and stays so.
  const bare = (params: number[]) => ({
    params: Float32Array.from(params),
    state: new Float32Array(0),
  });
  assert.equal(interpolateNetwork(bare([1]), bare([2]), 0.5).state.length, 0);
  assert.throws(
    () => interpolateNetwork(n1, { ...n2, state: new Float32Array(2) }, 0.5),
    /4 and 2 entries/,
  );
});
