/**
 * What the op table's tolerances cannot show for the 2-D convolution kernels: output sizes and
 * their errors; bit-identical results for S runs in one dispatch and each run alone, for every
 * tile specialisation (CPU and discrete) and for a grid continued in y; gradients of masked
 * weights exactly +0.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { type BufferPool, type Gpu, readF32 } from "../../src/gpu/mod.ts";
import { prepareConv2d } from "../../src/nn/conv2d.ts";
import { prepareConv2dInputGrad } from "../../src/nn/conv2d_input_grad.ts";
import {
  conv2dGeometry,
  type Conv2dOptions,
  conv2dOutputSize,
  type Conv2dShape,
} from "../../src/nn/conv2d_shape.ts";
import { conv2dWeightGradSlice, prepareConv2dWeightGrad } from "../../src/nn/conv2d_weight_grad.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { maskF32, scoped, submit, uniformF32 } from "../fixtures/gpu.ts";

Deno.test("conv2dOutputSize is floor((size + 2p - k) / s) + 1", () => {
  assert.equal(conv2dOutputSize(32, 3, 1, 1), 32);
  assert.equal(conv2dOutputSize(32, 3, 2, 1), 16);
  assert.equal(conv2dOutputSize(7, 3, 2, 2), 5);
  assert.equal(conv2dOutputSize(1, 1, 1, 0), 1);
  assert.equal(conv2dOutputSize(2, 5, 1, 2), 2);
  assert.equal(conv2dOutputSize(10, 3, 3, 1), 4);
});

Deno.test("the weight gradient is split over the batch below 65,536 weights, by shape alone", () => {
  const shape = (inChannels: number, outChannels: number, batch = 60) => ({
    runs: 1,
    batch,
    inChannels,
    height: 28,
    width: 28,
    outChannels,
    kernel: 3,
    stride: 1,
    padding: 1,
  });
  assert.equal(conv2dWeightGradSlice(shape(4, 4)), 1); // 144 weights: 60 slices of 1 example
  assert.equal(conv2dWeightGradSlice(shape(16, 16)), 3); // 2,304: 29 slices wanted, 20 of 3
  assert.equal(conv2dWeightGradSlice(shape(64, 64)), 30); // 36,864: 2 slices
  assert.equal(conv2dWeightGradSlice(shape(64, 128)), 60); // 73,728: one pass
  assert.equal(conv2dWeightGradSlice({ ...shape(4, 4), runs: 7 }), 1); // runs do not matter
  assert.equal(conv2dWeightGradSlice(shape(4, 4, 1)), 1);
});

Deno.test("conv2dOutputSize names the values when the output would be empty", () => {
  assert.throws(
    () => conv2dOutputSize(2, 5, 1, 1),
    (e: unknown) =>
      e instanceof RangeError && /size 2/.test(e.message) && /padding 1/.test(e.message) &&
      /kernel 5/.test(e.message) && /stride 1/.test(e.message) && /= 0 is below 1/.test(e.message),
  );
});

Deno.test("conv2dGeometry rejects a zero stride, a negative padding and fractional sizes", () => {
  const shape: Conv2dShape = {
    runs: 1,
    batch: 2,
    inChannels: 3,
    height: 8,
    width: 8,
    outChannels: 4,
    kernel: 3,
    stride: 1,
    padding: 1,
  };
  assert.equal(conv2dGeometry(shape).outHeight, 8);
  assert.throws(() => conv2dGeometry({ ...shape, stride: 0 }), /stride must be a positive/);
  assert.throws(() => conv2dGeometry({ ...shape, padding: -1 }), /padding must be an integer/);
  assert.throws(() => conv2dGeometry({ ...shape, width: 7.5 }), /width must be a positive/);
});

/** Same bits, naming the first differing element. */
function assertSameBytes(what: string, a: Float32Array, b: Float32Array): void {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}

/** The same GPU as a discrete adapter looks to src/nn/matmul.ts (64 lanes, smaller tiles). */
function asDiscrete(gpu: Gpu): Gpu {
  return {
    ...gpu,
    provenance: { ...gpu.provenance, isFallbackAdapter: false, description: "discrete (test)" },
  };
}

/** Host data of S runs: x, dy, parameters (and mask) with a gap around each run's weights. */
interface Data {
  shape: Conv2dShape;
  paramsPerRun: number;
  x: Float32Array;
  dy: Float32Array;
  params: Float32Array;
  mask: Float32Array;
}

const WEIGHT_OFFSET = 2;

function makeData(shape: Conv2dShape, seed: string): Data {
  const rng = new Rng(11, seed);
  const g = conv2dGeometry(shape);
  const paramsPerRun = WEIGHT_OFFSET + g.weightsPerRun + g.outChannels + 3;
  return {
    shape,
    paramsPerRun,
    x: uniformF32(rng, g.runs * g.inputsPerRun),
    dy: uniformF32(rng, g.runs * g.outputsPerRun),
    params: uniformF32(rng, g.runs * paramsPerRun),
    mask: maskF32(rng, g.runs * paramsPerRun, 0.6),
  };
}

