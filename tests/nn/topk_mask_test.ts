/**
 * Boundary tests of kernels/topk_mask.wgsl beyond the op table's random cases: the exact count
 * for k = 0, 1, n-1, n; all-equal scores (the tie rule keeps the lowest indices, -0 == +0);
 * negative and positive scores of equal magnitude; a LeNet-sized segment against the reference.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool, type Gpu, readF32, Recorder, withValidation } from "../../src/gpu/mod.ts";
import { prepareTopkMask, topkMaskReference, type TopkSegment } from "../../src/nn/topk_mask.ts";
import { gpuTest } from "../gpu_test_helper.ts";

/** Runs one dispatch over `runs` copies of the segments laid out back to back per run. */
async function topk(
  gpu: Gpu,
  scores: Float32Array,
  lengths: number[],
  ks: number[],
  runs = 1,
): Promise<{ gpu: Float32Array; ref: Float64Array }> {
  const stride = lengths.reduce((a, b) => a + b, 0);
  assert.equal(scores.length, runs * stride);
  const segments: TopkSegment[] = [];
  let at = 0;
  lengths.forEach((length, i) => {
    segments.push({ scoreOffset: at, maskOffset: at, length, k: ks[i] });
    at += length;
  });
  const pool = new BufferPool(gpu.device);
  try {
    const spec = {
      runs,
      segments,
      scores: pool.upload("scores", scores),
      scoreRunStride: stride,
      masks: pool.upload("masks", new Float32Array(runs * stride).fill(0.5)),
      maskRunStride: stride,
    };
    const out = await withValidation(gpu.device, "topk_mask", async () => {
      const recorder = new Recorder(gpu.device, "topk test");
      recorder.record([await prepareTopkMask(gpu, pool, spec)]);
      recorder.submit();
      return await readF32(gpu.device, spec.masks);
    });
    gpu.throwIfFailed();
    const ref = new Float64Array(runs * stride);
    topkMaskReference(scores, ref, spec);
    return { gpu: out, ref };
  } finally {
    pool.destroy();
  }
}

function assertMask(what: string, got: Float32Array, want: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) assert.fail(`${what}: mask[${i}] is ${got[i]}, expected ${want[i]}`);
  }
}

const count = (m: ArrayLike<number>, from = 0, to = m.length) => {
  let c = 0;
  for (let i = from; i < to; i++) c += m[i];
  return c;
};

gpuTest("topk_mask keeps exactly k for k = 0, 1, n-1, n", async (t, gpu) => {
  const rng = new Rng(11, "topk counts");
  for (const n of [1, 7, 13, 1000]) {
    for (const k of [...new Set([0, 1, n - 1, n])]) {
      await t.step(`n=${n} k=${k}`, async () => {
        // A third of the entries share one magnitude, so the threshold often falls on a tie.
        const scores = new Float32Array(n).map(() =>
          rng.nextUnit() < 0.33 ? (rng.nextUnit() < 0.5 ? -0.5 : 0.5) : rng.nextNormal()
        );
        const { gpu: got, ref } = await topk(gpu, scores, [n], [k]);
        assert.equal(count(got), k, "kept count");
        assertMask(`n=${n} k=${k}`, got, ref);
      });
    }
  }
  await t.step("k > n keeps all", async () => {
    const { gpu: got } = await topk(gpu, new Float32Array([3, -1, 2]), [3], [10]);
    assertMask("k > n", got, [1, 1, 1]);
  });
});

gpuTest("topk_mask on all-equal scores keeps the lowest indices", async (t, gpu) => {
  for (const [n, k] of [[1, 1], [7, 3], [300, 17], [1000, 999], [4099, 2050]]) {
    await t.step(`n=${n} k=${k} all 0.5`, async () => {
      const { gpu: got } = await topk(gpu, new Float32Array(n).fill(0.5), [n], [k]);
      assertMask(`all equal n=${n}`, got, Array.from({ length: n }, (_, i) => i < k ? 1 : 0));
    });
  }
  await t.step("+0 and -0 are equal", async () => {
    const scores = new Float32Array(50).map((_, i) => i % 2 ? -0 : 0);
    const { gpu: got } = await topk(gpu, scores, [50], [10]);
    assertMask("signed zeros", got, Array.from({ length: 50 }, (_, i) => i < 10 ? 1 : 0));
  });
  await t.step("equal scores in 3 runs, segments of different k", async () => {
    const scores = new Float32Array(3 * (600 + 77)).fill(-2);
    const { gpu: got } = await topk(gpu, scores, [600, 77], [250, 76], 3);
    const one = [
      ...Array.from({ length: 600 }, (_, i) => i < 250 ? 1 : 0),
      ...Array.from({ length: 77 }, (_, i) => i < 76 ? 1 : 0),
    ];
    assertMask("equal, 3 runs", got, [...one, ...one, ...one]);
  });
});

gpuTest("topk_mask ranks by |score|: -x and x tie, lower index first", async (t, gpu) => {
  const scores = new Float32Array([1, -3, 3, -1, 3, 2, -3]);
  const expected: Record<number, number[]> = {
    1: [0, 1, 0, 0, 0, 0, 0],
    2: [0, 1, 1, 0, 0, 0, 0],
    3: [0, 1, 1, 0, 1, 0, 0],
    4: [0, 1, 1, 0, 1, 0, 1],
    5: [0, 1, 1, 0, 1, 1, 1],
    6: [1, 1, 1, 0, 1, 1, 1],
  };
  for (const [k, want] of Object.entries(expected)) {
    await t.step(`k=${k}`, async () => {
      const { gpu: got, ref } = await topk(gpu, scores, [7], [Number(k)]);
      assertMask(`k=${k}`, got, want);
      assertMask(`k=${k} (reference)`, got, ref);
    });
  }
  await t.step("+-x pairs across a 1000-entry segment", async () => {
    const rng = new Rng(5, "topk signs");
    const scores = new Float32Array(1000);
    for (let i = 0; i < 1000; i += 2) {
      const v = Math.fround(1 + rng.nextInt(40) / 8);
      scores[i] = v;
      scores[i + 1] = -v;
    }
    const { gpu: got, ref } = await topk(gpu, scores, [1000], [333]);
    assert.equal(count(got), 333);
    assertMask("+-x pairs", got, ref);
  });
});

gpuTest("topk_mask matches the reference on 235200 random scores", async (t, gpu) => {
  const rng = new Rng(3, "topk lenet");
  const n = 235200;
  for (const ties of [false, true]) {
    await t.step(ties ? "quantized (many ties), 2 runs" : "normal, 2 runs", async () => {
      const scores = new Float32Array(2 * n).map(() =>
        ties ? Math.round(rng.nextNormal() * 64) / 64 : rng.nextNormal()
      );
      const ks = [Math.round(0.3 * n)];
      const { gpu: got, ref } = await topk(gpu, scores, [n], ks, 2);
      assert.equal(count(got, 0, n), ks[0], "run 0 count");
      assert.equal(count(got, n, 2 * n), ks[0], "run 1 count");
      assertMask(`235200 ${ties ? "ties" : "normal"}`, got, ref);
    });
  }
});
