import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import {
  assertBinaryMask,
  countKept,
  keptAfterRounds,
  keptAtNextLevel,
  pruneSmallest,
  pruneSmallestGlobally,
} from "../../src/prune/mod.ts";
import { LENET_LAYER_SIZES, LENET_PRUNE_FRACTIONS } from "../fixtures/weak_lth.ts";

// The weak-lth schedule: LeNet-300-100's weight layers and their per-level prune fractions.
const SIZES = LENET_LAYER_SIZES;
const FRACTIONS = LENET_PRUNE_FRACTIONS;
const TOTAL = SIZES.reduce((a, b) => a + b, 0); // 266200

/** Weights with many exact ties in |w|: multiples of 1/8 in [-4, 4], both signs, zeros. */
function tiedWeights(size: number, rng: Rng): Float32Array {
  const w = new Float32Array(size);
  for (let i = 0; i < size; i++) w[i] = (rng.nextInt(65) - 32) / 8;
  return w;
}

/** Obvious reference: sort the kept indices by (|w|, index) and drop the first kept - keep. */
function referencePrune(weights: Float32Array, mask: Float32Array, keep: number): Float32Array {
  const kept: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) kept.push(i);
  kept.sort((a, b) => {
    const d = Math.abs(weights[a]) - Math.abs(weights[b]);
    return d !== 0 ? d : a - b;
  });
  const next = new Float32Array(mask);
  for (const i of kept.slice(0, kept.length - keep)) next[i] = 0;
  return next;
}

/** Every weight kept by `next` has |w| >= every weight `next` removed from `before`. */
function assertMagnitudeOrder(weights: Float32Array, before: Float32Array, next: Float32Array) {
  let minKept = Infinity;
  let maxPruned = -Infinity;
  for (let i = 0; i < next.length; i++) {
    if (next[i] === 1) minKept = Math.min(minKept, Math.abs(weights[i]));
    else if (before[i] === 1) maxPruned = Math.max(maxPruned, Math.abs(weights[i]));
  }
  assert.ok(
    minKept >= maxPruned,
    `a kept weight (|w| = ${minKept}) is smaller than a pruned one (|w| = ${maxPruned})`,
  );
}

Deno.test("keptAtNextLevel reproduces the paper's weights remaining over 20 levels of weak-lth", () => {
  // Frankle & Carbin's LeNet-300-100 levels (weak-lth.yaml): level -> % weights remaining.
  const paper: Record<number, number> = { 7: 21.07, 9: 13.52, 15: 3.58, 20: 1.19 };
  let kept = [...SIZES];
  for (let level = 1; level <= 20; level++) {
    kept = kept.map((k, l) => keptAtNextLevel(k, FRACTIONS[l]));
    const percent = (100 * kept.reduce((a, b) => a + b, 0)) / TOTAL;
    const exact = (100 * SIZES.reduce((s, n, l) => s + n * (1 - FRACTIONS[l]) ** level, 0)) /
      TOTAL;
    // Rounding to whole weights each level drifts from the continuous schedule by < 0.005 points.
    assert.ok(
      Math.abs(percent - exact) < 0.005,
      `level ${level}: ${percent}% vs ${exact}%`,
    );
    if (level in paper) {
      assert.ok(
        Math.abs(percent - paper[level]) < 0.005,
        `level ${level}: ${percent.toFixed(4)}% weights remaining, paper ${paper[level]}%`,
      );
    }
  }
  assert.deepEqual(kept, [2712, 346, 121]);
});

Deno.test("keptAtNextLevel removes round(kept * fraction) and never a negative count", () => {
  assert.equal(keptAtNextLevel(1000, 0.1), 900);
  assert.equal(keptAtNextLevel(10, 0.25), 7); // 2.5 rounds up: 3 removed
  assert.equal(keptAtNextLevel(1, 0.2), 1); // 0.2 rounds to 0: nothing removed
  assert.equal(keptAtNextLevel(0, 0.2), 0);
  for (let kept = 0; kept <= 300; kept++) {
    for (const f of [0.01, 0.1, 0.2, 0.5, 0.99]) {
      const next = keptAtNextLevel(kept, f);
      assert.ok(Number.isInteger(next) && next >= 0 && next <= kept, `${kept} x ${f} -> ${next}`);
    }
  }
});

