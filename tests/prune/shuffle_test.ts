import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { countKept, shuffleMask } from "../../src/prune/mod.ts";

Deno.test("shuffleMask keeps the count and moves the kept positions", () => {
  const mask = new Float32Array(1000);
  for (let i = 0; i < 100; i++) mask[i] = 1;
  const shuffled = shuffleMask(mask, new Rng(3, "shuffle-test"));
  assert.equal(countKept(shuffled), 100);
  // A uniform shuffle leaves about 100 * 100 / 1000 = 10 of the kept positions in place.
  const stayed = Array.from(mask).filter((m, i) => m === 1 && shuffled[i] === 1).length;
  assert.ok(stayed < 30, `${stayed} of 100 kept positions stayed`);
  assert.deepEqual(shuffleMask(mask, new Rng(3, "shuffle-test")), shuffled);
});

Deno.test("shuffleMask of an all-kept or all-pruned layer is itself", () => {
  const rng = new Rng(4, "shuffle-test");
  assert.deepEqual(shuffleMask(new Float32Array(7).fill(1), rng), new Float32Array(7).fill(1));
  assert.deepEqual(shuffleMask(new Float32Array(7), rng), new Float32Array(7));
});
