/**
 * The training gather's augmentation (kernels/gather_batch.wgsl with AUGMENT) beyond the op
 * table's comparison with the reference: the same key gives the same bits and another key
 * other crops; the draws change with the global step; a padded pixel gathers exactly as
 * (0 - mean[c]) / std[c] in f32, at the positions the draws predict; the draws cover every
 * offset 0..2P and flip about half the examples.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { STREAMS } from "../../src/base/streams.ts";
import { CIFAR10_NORMALIZE } from "../../src/data/cifar10.ts";
import { type BufferPool, type Gpu, readF32 } from "../../src/gpu/mod.ts";
import { COUNTER_WORDS } from "../../src/nn/advance_step.ts";
import {
  augmentationDraw,
  type ImageShape,
  packBytes,
  prepareGatherBatch,
} from "../../src/nn/gather_batch.ts";
import { scoped, submit } from "../fixtures/gpu.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SHAPE: ImageShape = { channels: 3, rows: 32, cols: 32 };
const FEATURES = SHAPE.channels * SHAPE.rows * SHAPE.cols;
const PLANE = SHAPE.rows * SHAPE.cols;
const BATCH = 16;
const EXAMPLES = 20;
const PADDING = 4;

/** Images whose bytes are all in 1..255, so a gathered padding zero cannot be a pixel. */
function images(): Uint8Array {
  const rng = new Rng(11, "augmentation test images");
  return Uint8Array.from({ length: EXAMPLES * FEATURES }, () => 1 + rng.nextInt(255));
}

/** The gathered training batch of one run [BATCH, FEATURES] for `key` at `globalStep`. */
async function gatherOnce(
  gpu: Gpu,
  pool: BufferPool,
  pixels: Uint8Array,
  key: number,
  globalStep: number,
  flip = true,
): Promise<Float32Array> {
  const counters = new Uint32Array(COUNTER_WORDS);
  counters[1] = globalStep;
  const indices = Uint32Array.from({ length: BATCH }, (_, b) => b % EXAMPLES);
  const inputs = pool.storage("X", BATCH * FEATURES * 4);
  submit(gpu, [
    await prepareGatherBatch(gpu, pool, {
      features: FEATURES,
      batch: BATCH,
      runs: 1,
      steps: 1,
      fromCounter: true,
      mean: [...CIFAR10_NORMALIZE.mean],
      std: [...CIFAR10_NORMALIZE.std],
      shape: SHAPE,
      augmentation: { padding: PADDING, flip, keys: pool.upload("keys", Uint32Array.of(key)) },
      pixels: pool.upload("pixels", packBytes(pixels)),
      labels: pool.upload("labels", packBytes(new Uint8Array(EXAMPLES))),
      indices: pool.upload("indices", indices),
      counters: pool.upload("counters", counters),
      inputs,
      inputOffset: 0,
      batchLabels: pool.storage("Y", BATCH * 4),
    }),
  ]);
  return await readF32(gpu.device, inputs);
}

const bitsOf = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);