Deno.test("20 levels of layerwise pruning: exact per-layer counts, magnitude order, masks only shrink", () => {
  const rng = new Rng(20190306, "magnitude-test");
  let masks: Float32Array[] = SIZES.map((n) => new Float32Array(n).fill(1));
  let expected = [...SIZES];
  for (let level = 1; level <= 20; level++) {
    expected = expected.map((k, l) => keptAtNextLevel(k, FRACTIONS[l]));
    // Fresh weights every level, as after retraining; ties are common by construction.
    masks = masks.map((mask, l) => {
      const weights = tiedWeights(mask.length, rng);
      const keep = keptAtNextLevel(countKept(mask), FRACTIONS[l]);
      const next = pruneSmallest(weights, mask, keep);
      assert.equal(countKept(next), expected[l], `level ${level} layer ${l}: kept count`);
      assertBinaryMask(next, `level ${level} layer ${l}`);
      for (let i = 0; i < next.length; i++) {
        if (next[i] > mask[i]) assert.fail(`level ${level} layer ${l}: entry ${i} was revived`);
      }
      assertMagnitudeOrder(weights, mask, next);
      return next;
    });
    const fractions = masks.map((mask) => countKept(mask) / mask.length);
    fractions.forEach((fraction, l) => {
      // Each level rounds to a whole weight: at most half a weight of drift per level.
      const continuous = (1 - FRACTIONS[l]) ** level;
      assert.ok(
        Math.abs(fraction - continuous) * SIZES[l] <= 0.5 * level,
        `level ${level} layer ${l}: ${fraction} vs ${continuous}`,
      );
    });
  }
});

Deno.test("pruneSmallest matches an (|w|, index) sort reference on awkward inputs", () => {
  const rng = new Rng(7, "magnitude-reference");
  for (const size of [1, 2, 7, 13, 64, 1000]) {
    for (let trial = 0; trial < 5; trial++) {
      const weights = tiedWeights(size, rng);
      const mask = new Float32Array(size);
      for (let i = 0; i < size; i++) mask[i] = rng.nextUnit() < 0.7 ? 1 : 0;
      const kept = countKept(mask);
      for (const keep of new Set([0, Math.floor(kept / 3), kept - 1, kept].filter((k) => k >= 0))) {
        const next = pruneSmallest(weights, mask, keep);
        assert.deepEqual(next, referencePrune(weights, mask, keep), `size ${size} keep ${keep}`);
        assertMagnitudeOrder(weights, mask, next);
      }
    }
  }
});

Deno.test("ties in |w| are broken by index: the lower index is pruned first, whatever the sign", () => {
  const weights = new Float32Array([1, -1, 1, -1, 1, -1, 1, -1]);
  const mask = new Float32Array(8).fill(1);
  assert.deepEqual([...pruneSmallest(weights, mask, 5)], [0, 0, 0, 1, 1, 1, 1, 1]);
  // -0 and 0 tie as well.
  const zeros = new Float32Array([0, -0, 0, -0, 2]);
  assert.deepEqual([...pruneSmallest(zeros, new Float32Array(5).fill(1), 3)], [0, 0, 1, 1, 1]);
  // A smaller magnitude at a higher index goes before a tie group at lower indices.
  const mixed = new Float32Array([-0.5, 0.5, 0.25, 0.5, -0.5]);
  assert.deepEqual([...pruneSmallest(mixed, new Float32Array(5).fill(1), 2)], [0, 0, 0, 1, 1]);
  // Deterministic: the same inputs give the same mask every time.
  const rng = new Rng(3, "magnitude-ties");
  const w = tiedWeights(5000, rng);
  const m = new Float32Array(5000).fill(1);
  assert.deepEqual(pruneSmallest(w, m, 1234), pruneSmallest(w, m, 1234));
});

Deno.test("already pruned weights are never candidates, however small or large they are", () => {
  const weights = new Float32Array([100, 0, 3, 2, 1, -0.001]);
  const mask = new Float32Array([0, 0, 1, 1, 1, 0]);
  assert.deepEqual([...pruneSmallest(weights, mask, 2)], [0, 0, 1, 1, 0, 0]);
  assert.deepEqual([...pruneSmallest(weights, mask, 0)], [0, 0, 0, 0, 0, 0]);
});

Deno.test("pruneSmallest leaves its inputs untouched and keeping everything changes nothing", () => {
  const weights = new Float32Array([0.3, -0.1, 0.2]);
  const mask = new Float32Array([1, 1, 1]);
  const next = pruneSmallest(weights, mask, 3);
  assert.deepEqual([...next], [1, 1, 1]);
  assert.notEqual(next, mask);
  pruneSmallest(weights, mask, 1);
  assert.deepEqual([...mask], [1, 1, 1]);
  assert.deepEqual([...weights], [...new Float32Array([0.3, -0.1, 0.2])]);
});

