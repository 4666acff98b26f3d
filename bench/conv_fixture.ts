/**
 * The 2-D convolution layer both benches time (bench/kernels_bench.ts, bench/tfjs_bench.ts):
 * seeded host data, its GPU buffers, the three prepared dispatches, and checks of their results
 * against the f64 references on samples (the full references of a CIFAR-sized layer take
 * minutes in plain loops). Imports no npm package.
 */
import { Rng } from "../src/base/rng.ts";
import { type BufferPool, type Dispatch, type Gpu, readF32 } from "../src/gpu/mod.ts";
import { conv2dReference, prepareConv2d } from "../src/nn/conv2d.ts";
import { conv2dInputGradReference, prepareConv2dInputGrad } from "../src/nn/conv2d_input_grad.ts";
import {
  type Conv2dGeometry,
  conv2dGeometry,
  type Conv2dOptions,
  type Conv2dShape,
} from "../src/nn/conv2d_shape.ts";
import { prepareConv2dWeightGrad } from "../src/nn/conv2d_weight_grad.ts";
import { reduction } from "../tests/nn/op_kit.ts";

/** batch 60, 64 channels of 32x32, a 3x3 kernel to 64 channels, stride 1, padding 1. */
export const BENCH_LAYER: Omit<Conv2dShape, "runs"> = {
  batch: 60,
  inChannels: 64,
  height: 32,
  width: 32,
  outChannels: 64,
  kernel: 3,
  stride: 1,
  padding: 1,
};

/** `conv2d 60x64x32x32 k3 o64`. */
export function layerName(s: Omit<Conv2dShape, "runs">): string {
  const stride = s.stride === 1 ? "" : ` s${s.stride}`;
  return `conv2d ${s.batch}x${s.inChannels}x${s.height}x${s.width} k${s.kernel} o${s.outChannels}${stride}`;
}

export type ConvRole = "fwd" | "dx" | "dw";

export interface ConvLayer {
  g: Conv2dGeometry;
  /** Host copies: x and dy [runs, batch, ...], params [runs, paramsPerRun] (W of each run). */
  x: Float32Array;
  dy: Float32Array;
  params: Float32Array;
  paramsPerRun: number;
  buffers: {
    x: GPUBuffer;
    y: GPUBuffer;
    dy: GPUBuffer;
    dx: GPUBuffer;
    params: GPUBuffer;
    grads: GPUBuffer;
  };
  /** fwd: y = conv(x, W) (no bias, no ReLU: what tf.conv2d computes); dx: conv_transpose(dy,
   * W); dw: into grads. */
  /** Each role's dispatches (the weight gradient of a small layer is two: slices, then their sum). */
  dispatches: Record<ConvRole, Dispatch[]>;
  /** The buffer each role writes. */
  output: Record<ConvRole, GPUBuffer>;
}

export async function makeConvLayer(
  gpu: Gpu,
  pool: BufferPool,
  shape: Conv2dShape,
  seed = 1,
  options: Conv2dOptions = {},
): Promise<ConvLayer> {
  const g = conv2dGeometry(shape);
  const rng = new Rng(seed, "conv bench");
  const uniform = (n: number, scale = 1) =>
    new Float32Array(n).map(() => scale * (2 * rng.nextUnit() - 1));
  const paramsPerRun = g.weightsPerRun;
  // He-like weight scale keeps y of order 1, as in a trained network.
  const params = uniform(g.runs * paramsPerRun, Math.sqrt(6 / (g.inChannels * g.kernel ** 2)));
  const x = uniform(g.runs * g.inputsPerRun), dy = uniform(g.runs * g.outputsPerRun);
  const buffers = {
    x: pool.upload("conv x", x),
    y: pool.storage("conv y", 4 * g.runs * g.outputsPerRun),
    dy: pool.upload("conv dy", dy),
    dx: pool.storage("conv dx", 4 * g.runs * g.inputsPerRun),
    params: pool.upload("conv params", params),
    grads: pool.storage("conv grads", 4 * g.runs * paramsPerRun),
  };
  const layout = { paramsPerRun, weightOffset: 0 };
  const dispatches = {
    fwd: [
      await prepareConv2d(gpu, pool, {
        ...shape,
        ...layout,
        x: buffers.x,
        y: buffers.y,
        params: buffers.params,
        relu: false,
      }),
    ],
    dx: [
      await prepareConv2dInputGrad(gpu, pool, {
        ...shape,
        ...layout,
        dy: buffers.dy,
        dx: buffers.dx,
        params: buffers.params,
      }),
    ],
    dw: await prepareConv2dWeightGrad(gpu, pool, {
      ...shape,
      ...layout,
      dy: buffers.dy,
      x: buffers.x,
      grads: buffers.grads,
    }, options),
  };
  return {
    g,
    x,
    dy,
    params,
    paramsPerRun,
    buffers,
    dispatches,
    output: { fwd: buffers.y, dx: buffers.dx, dw: buffers.grads },
  };
}

