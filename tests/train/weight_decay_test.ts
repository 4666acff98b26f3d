import assert from "node:assert/strict";
import { mlpLayout } from "../../src/model/layout.ts";
import { weightDecayMask, weightRanges } from "../../src/train/weight_decay.ts";

Deno.test("weightDecayMask: all = every entry; weights = weight blocks only, per run", () => {
  // 5 -> 3 -> 2: fc1 15 weights (bias at 16, 3 entries, padded to 20), fc2 6 weights at 20
  // (bias at 28, padded to 32).
  const layout = mlpLayout([5, 3, 2]);
  assert.equal(layout.perRun, 32);
  assert.deepEqual(weightRanges(layout.layers[0]), [[0, 15]]);
  assert.deepEqual(weightRanges(layout.layers[1]), [[20, 26]]);
  const all = weightDecayMask(layout, 2, "all");
  assert.equal(all.length, 64);
  assert.ok(all.every((x) => x === 1));
  const weights = weightDecayMask(layout, 2, "weights");
  const expected = new Float32Array(32);
  expected.fill(1, 0, 15);
  expected.fill(1, 20, 26);
  assert.deepEqual(weights.subarray(0, 32), expected);
  assert.deepEqual(weights.subarray(32, 64), expected, "every run has the same vector");
  for (const layer of layout.layers) {
    assert.equal(weights[layer.biasOffset], 0, `${layer.name} bias is not decayed`);
  }
});