Deno.test("invalid masks and counts are rejected", () => {
  const weights = new Float32Array([1, 2, 3, 4]);
  for (const bad of [0.5, 2, -1, NaN, Infinity]) {
    const mask = new Float32Array([1, 1, bad, 0]);
    assert.throws(() => pruneSmallest(weights, mask, 1), RangeError, `mask entry ${bad}`);
    assert.throws(
      () => assertBinaryMask(mask, "test"),
      (error: Error) =>
        error instanceof RangeError && /test: mask entry 2 is .*; masks hold only 0 and 1/
          .test(error.message),
    );
  }
  assert.throws(
    () => pruneSmallest(weights, new Float32Array(3).fill(1), 1),
    /weights \(4\) and mask \(3\) differ in length/,
  );
  const mask = new Float32Array([1, 1, 1, 0]);
  for (const keep of [-1, 4, 1.5, NaN]) {
    assert.throws(
      () => pruneSmallest(weights, mask, keep),
      /cannot keep .* weights of a layer that keeps 3/,
      `keep ${keep}`,
    );
  }
  assertBinaryMask(new Float32Array([0, 1, -0]), "zeros and ones"); // -0 is 0
  assert.equal(countKept(new Float32Array([1, 0, 1, 1])), 3);
});

Deno.test("keptAfterRounds skips rounds and lands on the round-by-round counts", () => {
  // weak-lth's quick schedule trains rounds 3, 5, 7, 9, 12, 15 only.
  const trained = [0, 3, 5, 7, 9, 12, 15];
  let skipping = [...SIZES];
  for (let i = 1; i < trained.length; i++) {
    skipping = skipping.map((k, l) =>
      keptAfterRounds(k, FRACTIONS[l], trained[i] - trained[i - 1])
    );
    let stepwise = [...SIZES];
    for (let round = 1; round <= trained[i]; round++) {
      stepwise = stepwise.map((k, l) => keptAtNextLevel(k, FRACTIONS[l]));
    }
    assert.deepEqual(skipping, stepwise, `round ${trained[i]}`);
  }
  assert.equal(keptAfterRounds(1000, 0.2, 0), 1000);
});

Deno.test("global pruning keeps the largest |w| of all layers together; pruned stay pruned", () => {
  const weights = [
    Float32Array.from([0.5, -0.1, 0.9, 0.3]),
    Float32Array.from([-0.2, 0.8, 0.05, -0.7, 0.4, 2.0]),
  ];
  // 2.0 is already pruned: it must not come back however large it is.
  const masks = [Float32Array.from([1, 1, 1, 1]), Float32Array.from([1, 1, 1, 1, 1, 0])];
  const next = pruneSmallestGlobally(weights, masks, 5);
  assert.deepEqual([...next[0]], [1, 0, 1, 0]);
  assert.deepEqual([...next[1]], [0, 1, 0, 1, 1, 0]);
  // Ties: the lower layer, then the lower index, is kept first.
  const tied = pruneSmallestGlobally(
    [Float32Array.from([0.5, -0.5]), Float32Array.from([0.5])],
    [Float32Array.from([1, 1]), Float32Array.from([1])],
    2,
  );
  assert.deepEqual(tied.map((m) => [...m]), [[1, 1], [0]]);
  assert.throws(
    () => pruneSmallestGlobally(weights, masks, 10),
    /cannot keep 10 weights of a network that keeps 9/,
  );
});

Deno.test("global pruning on random layers: every kept |w| >= every newly pruned |w|, counts exact", () => {
  const rng = new Rng(7, "global prune");
  const sizes = [300, 50, 1200];
  const weights = sizes.map((n) => Float32Array.from({ length: n }, () => rng.nextNormal()));
  let masks: Float32Array[] = sizes.map((n) => new Float32Array(n).fill(1));
  let kept = sizes.reduce((a, b) => a + b, 0);
  for (let round = 0; round < 5; round++) {
    kept = keptAtNextLevel(kept, 0.2);
    const next = pruneSmallestGlobally(weights, masks, kept);
    assert.equal(next.reduce((n, m) => n + countKept(m), 0), kept);
    let smallestKept = Infinity, largestPruned = 0;
    next.forEach((mask, l) =>
      mask.forEach((m, i) => {
        if (masks[l][i] === 0) assert.equal(m, 0, `layer ${l} entry ${i} revived`);
        const w = Math.abs(weights[l][i]);
        if (m === 1) smallestKept = Math.min(smallestKept, w);
        else if (masks[l][i] === 1) largestPruned = Math.max(largestPruned, w);
      })
    );
    assert.ok(smallestKept >= largestPruned, `round ${round}: ${smallestKept} < ${largestPruned}`);
    masks = next;
  }
});
