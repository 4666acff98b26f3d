/**
 * Batch norm beyond the op table (which checks each kernel against its own reference): the
 * references' backward formulas against central differences of their forward; the four kernels
 * chained normalise each channel to mean 0 and variance 1; evaluation with running statistics
 * (0, 1) is gamma * x + beta; two runs batched give the same bits as each run alone.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { type BufferPool, type Gpu, readF32 } from "../../src/gpu/mod.ts";
import { batchNormApplyReference, prepareBatchNormApply } from "../../src/nn/batchnorm_apply.ts";
import {
  batchNormGradStatsReference,
  prepareBatchNormGradStats,
} from "../../src/nn/batchnorm_grad_stats.ts";
import {
  batchNormInputGradReference,
  prepareBatchNormInputGrad,
} from "../../src/nn/batchnorm_input_grad.ts";
import {
  BATCHNORM_EPS,
  batchNormScratchLength,
  type BatchNormShape,
} from "../../src/nn/batchnorm_shape.ts";
import { batchNormStatsReference, prepareBatchNormStats } from "../../src/nn/batchnorm_stats.ts";
import { scoped, submit, uniformF32 } from "../fixtures/gpu.ts";
import { gpuTest } from "../gpu_test_helper.ts";

/** gamma [C] at 0, beta [C] at C, per run; running mean [C] at 0, running var [C] at C. */
const affineOf = (C: number) => ({ gammaOffset: 0, betaOffset: C, paramsPerRun: 2 * C });
const runningOf = (C: number) => ({ meanOffset: 0, varOffset: C, statePerRun: 2 * C });

Deno.test("batch norm references: the backward matches central differences of the forward", () => {
  const shape: BatchNormShape = { runs: 2, batch: 3, channels: 2, spatial: 4 };
  const C = shape.channels, n = 2 * 3 * 2 * 4;
  const rng = new Rng(11, "batchnorm finite differences");
  const x = Float64Array.from({ length: n }, () => 3 * rng.nextNormal() + 1);
  const w = Float64Array.from({ length: n }, () => rng.nextNormal()); // L = sum w * y, dy = w
  const params = Float64Array.from({ length: 2 * 2 * C }, () => rng.nextNormal());
  const geometry = { ...shape, affine: affineOf(C) };
  const loss = (x: Float64Array, params: Float64Array) => {
    const saved = new Float64Array(batchNormScratchLength(shape));
    const state = new Float64Array(2 * 2 * C);
    batchNormStatsReference({ ...shape, ...runningOf(C) }, x, saved, state);
    const y = new Float64Array(n);
    batchNormApplyReference({ ...geometry, training: true }, { x, saved, params }, y);
    return y.reduce((sum, v, i) => sum + w[i] * v, 0);
  };
  const saved = new Float64Array(batchNormScratchLength(shape));
  batchNormStatsReference({ ...shape, ...runningOf(C) }, x, saved, new Float64Array(4 * C));
  const sums = new Float64Array(batchNormScratchLength(shape));
  const grads = new Float64Array(params.length);
  batchNormGradStatsReference(geometry, x, w, saved, sums, grads);
  const dx = new Float64Array(n);
  batchNormInputGradReference(geometry, x, w, saved, sums, params, dx);
  const h = 1e-6;
  const central = (v: Float64Array, i: number, f: () => number) => {
    const keep = v[i];
    v[i] = keep + h;
    const up = f();
    v[i] = keep - h;
    const down = f();
    v[i] = keep;
    return (up - down) / (2 * h);
  };
  for (let i = 0; i < n; i++) {
    const numeric = central(x, i, () => loss(x, params));
    assert.ok(Math.abs(dx[i] - numeric) < 1e-6, `dx[${i}] ${dx[i]} vs ${numeric}`);
  }
  for (let i = 0; i < params.length; i++) {
    const numeric = central(params, i, () => loss(x, params));
    assert.ok(Math.abs(grads[i] - numeric) < 1e-6, `dparams[${i}] ${grads[i]} vs ${numeric}`);
  }
});

interface Chain {
  y: Float32Array;
  saved: Float32Array;
  state: Float32Array;
  grads: Float32Array;
  dx: Float32Array;
}

/** Training forward (stats, apply + ReLU) and backward (grad stats, input grad) on the GPU. */
async function trainingChain(
  gpu: Gpu,
  pool: BufferPool,
  shape: BatchNormShape,
  host: { x: Float32Array; dy: Float32Array; params: Float32Array; state: Float32Array },
  relu: boolean,
): Promise<Chain> {
  const C = shape.channels;
  const upload = (label: string, data: Float32Array) => pool.upload(label, data);
  const x = upload("X", host.x), dy = upload("dY", host.dy), params = upload("P", host.params);
  const state = upload("state", host.state);
  const saved = pool.storage("saved", 4 * batchNormScratchLength(shape));
  const sums = pool.storage("sums", 4 * batchNormScratchLength(shape));
  const grads = pool.storage("G", 4 * host.params.length);
  const y = pool.storage("Y", 4 * host.x.length), dx = pool.storage("dX", 4 * host.x.length);
  submit(gpu, [
    await prepareBatchNormStats(gpu, pool, { ...shape, ...runningOf(C), x, saved, state }),
    await prepareBatchNormApply(gpu, pool, {
      ...shape,
      x,
      y,
      mode: { training: true, saved },
      affine: { ...affineOf(C), params },
      relu,
    }),
    await prepareBatchNormGradStats(gpu, pool, {
      ...shape,
      x,
      dy,
      saved,
      sums,
      affine: { ...affineOf(C), grads },
    }),
    await prepareBatchNormInputGrad(gpu, pool, {
      ...shape,
      x,
      dy,
      saved,
      sums,
      dx,
      affine: { ...affineOf(C), params },
    }),
  ]);
  const read = (b: GPUBuffer) => readF32(gpu.device, b);
  return {
    y: await read(y),
    saved: await read(saved),
    state: await read(state),
    grads: await read(grads),
    dx: await read(dx),
  };
}

