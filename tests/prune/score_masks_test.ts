import assert from "node:assert/strict";
import { masksFromScores, masksKeepingTotal } from "../../src/prune/mod.ts";

const scores = [Float64Array.from([5, 1, 3, 3]), Float64Array.from([4, 0, 2])];

Deno.test("per-layer: each layer keeps its own count of its top scores, ties to the lower index", () => {
  const [a, b] = masksFromScores(scores, [2, 1], "per-layer");
  assert.deepEqual(Array.from(a), [1, 0, 1, 0]);
  assert.deepEqual(Array.from(b), [1, 0, 0]);
});

Deno.test("total: the summed count is kept among all layers ranked together", () => {
  // Top 3 of [5, 1, 3, 3 | 4, 0, 2] are 5, 4 and the first 3.
  const [a, b] = masksFromScores(scores, [2, 1], "total");
  assert.deepEqual(Array.from(a), [1, 0, 1, 0]);
  assert.deepEqual(Array.from(b), [1, 0, 0]);
  const [c, d] = masksKeepingTotal(scores, 5);
  assert.deepEqual(Array.from(c), [1, 0, 1, 1]);
  assert.deepEqual(Array.from(d), [1, 0, 1]);
});

Deno.test("counts must match the layers", () => {
  assert.throws(() => masksFromScores(scores, [1], "per-layer"), /2 layers of scores but 1 counts/);
  assert.throws(() => masksFromScores(scores, [5, 1], "per-layer"), /cannot keep 5 of 4/);
});
