import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { criterionScores, keepTop, MASK_CRITERIA, rankByScore } from "../../src/prune/mod.ts";

const initial = Float32Array.from([0.5, -0.2, 0.1, -0.4, 0.3, 0.0]);
const final = Float32Array.from([0.1, 0.6, -0.3, -0.5, 0.3, 0.2]);
const mask = (criterion: typeof MASK_CRITERIA[number], keep: number) =>
  Array.from(
    keepTop(rankByScore(criterionScores(criterion, initial, final, new Rng(1, "t"))), keep),
  );

Deno.test("each criterion keeps the weights its formula ranks highest", () => {
  // |w_f| = 0.1 0.6 0.3 0.5 0.3 0.2: ties (0.3 at 2 and 4) go to the lower index.
  assert.deepEqual(mask("large_final", 3), [0, 1, 1, 1, 0, 0]);
  // Same sign only at 0, 3, 4 (5 starts at 0: no sign to keep); flipped ones fill in by index.
  assert.deepEqual(mask("large_final_same_sign", 3), [1, 0, 0, 1, 1, 0]);
  assert.deepEqual(mask("large_final_same_sign", 4), [1, 1, 0, 1, 1, 0]);
  // |w_f| - |w_i| = -0.4 0.4 0.2 0.1 0 0.2
  assert.deepEqual(mask("magnitude_increase", 3), [0, 1, 1, 0, 0, 1]);
  // |w_f - w_i| = 0.4 0.8 0.4 0.1 0 0.2
  assert.deepEqual(mask("movement", 3), [1, 1, 1, 0, 0, 0]);
});

Deno.test("random ignores the weights, follows its seed, and keeps exactly k", () => {
  const a = criterionScores("random", initial, final, new Rng(7, "random"));
  const b = criterionScores(
    "random",
    new Float32Array(6),
    new Float32Array(6),
    new Rng(7, "random"),
  );
  assert.deepEqual(a, b);
  const big = keepTop(
    rankByScore(
      criterionScores("random", new Float32Array(1000), new Float32Array(1000), new Rng(2, "r")),
    ),
    300,
  );
  assert.equal(big.reduce((s, v) => s + v, 0), 300);
});

Deno.test("keepTop refuses impossible counts", () => {
  assert.throws(() => keepTop(new Uint32Array(3), 4), /cannot keep 4 of 3 weights/);
});