gpuTest("augmentation: same key same bits, another key or step other crops", async (t, gpu) => {
  const pixels = images();
  const keyA = STREAMS.augmentation.key(7, 0);
  const keyB = STREAMS.augmentation.key(7, 1);
  await t.step("two trials' keys, the same key twice, the next step", async () => {
    const [a1, a2, b, aNext] = await scoped(gpu, "augmentation keys", async (pool) => [
      await gatherOnce(gpu, pool, pixels, keyA, 5),
      await gatherOnce(gpu, pool, pixels, keyA, 5),
      await gatherOnce(gpu, pool, pixels, keyB, 5),
      await gatherOnce(gpu, pool, pixels, keyA, 6),
    ]);
    assert.deepEqual(bitsOf(a1), bitsOf(a2), "the same key and step must give the same bits");
    // Another key: other offsets or flips for most of the batch, and so other inputs.
    const differing = (x: Float32Array, y: Float32Array) =>
      Array.from({ length: BATCH }, (_, s) => s).filter((s) =>
        bitsOf(x.subarray(s * FEATURES, (s + 1) * FEATURES)).some((v, i) =>
          v !== bitsOf(y.subarray(s * FEATURES, (s + 1) * FEATURES))[i]
        )
      ).length;
    const drawsDiffer = (k1: number, t1: number, k2: number, t2: number) =>
      Array.from({ length: BATCH }, (_, s) => s).filter((s) => {
        const [d1, d2] = [
          augmentationDraw(k1, t1, s, PADDING, true),
          augmentationDraw(k2, t2, s, PADDING, true),
        ];
        return d1.dy !== d2.dy || d1.dx !== d2.dx || d1.flipped !== d2.flipped;
      }).length;
    assert.equal(differing(a1, b), drawsDiffer(keyA, 5, keyB, 5));
    assert.ok(differing(a1, b) >= BATCH - 2, `only ${differing(a1, b)} examples differ by key`);
    assert.equal(differing(a1, aNext), drawsDiffer(keyA, 5, keyA, 6));
    assert.ok(differing(a1, aNext) >= BATCH - 2, `only ${differing(a1, aNext)} differ by step`);
  });
  await t.step(
    "a padded pixel is (0 - mean[c]) / std[c], where the draws put padding",
    async () => {
      const key = keyA;
      const step = 3;
      const gathered = await scoped(
        gpu,
        "padding",
        (pool) => gatherOnce(gpu, pool, pixels, key, step),
      );
      const { mean, std } = CIFAR10_NORMALIZE;
      // The kernel's f32 arithmetic: (0 - f32(mean)) * f32(1 / std), exactly.
      const padValue = mean.map((m, c) => Math.fround(-Math.fround(m) * Math.fround(1 / std[c])));
      let padded = 0;
      for (let s = 0; s < BATCH; s++) {
        const { dy, dx, flipped } = augmentationDraw(key, step, s, PADDING, true);
        for (let c = 0; c < SHAPE.channels; c++) {
          for (let y = 0; y < SHAPE.rows; y++) {
            for (let x = 0; x < SHAPE.cols; x++) {
              const sy = y + dy - PADDING;
              const sx = (flipped ? SHAPE.cols - 1 - x : x) + dx - PADDING;
              const inside = sy >= 0 && sy < SHAPE.rows && sx >= 0 && sx < SHAPE.cols;
              const value = gathered[s * FEATURES + c * PLANE + y * SHAPE.cols + x];
              if (!inside) padded++;
              assert.equal(
                value === padValue[c],
                !inside,
                `slot ${s} channel ${c} (${y}, ${x}): ${value}, padding ${padValue[c]}`,
              );
            }
          }
        }
      }
      assert.ok(padded > 0, "no example of the batch was cropped into the padding");
    },
  );
});

Deno.test("augmentation draws: every offset 0..2P, flips near 1/2, none without flip", () => {
  const key = STREAMS.augmentation.key(20240601, 3);
  const dys = new Array(2 * PADDING + 1).fill(0);
  const dxs = new Array(2 * PADDING + 1).fill(0);
  let flips = 0, n = 0;
  for (let step = 0; step < 50; step++) {
    for (let slot = 0; slot < 128; slot++) {
      const draw = augmentationDraw(key, step, slot, PADDING, true);
      dys[draw.dy]++;
      dxs[draw.dx]++;
      if (draw.flipped) flips++;
      n++;
      assert.equal(augmentationDraw(key, step, slot, PADDING, false).flipped, false);
      assert.deepEqual(augmentationDraw(key, step, slot, 0, true).dy, 0);
    }
  }
  // 6400 draws over 9 offsets: ~711 each; 5 standard deviations is about 130.
  for (const counts of [dys, dxs]) {
    assert.equal(counts.length, 9);
    for (const count of counts) assert.ok(Math.abs(count - n / 9) < 140, `${counts}`);
  }
  assert.ok(Math.abs(flips - n / 2) < 5 * Math.sqrt(n / 4), `${flips} flips of ${n}`);
  assert.throws(() => augmentationDraw(key, 0, 0, -1, true), RangeError);
  assert.throws(() => augmentationDraw(key, 0, 0, 2.5, true), RangeError);
});