function hostInputs(rng: Rng, shape: BatchNormShape, offset: number, scale: number) {
  const n = shape.runs * shape.batch * shape.channels * shape.spatial, C = shape.channels;
  const params = new Float32Array(shape.runs * 2 * C);
  for (let i = 0; i < params.length; i++) params[i] = i % (2 * C) < C ? 1 : 0; // gamma 1, beta 0
  const state = new Float32Array(shape.runs * 2 * C);
  for (let i = 0; i < state.length; i++) state[i] = i % (2 * C) < C ? 0 : 1;
  return {
    x: uniformF32(rng, n, offset - scale, offset + scale),
    dy: uniformF32(rng, n),
    params,
    state,
  };
}

gpuTest(
  "batch norm in training: each channel's output has mean 0 and variance 1",
  async (_t, gpu) => {
    const shape: BatchNormShape = { runs: 2, batch: 8, channels: 3, spatial: 36 };
    const { runs, batch: B, channels: C, spatial: S } = shape;
    const host = hostInputs(new Rng(5, "batchnorm moments"), shape, 5, 3);
    await scoped(gpu, "batchnorm moments", async (pool) => {
      const { y } = await trainingChain(gpu, pool, shape, host, false);
      for (let r = 0; r < runs; r++) {
        for (let c = 0; c < C; c++) {
          let m1 = 0, m2 = 0;
          for (let b = 0; b < B; b++) {
            for (let s = 0; s < S; s++) {
              const v = y[((r * B + b) * C + c) * S + s];
              m1 += v / (B * S);
              m2 += v * v / (B * S);
            }
          }
          // The biased variance is var / (var + eps), 1 - 1e-5 / 3 for x uniform in 5 +- 3.
          assert.ok(Math.abs(m1) < 1e-5, `run ${r} channel ${c}: mean ${m1}`);
          assert.ok(Math.abs(m2 - m1 * m1 - 1) < 1e-4, `run ${r} channel ${c}: variance ${m2}`);
        }
      }
    });
  },
);

gpuTest(
  "batch norm in evaluation with running statistics (0, 1) is gamma * x + beta",
  async (_t, gpu) => {
    const shape: BatchNormShape = { runs: 2, batch: 4, channels: 3, spatial: 25 };
    const C = shape.channels, rng = new Rng(6, "batchnorm eval identity");
    const host = hostInputs(rng, shape, 0, 2);
    const params = uniformF32(rng, shape.runs * 2 * C);
    await scoped(gpu, "batchnorm eval identity", async (pool) => {
      const y = pool.storage("Y", 4 * host.x.length);
      submit(gpu, [
        await prepareBatchNormApply(gpu, pool, {
          ...shape,
          x: pool.upload("X", host.x),
          y,
          mode: {
            training: false,
            running: { ...runningOf(C), state: pool.upload("S", host.state) },
          },
          affine: { ...affineOf(C), params: pool.upload("P", params) },
        }),
      ]);
      const got = await readF32(gpu.device, y);
      for (let i = 0; i < got.length; i++) {
        const r = Math.floor(i / (shape.batch * C * shape.spatial));
        const c = Math.floor(i / shape.spatial) % C;
        const expected = params[r * 2 * C + c] * host.x[i] + params[r * 2 * C + C + c];
        // 1 / sqrt(1 + eps) = 1 - eps / 2 + ...: gamma * x changes by 5e-6 of itself; the rest
        // is a few f32 roundings of values below 3.
        const gx = params[r * 2 * C + c] * host.x[i];
        assert.ok(
          Math.abs(got[i] - expected) <= Math.abs(gx) * BATCHNORM_EPS / 2 + 2e-6,
          `y[${i}] ${got[i]} vs ${expected}`,
        );
      }
    });
  },
);

gpuTest("batch norm: two runs batched give the same bits as each run alone", async (_t, gpu) => {
  const both: BatchNormShape = { runs: 2, batch: 5, channels: 4, spatial: 49 };
  const one: BatchNormShape = { ...both, runs: 1 };
  const host = hostInputs(new Rng(8, "batchnorm runs batched"), both, 1, 2);
  const perRun = (a: Float32Array, r: number) => a.slice(r * a.length / 2, (r + 1) * a.length / 2);
  const batched = await scoped(
    gpu,
    "batched",
    (pool) => trainingChain(gpu, pool, both, host, true),
  );
  for (const r of [0, 1]) {
    const alone = await scoped(gpu, `run ${r} alone`, (pool) =>
      trainingChain(gpu, pool, one, {
        x: perRun(host.x, r),
        dy: perRun(host.dy, r),
        params: perRun(host.params, r),
        state: perRun(host.state, r),
      }, true));
    for (const name of ["y", "saved", "state", "grads", "dx"] as const) {
      const a = new Uint32Array(perRun(batched[name], r).buffer);
      const b = new Uint32Array(alone[name].buffer);
      assert.deepEqual(a, b, `run ${r} ${name}`);
    }
  }
});
