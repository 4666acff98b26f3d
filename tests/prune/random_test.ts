import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { STREAMS } from "../../src/base/streams.ts";
import {
  assertBinaryMask,
  countKept,
  keptAtNextLevel,
  pruneSmallest,
  randomMask,
} from "../../src/prune/mod.ts";
import { LENET_LAYER_SIZES, LENET_PRUNE_FRACTIONS } from "../fixtures/weak_lth.ts";

const SIZES = LENET_LAYER_SIZES;
const FRACTIONS = LENET_PRUNE_FRACTIONS;

Deno.test("randomMask keeps exactly the requested count, as a 0/1 mask", () => {
  const rng = new Rng(1, "random-mask-test");
  for (const size of [0, 1, 2, 7, 1000]) {
    for (const keep of new Set([0, 1, Math.floor(size / 2), size - 1, size])) {
      if (keep < 0 || keep > size) continue;
      const mask = randomMask(size, keep, rng);
      assert.equal(mask.length, size);
      assertBinaryMask(mask, `randomMask(${size}, ${keep})`);
      assert.equal(countKept(mask), keep, `randomMask(${size}, ${keep})`);
    }
  }
});

Deno.test("randomMask has the ticket's per-layer counts over 20 levels of weak-lth", () => {
  // As in the IMP random-mask control: one random mask per layer with the ticket's kept count.
  let kept = [...SIZES];
  for (let level = 1; level <= 20; level++) {
    kept = kept.map((k, l) => keptAtNextLevel(k, FRACTIONS[l]));
    if (![1, 7, 9, 15, 20].includes(level)) continue;
    const rng = STREAMS.impRandomMask.rng(1, 1, level);
    const masks = SIZES.map((size, l) => randomMask(size, kept[l], rng));
    assert.deepEqual(masks.map(countKept), kept, `level ${level}`);
  }
});

Deno.test("randomMask depends on the seed and the stream, and only on them", () => {
  const draw = (seed: number, index = 0) =>
    randomMask(5000, 1000, new Rng(seed, "random-mask", index));
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
  assert.notDeepEqual(draw(1, 0), draw(1, 1));
  // Two draws from one stream differ: the stream advances.
  const rng = new Rng(1, "random-mask");
  assert.notDeepEqual(randomMask(5000, 1000, rng), randomMask(5000, 1000, rng));
  // Masks of different seeds overlap about as much as independent draws should:
  // 1000 of 5000 kept, expected overlap 200, standard deviation about 12.6.
  const a = draw(11);
  const b = draw(12);
  let overlap = 0;
  for (let i = 0; i < a.length; i++) overlap += a[i] * b[i];
  assert.ok(overlap > 140 && overlap < 260, `overlap ${overlap}`);
});

Deno.test("randomMask keeps every position with the same probability", () => {
  const rng = new Rng(5, "random-mask-uniform");
  const size = 50;
  const keep = 15;
  const draws = 4000;
  const counts = new Array(size).fill(0);
  for (let d = 0; d < draws; d++) {
    const mask = randomMask(size, keep, rng);
    for (let i = 0; i < size; i++) counts[i] += mask[i];
  }
  // Each count is Binomial(4000, 0.3): mean 1200, sd 29; 6 sd bounds never fail by chance.
  const sd = Math.sqrt(draws * 0.3 * 0.7);
  for (let i = 0; i < size; i++) {
    assert.ok(Math.abs(counts[i] - 1200) < 6 * sd, `position ${i} kept ${counts[i]} times`);
  }
});

Deno.test("randomMask rejects counts it cannot meet", () => {
  const rng = new Rng(1, "random-mask-invalid");
  for (const [size, keep] of [[10, -1], [10, 11], [10, 2.5], [10, NaN], [0, 1]]) {
    assert.throws(
      () => randomMask(size, keep, rng),
      (error: Error) =>
        error instanceof RangeError && error.message === `cannot keep ${keep} of ${size} weights`,
      `randomMask(${size}, ${keep})`,
    );
  }
});

Deno.test("a random mask is a valid input to magnitude pruning", () => {
  const rng = new Rng(9, "random-then-magnitude");
  const mask = randomMask(1000, 400, rng);
  const weights = new Float32Array(1000);
  for (let i = 0; i < weights.length; i++) weights[i] = rng.nextNormal();
  const next = pruneSmallest(weights, mask, keptAtNextLevel(400, 0.2));
  assert.equal(countKept(next), 320);
  for (let i = 0; i < next.length; i++) assert.ok(next[i] <= mask[i], `entry ${i} was revived`);
});