/** Run r's data as a one-run problem. */
function alone(d: Data, r: number): Data {
  const g = conv2dGeometry(d.shape);
  const slice = (a: Float32Array, n: number) => a.slice(r * n, (r + 1) * n);
  return {
    shape: { ...d.shape, runs: 1 },
    paramsPerRun: d.paramsPerRun,
    x: slice(d.x, g.inputsPerRun),
    dy: slice(d.dy, g.outputsPerRun),
    params: slice(d.params, d.paramsPerRun),
    mask: slice(d.mask, d.paramsPerRun),
  };
}

/** y (forward +mask +bias +relu), dx (+mask) and dW (+gradMask) of `d`, read back. */
async function runAll(
  gpu: Gpu,
  pool: BufferPool,
  d: Data,
  options: Conv2dOptions = {},
): Promise<{ y: Float32Array; dx: Float32Array; dW: Float32Array }> {
  const g = conv2dGeometry(d.shape);
  const layout = { paramsPerRun: d.paramsPerRun, weightOffset: WEIGHT_OFFSET };
  const params = pool.upload("params", d.params), mask = pool.upload("mask", d.mask);
  const x = pool.upload("x", d.x), dy = pool.upload("dy", d.dy);
  const y = pool.storage("y", 4 * g.runs * g.outputsPerRun);
  const dx = pool.storage("dx", 4 * g.runs * g.inputsPerRun);
  const grads = pool.storage("grads", 4 * g.runs * d.paramsPerRun);
  submit(gpu, [
    await prepareConv2d(gpu, pool, {
      ...d.shape,
      ...layout,
      biasOffset: WEIGHT_OFFSET + g.weightsPerRun,
      x,
      y,
      params,
      mask,
      relu: true,
    }, options),
    await prepareConv2dInputGrad(
      gpu,
      pool,
      { ...d.shape, ...layout, dy, dx, params, mask },
      options,
    ),
    ...await prepareConv2dWeightGrad(gpu, pool, {
      ...d.shape,
      ...layout,
      dy,
      x,
      grads,
      gradMask: mask,
    }, options),
  ]);
  return {
    y: await readF32(gpu.device, y),
    dx: await readF32(gpu.device, dx),
    dW: await readF32(gpu.device, grads),
  };
}

const SHAPES: readonly Conv2dShape[] = [
  {
    runs: 3,
    batch: 3,
    inChannels: 5,
    height: 9,
    width: 7,
    outChannels: 37,
    kernel: 3,
    stride: 1,
    padding: 1,
  },
  {
    runs: 2,
    batch: 2,
    inChannels: 3,
    height: 11,
    width: 10,
    outChannels: 6,
    kernel: 5,
    stride: 2,
    padding: 2,
  },
];

gpuTest("conv2d kernels: runs batched, tiles and grids change no bit", async (t, gpu) => {
  for (const shape of SHAPES) {
    const d = makeData(shape, JSON.stringify(shape));
    const label = `${shape.runs} runs, C=${shape.inChannels} ${shape.height}x${shape.width} ` +
      `k${shape.kernel} s${shape.stride} p${shape.padding} O=${shape.outChannels}`;
    await t.step(label, async () => {
      await scoped(gpu, label, async (pool) => {
        const together = await runAll(gpu, pool, d);
        const g = conv2dGeometry(shape);
        for (let r = 0; r < shape.runs; r++) {
          const one = await runAll(gpu, pool, alone(d, r));
          const part = (a: Float32Array, n: number) => a.subarray(r * n, (r + 1) * n);
          assertSameBytes(`y of run ${r}`, part(together.y, g.outputsPerRun), one.y);
          assertSameBytes(`dx of run ${r}`, part(together.dx, g.inputsPerRun), one.dx);
          assertSameBytes(`dW of run ${r}`, part(together.dW, d.paramsPerRun), one.dW);
        }
        for (
          const [name, other] of [
            ["discrete tiles", await runAll(asDiscrete(gpu), pool, d)],
            ["grid continued in y", await runAll(gpu, pool, d, { maxWorkgroupsX: 2 })],
            ["a second dispatch", await runAll(gpu, pool, d)],
          ] as const
        ) {
          assertSameBytes(`y, ${name}`, together.y, other.y);
          assertSameBytes(`dx, ${name}`, together.dx, other.dx);
          assertSameBytes(`dW, ${name}`, together.dW, other.dW);
        }
        // A pruned weight's gradient is +0 exactly, not -0.
        let pruned = 0;
        for (let r = 0; r < shape.runs; r++) {
          for (let i = 0; i < g.weightsPerRun; i++) {
            const at = r * d.paramsPerRun + WEIGHT_OFFSET + i;
            if (d.mask[at] !== 0) continue;
            pruned++;
            assert.ok(
              Object.is(together.dW[at], 0),
              `dW[${at}] of a pruned weight is ${together.dW[at]}`,
            );
          }
        }
        assert.ok(pruned > 0);
      });
    });
  }
});