/** FLOPs of one role (the same 2*M*N*K for all three) over every run. */
export function convFlops(layer: ConvLayer): number {
  const { g } = layer;
  return 2 * g.runs * g.outputsPerRun * g.inChannels * g.kernel * g.kernel;
}

function assertClose(what: string, got: number, want: number, atol: number, rtol: number) {
  if (!(Math.abs(got - want) <= atol + rtol * Math.abs(want))) {
    throw new Error(`${what} is ${got}, the f64 reference ${want} (atol ${atol}, rtol ${rtol})`);
  }
}

/**
 * Compares `got` (the role's output, read back) with the f64 reference: y and dx on the first
 * and last image of the first and last run (an image needs only its own x or dy), dW on 40
 * entries of each of those runs, corners included.
 */
export function checkConvRole(layer: ConvLayer, role: ConvRole, got: Float32Array): void {
  const { g } = layer;
  const image = { ...g, runs: 1, batch: 1 };
  const params = (r: number) =>
    layer.params.subarray(r * layer.paramsPerRun, (r + 1) * layer.paramsPerRun);
  for (const r of new Set([0, g.runs - 1])) {
    if (role === "dw") {
      checkWeightGrad(layer, r, got);
      continue;
    }
    for (const b of new Set([0, g.batch - 1])) {
      const inAt = (r * g.batch + b) * g.inputsPerRun / g.batch;
      const outAt = (r * g.batch + b) * g.outputsPerRun / g.batch;
      if (role === "fwd") {
        const ref = new Float64Array(g.outputsPerRun / g.batch);
        conv2dReference({
          ...image,
          x: layer.x.subarray(inAt, inAt + g.inputsPerRun / g.batch),
          params: params(r),
          paramsPerRun: layer.paramsPerRun,
          weightOffset: 0,
          relu: false,
        }, ref);
        const tol = reduction(g.inChannels * g.kernel ** 2, 1);
        ref.forEach((v, i) =>
          assertClose(
            `${role} y[run ${r}, image ${b}][${i}]`,
            got[outAt + i],
            v,
            tol.atol,
            tol.rtol,
          )
        );
      } else {
        const ref = new Float64Array(g.inputsPerRun / g.batch);
        conv2dInputGradReference({
          ...image,
          dy: layer.dy.subarray(outAt, outAt + g.outputsPerRun / g.batch),
          params: params(r),
          paramsPerRun: layer.paramsPerRun,
          weightOffset: 0,
        }, ref);
        const tol = reduction(g.outChannels * g.kernel ** 2, 1);
        ref.forEach((v, i) =>
          assertClose(
            `${role} dx[run ${r}, image ${b}][${i}]`,
            got[inAt + i],
            v,
            tol.atol,
            tol.rtol,
          )
        );
      }
    }
  }
}

function checkWeightGrad(layer: ConvLayer, r: number, got: Float32Array): void {
  const { g } = layer;
  const { batch, inChannels: C, height: H, width: W, outChannels: O, kernel: k } = g;
  const { stride: s, padding: p, outHeight: OH, outWidth: OW } = g;
  const rng = new Rng(5, "conv bench dW samples");
  const samples = [[0, 0, 0, 0], [O - 1, C - 1, k - 1, k - 1], [0, C - 1, 0, k - 1]];
  while (samples.length < 40) {
    samples.push([rng.nextInt(O), rng.nextInt(C), rng.nextInt(k), rng.nextInt(k)]);
  }
  const tol = reduction(batch * OH * OW, 1);
  for (const [o, c, kh, kw] of samples) {
    let sum = 0;
    for (let b = 0; b < batch; b++) {
      const dyAt = ((r * batch + b) * O + o) * OH * OW, xAt = ((r * batch + b) * C + c) * H * W;
      for (let oh = 0; oh < OH; oh++) {
        const ih = oh * s - p + kh;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const iw = ow * s - p + kw;
          if (iw < 0 || iw >= W) continue;
          sum += layer.dy[dyAt + oh * OW + ow] * layer.x[xAt + ih * W + iw];
        }
      }
    }
    const i = r * layer.paramsPerRun + ((o * C + c) * k + kh) * k + kw;
    assertClose(`dw dW[run ${r}][${o},${c},${kh},${kw}]`, got[i], sum, tol.atol, tol.rtol);
  }
}

/** Reads a role's output back (the whole buffer). */
export function readConvOutput(gpu: Gpu, layer: ConvLayer, role: ConvRole): Promise<Float32Array> {
  return readF32(gpu.device, layer.output[role]);
}
