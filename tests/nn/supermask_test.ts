/**
 * kernels/supermask_sample.wgsl beyond the op table: the mask's mean matches the mean of
 * sigmoid(score) statistically; the sample depends only on (key, counter), not on how the work
 * is split into dispatches; the step read from the counters buffer selects fresh uniforms.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool, type Gpu, readF32, Recorder, withValidation } from "../../src/gpu/mod.ts";
import {
  prepareSupermaskSample,
  sigmoidF32,
  supermaskSampleReference,
  type SupermaskSampleSpec,
} from "../../src/nn/supermask_sample.ts";
import { gpuTest } from "../gpu_test_helper.ts";

type Geometry = Omit<SupermaskSampleSpec, "scores" | "masks" | "counters">;

function geometry(n: number, runs = 1, extra: Partial<Geometry> = {}): Geometry {
  return {
    n,
    runs,
    scoreOffset: 0,
    scoreRunStride: n,
    maskOffset: 0,
    maskRunStride: n,
    key: 0x2545f491,
    counterBase: 0,
    counterRunStride: n,
    stepStride: runs * n,
    ...extra,
  };
}

/** Samples with each geometry in turn (one command buffer) into one mask buffer. */
async function sample(
  gpu: Gpu,
  scores: Float32Array,
  maskLength: number,
  geometries: Geometry[],
  step: number | null = null,
): Promise<Float32Array> {
  const pool = new BufferPool(gpu.device);
  try {
    const scoreBuffer = pool.upload("scores", scores);
    const masks = pool.upload("masks", new Float32Array(maskLength).fill(0.5));
    const counters = step === null
      ? undefined
      : pool.upload("counters", new Uint32Array([0, step, 0, 0]));
    const out = await withValidation(gpu.device, "supermask_sample", async () => {
      const dispatches = [];
      for (const g of geometries) {
        dispatches.push(
          await prepareSupermaskSample(gpu, pool, { ...g, scores: scoreBuffer, masks, counters }),
        );
      }
      const recorder = new Recorder(gpu.device, "supermask test");
      recorder.record(dispatches);
      recorder.submit();
      return await readF32(gpu.device, masks);
    });
    gpu.throwIfFailed();
    return out;
  } finally {
    pool.destroy();
  }
}

gpuTest("supermask_sample: mean(mask) matches mean(sigmoid(score))", async (t, gpu) => {
  const rng = new Rng(17, "supermask stats");
  const n = 200_000;
  const cases: [string, () => number][] = [
    ["normal(0, 2) scores", () => 2 * rng.nextNormal()],
    ["all scores 0 (p = 1/2)", () => 0],
    ["all scores logit(0.1)", () => Math.log(0.1 / 0.9)],
    ["all scores +-100 (p = 0 or 1)", () => rng.nextUnit() < 0.5 ? -100 : 100],
  ];
  for (const [name, draw] of cases) {
    await t.step(name, async () => {
      const scores = new Float32Array(n).map(draw);
      const mask = await sample(gpu, scores, n, [geometry(n)]);
      let kept = 0, expected = 0, variance = 0;
      for (let i = 0; i < n; i++) {
        assert.ok(mask[i] === 0 || mask[i] === 1, `mask[${i}] = ${mask[i]} is not 0/1`);
        const p = sigmoidF32(scores[i]);
        kept += mask[i];
        expected += p;
        variance += p * (1 - p);
      }
      // Five standard deviations of the Bernoulli sum (plus one for the all-0/1 case).
      const bound = 5 * Math.sqrt(variance) + 1;
      assert.ok(
        Math.abs(kept - expected) <= bound,
        `${name}: kept ${kept}, expected ${expected.toFixed(1)} +- ${bound.toFixed(1)}`,
      );
    });
  }
});

gpuTest("supermask_sample does not depend on the dispatch split", async (t, gpu) => {
  const rng = new Rng(19, "supermask split");
  const n = 70_001, runs = 2, cut = 12_345;
  const scores = new Float32Array(runs * n).map(() => 3 * rng.nextNormal());
  const whole = geometry(n, runs, { counterBase: 1000 });
  await t.step("two dispatches over [0, cut) and [cut, n) equal one over [0, n)", async () => {
    const one = await sample(gpu, scores, runs * n, [whole], 4);
    const two = await sample(gpu, scores, runs * n, [
      { ...whole, n: cut },
      {
        ...whole,
        n: n - cut,
        scoreOffset: cut,
        maskOffset: cut,
        counterBase: whole.counterBase + cut,
      },
    ], 4);
    assert.deepEqual(two, one);
    // Runs one at a time, each with the run offsets folded into offsets and counter base.
    const perRun = await sample(
      gpu,
      scores,
      runs * n,
      Array.from({ length: runs }, (_, r) => ({
        ...whole,
        runs: 1,
        scoreOffset: r * n,
        maskOffset: r * n,
        counterBase: whole.counterBase + r * whole.counterRunStride,
      })),
      4,
    );
    assert.deepEqual(perRun, one);
  });
  await t.step("the step from counters[1] picks fresh uniforms, as the reference", async () => {
    const atStep = async (step: number) => {
      const got = await sample(gpu, scores, runs * n, [whole], step);
      const ref = new Float64Array(runs * n);
      supermaskSampleReference(whole, step, scores, ref);
      let differ = 0;
      for (let i = 0; i < got.length; i++) differ += got[i] !== ref[i] ? 1 : 0;
      // Only uniforms within f32 rounding of p may land on the other side (op table: ~0).
      assert.ok(differ <= 3, `step ${step}: ${differ} entries differ from the reference`);
      return got;
    };
    const s0 = await atStep(0), s1 = await atStep(1);
    let changed = 0;
    for (let i = 0; i < s0.length; i++) changed += s0[i] !== s1[i] ? 1 : 0;
    assert.ok(changed > 0.1 * s0.length, `only ${changed} entries changed between steps`);
  });
});
