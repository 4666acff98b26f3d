/**
 * The op table's pooling, element-wise and batch-norm entries (kernels/maxpool2d*,
 * global_avgpool*, add, sign_activation*, batchnorm_*). Activations are [runs, batch, channels, H, W] (batch norm:
 * [runs, batch, channels, spatial]); every case computes its reference from the same f32 inputs
 * the kernel reads, and pre-fills outputs with noise so an element the kernel fails to write
 * shows up.
 */
import type { Rng } from "../../src/base/rng.ts";
import { readF32 } from "../../src/gpu/mod.ts";
import { addReference, prepareAdd } from "../../src/nn/add.ts";
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
  type BatchNormAffineLayout,
  type BatchNormRunningLayout,
  batchNormScratchLength,
  type BatchNormShape,
} from "../../src/nn/batchnorm_shape.ts";
import { batchNormStatsReference, prepareBatchNormStats } from "../../src/nn/batchnorm_stats.ts";
import { globalAvgPoolReference, prepareGlobalAvgPool } from "../../src/nn/global_avgpool.ts";
import {
  globalAvgPoolBackwardReference,
  prepareGlobalAvgPoolBackward,
} from "../../src/nn/global_avgpool_backward.ts";
import { maxPool2dReference, prepareMaxPool2d } from "../../src/nn/maxpool2d.ts";
import {
  maxPool2dBackwardReference,
  prepareMaxPool2dBackward,
} from "../../src/nn/maxpool2d_backward.ts";
import { planeCount, type Pool2dShape, pooledSize } from "../../src/nn/pool_shape.ts";
import { prepareSignActivation, signActivationReference } from "../../src/nn/sign_activation.ts";
import {
  prepareSignActivationBackward,
  signActivationBackwardReference,
} from "../../src/nn/sign_activation_backward.ts";
import { submit, uniformF32 } from "../fixtures/gpu.ts";
import {
  EXACT,
  F32,
  f32,
  f64,
  type Op,
  type OpCase,
  type OpContext,
  type OpResult,
  reduction,
  split2,
  type Tolerance,
} from "./op_kit.ts";

/** Past 65535 workgroups of 256 a flat kernel also uses the dispatch's y dimension. */
const BEYOND_ONE_DIMENSION = 65535 * 256 + 77;

// ---------------------------------------------------------------------------------------------
// Pooling

interface PoolCase extends OpCase, Pool2dShape {
  /** Max pooling's window side (= stride); 2 when absent. */
  window?: number;
}

function poolCase(
  runs: number,
  batch: number,
  channels: number,
  height: number,
  width: number,
  options: { window?: number; note?: string } = {},
): PoolCase {
  const k = options.window === undefined ? "" : ` k=${options.window}`;
  const note = options.note ? ` (${options.note})` : "";
  return {
    name: `runs=${runs} B=${batch} C=${channels} ${height}x${width}${k}${note}`,
    runs,
    batch,
    channels,
    height,
    width,
    window: options.window,
  };
}

/** Integers in [-2, 2]: a 2 x 2 window holds a tie for its maximum more often than not. */
function tiedF32(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextInt(5) - 2;
  return out;
}

const MAXPOOL_CASES: readonly PoolCase[] = [
  poolCase(1, 1, 1, 2, 2, { note: "1x1 output" }),
  poolCase(2, 3, 5, 7, 9, { note: "odd H, W: floor drops the last row and column" }),
  poolCase(1, 2, 3, 10, 8, { window: 3, note: "3x2 output, a row and 2 columns dropped" }),
  poolCase(1, 2, 2, 3, 17),
  poolCase(2, 4, 16, 32, 32),
];

async function runMaxPool(ctx: OpContext, c: PoolCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const out = pooledSize(c, c.window ?? 2);
  const x = tiedF32(rng, planeCount(c) * c.height * c.width);
  const spec = {
    ...c,
    x: pool.upload("X", x),
    y: pool.upload("Y", uniformF32(rng, planeCount(c) * out.height * out.width, 5, 6)),
  };
  submit(gpu, [await prepareMaxPool2d(gpu, pool, spec)]);
  const ref = new Float64Array(planeCount(c) * out.height * out.width);
  maxPool2dReference(c, x, ref);
  return { gpu: { Y: await readF32(gpu.device, spec.y) }, reference: { Y: ref } };
}

async function runMaxPoolBackward(ctx: OpContext, c: PoolCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const out = pooledSize(c, c.window ?? 2);
  const n = planeCount(c) * c.height * c.width;
  const x = tiedF32(rng, n);
  const dy = uniformF32(rng, planeCount(c) * out.height * out.width);
  const spec = {
    ...c,
    x: pool.upload("X", x),
    dy: pool.upload("dY", dy),
    dx: pool.upload("dX", uniformF32(rng, n, 5, 6)),
  };
  submit(gpu, [await prepareMaxPool2dBackward(gpu, pool, spec)]);
  const ref = new Float64Array(n);
  maxPool2dBackwardReference(c, x, dy, ref);
  return { gpu: { dX: await readF32(gpu.device, spec.dx) }, reference: { dX: ref } };
}

const AVGPOOL_CASES: readonly PoolCase[] = [
  poolCase(1, 3, 2, 1, 1, { note: "S = 1" }),
  poolCase(3, 2, 5, 7, 9),
  poolCase(2, 128, 64, 8, 8, { note: "a ResNet head" }),
  poolCase(1, 60, 16, 32, 32),
];

/** Inputs in [-0.5, 1.5): a mean away from zero, so the rtol part of the tolerance matters. */
const AVGPOOL_MAGNITUDE = 1.5;

async function runAvgPool(ctx: OpContext, c: PoolCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = uniformF32(rng, planeCount(c) * c.height * c.width, -0.5, AVGPOOL_MAGNITUDE);
  const spec = {
    ...c,
    x: pool.upload("X", x),
    y: pool.upload("Y", uniformF32(rng, planeCount(c), 5, 6)),
  };
  submit(gpu, [await prepareGlobalAvgPool(gpu, pool, spec)]);
  const ref = new Float64Array(planeCount(c));
  globalAvgPoolReference(c, x, ref);
  return { gpu: { Y: await readF32(gpu.device, spec.y) }, reference: { Y: ref } };
}

async function runAvgPoolBackward(ctx: OpContext, c: PoolCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const n = planeCount(c) * c.height * c.width;
  const dy = uniformF32(rng, planeCount(c));
  const spec = {
    ...c,
    dy: pool.upload("dY", dy),
    dx: pool.upload("dX", uniformF32(rng, n, 5, 6)),
  };
  submit(gpu, [await prepareGlobalAvgPoolBackward(gpu, pool, spec)]);
  const ref = new Float64Array(n);
  globalAvgPoolBackwardReference(c, dy, ref);
  return { gpu: { dX: await readF32(gpu.device, spec.dx) }, reference: { dX: ref } };
}

// ---------------------------------------------------------------------------------------------
// add

interface AddCase extends OpCase {
  n: number;
  relu: boolean;
  subtract?: boolean;
}

/** a, b uniform in [-1, 1); one element in ten has b = -a (b = a subtracting), an exact zero. */
async function runAdd(ctx: OpContext, c: AddCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const a = uniformF32(rng, c.n), b = uniformF32(rng, c.n);
  for (let i = 0; i < c.n; i += 10) b[i] = c.subtract ? a[i] : -a[i];
  const spec = {
    n: c.n,
    relu: c.relu,
    subtract: c.subtract,
    a: pool.upload("A", a),
    b: pool.upload("B", b),
    y: pool.upload("Y", uniformF32(rng, c.n, 5, 6)),
  };
  submit(gpu, [await prepareAdd(gpu, pool, spec)]);
  const ref = new Float64Array(c.n);
  addReference(a, b, ref, c);
  return { gpu: { Y: await readF32(gpu.device, spec.y) }, reference: { Y: ref } };
}

/**
 * One f32 add is correctly rounded (WGSL): |error| <= 2^-24 |sum|. The atol 2^-126 only admits
 * a subnormal sum flushed to zero.
 */
const ONE_ROUNDING: Tolerance = { name: "one rounding", atol: 2 ** -126, rtol: 2 ** -24 };

// ---------------------------------------------------------------------------------------------
// sign_activation, sign_activation_backward (MPT-1/1's binary activation)

interface SignCase extends OpCase {
  n: number;
}

/** The largest f32 below 1 and the smallest above: the straight-through slope's edges. */
const BELOW_ONE = 1 - 2 ** -24, ABOVE_ONE = 1 + 2 ** -23;

/**
 * Where sign and its slope 2 * max(1 - |x|, 0) change: both zeros (sign 0, slope 2), exactly
 * +-1 (slope 0), just inside and outside +-1, tiny and huge magnitudes.
 */
const SIGN_EDGES = [
  0,
  -0,
  1,
  -1,
  BELOW_ONE,
  -BELOW_ONE,
  ABOVE_ONE,
  -ABOVE_ONE,
  1e-30,
  -1e-30,
  3e38,
  -3e38,
];

/** The edges first, then a third of the rest drawn from them, the others uniform in [-1.5, 1.5). */
function signInputs(rng: Rng, n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i < SIGN_EDGES.length) x[i] = SIGN_EDGES[i];
    else if (rng.nextUnit() < 1 / 3) x[i] = SIGN_EDGES[rng.nextInt(SIGN_EDGES.length)];
    else x[i] = 3 * rng.nextUnit() - 1.5;
  }
  return x;
}

async function runSign(ctx: OpContext, c: SignCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = signInputs(rng, c.n);
  const spec = { n: c.n, x: pool.upload("X", x), y: pool.upload("Y", uniformF32(rng, c.n, 5, 6)) };
  submit(gpu, [await prepareSignActivation(gpu, pool, spec)]);
  const ref = new Float64Array(c.n);
  signActivationReference(x, ref);
  return { gpu: { Y: await readF32(gpu.device, spec.y) }, reference: { Y: ref } };
}

async function runSignBackward(ctx: OpContext, c: SignCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = signInputs(rng, c.n), dy = uniformF32(rng, c.n);
  const spec = {
    n: c.n,
    x: pool.upload("X", x),
    dy: pool.upload("dY", dy),
    dx: pool.upload("dX", uniformF32(rng, c.n, 5, 6)),
  };
  submit(gpu, [await prepareSignActivationBackward(gpu, pool, spec)]);
  const ref = new Float64Array(c.n);
  signActivationBackwardReference(x, dy, ref);
  return { gpu: { dX: await readF32(gpu.device, spec.dx) }, reference: { dX: ref } };
}

const SIGN_CASES: readonly SignCase[] = [
  { name: "n=1 (x = 0)", n: 1 },
  { name: "n=1000", n: 1000 },
  { name: "n=65535*256+77 (2-D dispatch)", n: BEYOND_ONE_DIMENSION },
];

/**
 * 1 - |x| rounds once (exact for |x| >= 0.5), * 2 is exact, * dy rounds once: at most
 * (1 + 2^-24)^2 - 1 < 2^-23 relative; rtol 2^-22 leaves a factor 2, atol 2^-126 only admits a
 * subnormal product flushed to zero. The hardtanh STE (slope 1) would be off by up to |dy|.
 */
const TWO_ROUNDINGS: Tolerance = { name: "two roundings", atol: 2 ** -126, rtol: 2 ** -22 };

// ---------------------------------------------------------------------------------------------
// Batch norm
//
// Inputs x = offset + scale * u with u uniform in [-1, 1), and in every (run, channel) one
// value at offset - 0.9 scale and one at offset + 0.9 scale; the generator then checks that each
// channel's biased variance is at least scale^2 / 8 (two such values alone give a sum of squared
// deviations of at least 1.62 scale^2, enough for N <= 12; larger N lie near scale^2 / 3). The
// tolerances below rest on these bounds:
//   |x| <= M = |offset| + scale;  |x - mean| <= 2 scale;  var >= scale^2 / 8, so
//   |xhat| <= 2 scale / sqrt(scale^2 / 8) = sqrt(32) < XHAT_TRAINING = 6 and invstd <= sqrt(8)/scale.
// gamma is uniform in [-1.5, 1.5), beta in [-1, 1); running means in [-1, 1), variances in
// [0.5, 1.5), so in evaluation |xhat| <= (M + 1) / sqrt(0.5).

const GAMMA = 1.5, BETA = 1;
const XHAT_TRAINING = 6;

interface BnCase extends OpCase, BatchNormShape {
  affine: boolean;
  training: boolean;
  relu: boolean;
  offset: number;
  scale: number;
}

function bnCase(
  runs: number,
  batch: number,
  channels: number,
  spatial: number | [number, number],
  options: Partial<Pick<BnCase, "affine" | "training" | "relu" | "offset" | "scale">> & {
    note?: string;
  } = {},
): BnCase {
  const { affine = true, training = true, relu = false, offset = 2, scale = 1.5 } = options;
  const S = typeof spatial === "number" ? spatial : spatial[0] * spatial[1];
  const where = typeof spatial === "number" ? "1-d" : `${spatial[0]}x${spatial[1]}`;
  const flags = [
    training ? "training" : "eval",
    affine ? "affine" : "non-affine",
    relu && "+relu",
    options.offset !== undefined && `x ~ ${offset} +- ${scale}`,
    options.note && `(${options.note})`,
  ].filter(Boolean).join(" ");
  return {
    name: `runs=${runs} B=${batch} C=${channels} ${where} N=${batch * S} ${flags}`,
    runs,
    batch,
    channels,
    spatial: S,
    affine,
    training,
    relu,
    offset,
    scale,
  };
}

/** Per run: [pad 3 | gamma C | pad 1 | beta C | pad 1], so a wrong stride reads other numbers. */
function affineLayout(c: BnCase): BatchNormAffineLayout {
  return { gammaOffset: 3, betaOffset: c.channels + 4, paramsPerRun: 2 * c.channels + 5 };
}

/** Per run: [pad 1 | running mean C | pad 1 | running var C | pad 1]. */
function runningLayout(c: BnCase): BatchNormRunningLayout {
  return { meanOffset: 1, varOffset: c.channels + 2, statePerRun: 2 * c.channels + 3 };
}

function bnInput(rng: Rng, c: BnCase): Float32Array {
  const { runs, batch: B, channels: C, spatial: S, offset, scale } = c;
  const x = uniformF32(rng, runs * B * C * S, offset - scale, offset + scale);
  const N = B * S;
  for (let r = 0; r < runs; r++) {
    for (let ch = 0; ch < C; ch++) {
      const at = (j: number) => ((r * B + Math.floor(j / S)) * C + ch) * S + j % S;
      x[at(0)] = offset - 0.9 * scale;
      x[at(N - 1)] = offset + 0.9 * scale;
      let mean = 0, squares = 0;
      for (let j = 0; j < N; j++) mean += x[at(j)] / N;
      for (let j = 0; j < N; j++) squares += (x[at(j)] - mean) ** 2;
      if (squares / N < scale * scale / 8) {
        throw new Error(`case ${c.name}: channel ${ch} of run ${r} has variance below scale^2/8`);
      }
    }
  }
  return x;
}

/** The flat parameters: gamma, beta where the layout puts them, noise in the gaps. */
function bnParams(rng: Rng, c: BnCase): Float32Array {
  const layout = affineLayout(c);
  const params = uniformF32(rng, c.runs * layout.paramsPerRun + 2, 7, 8);
  for (let r = 0; r < c.runs; r++) {
    for (let ch = 0; ch < c.channels; ch++) {
      params[layout.gammaOffset + r * layout.paramsPerRun + ch] = GAMMA * (2 * rng.nextUnit() - 1);
      params[layout.betaOffset + r * layout.paramsPerRun + ch] = BETA * (2 * rng.nextUnit() - 1);
    }
  }
  return params;
}

/** The flat running statistics: means in [-1, 1), variances in [0.5, 1.5), noise in the gaps. */
function bnState(rng: Rng, c: BnCase): Float32Array {
  const layout = runningLayout(c);
  const state = uniformF32(rng, c.runs * layout.statePerRun + 2, 7, 8);
  for (let r = 0; r < c.runs; r++) {
    for (let ch = 0; ch < c.channels; ch++) {
      state[layout.meanOffset + r * layout.statePerRun + ch] = 2 * rng.nextUnit() - 1;
      state[layout.varOffset + r * layout.statePerRun + ch] = 0.5 + rng.nextUnit();
    }
  }
  return state;
}

/** (mean, invstd) of x as batchnorm_stats would store them: the f64 values rounded to f32. */
function savedOf(c: BnCase, x: Float32Array): Float32Array {
  const saved = new Float64Array(batchNormScratchLength(c));
  const state = new Float64Array(c.runs * runningLayout(c).statePerRun);
  batchNormStatsReference({ ...c, ...runningLayout(c) }, x, saved, state);
  return Float32Array.from(saved);
}

/** An output gradient as after a ReLU's backward: a quarter exact zeros, the rest in [-1, 1). */
function bnOutputGrad(rng: Rng, n: number): Float32Array {
  const dy = uniformF32(rng, n);
  for (let i = 0; i < n; i++) if (rng.nextUnit() < 0.25) dy[i] = 0;
  return dy;
}

function elements(c: BatchNormShape): number {
  return c.runs * c.batch * c.channels * c.spatial;
}

async function runBnStats(ctx: OpContext, c: BnCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = bnInput(rng, c);
  const state = bnState(rng, c);
  const saved = uniformF32(rng, batchNormScratchLength(c), 5, 6);
  const spec = {
    ...c,
    ...runningLayout(c),
    x: pool.upload("X", x),
    saved: pool.upload("saved", saved),
    state: pool.upload("state", state),
  };
  submit(gpu, [await prepareBatchNormStats(gpu, pool, spec)]);
  const refSaved = new Float64Array(saved.length), refState = Float64Array.from(state);
  batchNormStatsReference({ ...c, ...runningLayout(c) }, x, refSaved, refState);
  const [mean, invstd] = split2(await readF32(gpu.device, spec.saved), f32);
  const [refMean, refInvstd] = split2(refSaved, f64);
  return {
    gpu: { mean, invstd, state: await readF32(gpu.device, spec.state) },
    reference: { mean: refMean, invstd: refInvstd, state: refState },
  };
}

/**
 * mean: a reduction of N terms |x| <= M, divided by N: atol 2^-22 M. The variance is a
 * reduction of N squared deviations <= 4 scale^2 (the mean's own error enters only squared, as
 * sum (x - mean) = 0), so its absolute error is below 2^-22 * 4 scale^2, at most 32 * 2^-22 of
 * var >= scale^2 / 8; invstd = rsqrt(var + eps) halves that relative error (16 * 2^-22) and
 * adds a few ULP. The running estimates mix 0.1 of the batch statistics into the old values:
 * atol 2^-22 * max(M, 4 scale^2) covers the mean's and the unbiased variance's errors.
 */
function statsTolerance(c: BnCase): Record<string, Tolerance> {
  const M = Math.abs(c.offset) + c.scale, squares = 4 * c.scale * c.scale;
  return {
    mean: { name: `mean of N terms |x| <= ${M}`, atol: 2 ** -22 * M, rtol: 1e-5 },
    invstd: { name: "rsqrt of var (relative 32 * 2^-22)", atol: 0, rtol: 1e-5 + 16 * 2 ** -22 },
    state: {
      name: "running estimates",
      atol: 2 ** -22 * Math.max(M, squares),
      rtol: 1e-5,
    },
  };
}

async function runBnApply(ctx: OpContext, c: BnCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = bnInput(rng, c);
  const saved = savedOf(c, x);
  const state = bnState(rng, c);
  const params = bnParams(rng, c);
  const stateBuffer = pool.upload("state", state);
  const y = pool.upload("Y", uniformF32(rng, x.length, 5, 6));
  const spec = {
    ...c,
    x: pool.upload("X", x),
    y,
    mode: c.training
      ? { training: true as const, saved: pool.upload("saved", saved) }
      : { training: false as const, running: { ...runningLayout(c), state: stateBuffer } },
    affine: c.affine ? { ...affineLayout(c), params: pool.upload("params", params) } : undefined,
  };
  submit(gpu, [await prepareBatchNormApply(gpu, pool, spec)]);
  const ref = new Float64Array(x.length);
  batchNormApplyReference(
    {
      ...c,
      running: runningLayout(c),
      affine: c.affine ? affineLayout(c) : undefined,
    },
    { x, saved, state, params },
    ref,
  );
  return { gpu: { Y: await readF32(gpu.device, y) }, reference: { Y: ref } };
}

/**
 * y = (x - mean) * invstd * gamma + beta: the product p carries about 4 ULP of relative error
 * (the subtraction, two products, and rsqrt's few ULP in evaluation), 2^-21 |p|, and the sum
 * rounds once more; |p| <= XHAT * GAMMA. When y cancels to near zero that error is absolute.
 */
function applyTolerance(c: BnCase): Tolerance {
  const xhat = c.training ? XHAT_TRAINING : (Math.abs(c.offset) + c.scale + 1) / Math.sqrt(0.5);
  const bound = c.affine ? xhat * GAMMA + BETA : xhat;
  return { name: `affine map, |y| <= ${bound.toFixed(1)}`, atol: 2 ** -21 * bound, rtol: 1e-5 };
}

async function runBnGradStats(ctx: OpContext, c: BnCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = bnInput(rng, c);
  const saved = savedOf(c, x);
  const dy = bnOutputGrad(rng, x.length);
  const grads = uniformF32(rng, c.runs * affineLayout(c).paramsPerRun + 2, 7, 8);
  const sums = pool.upload("sums", uniformF32(rng, batchNormScratchLength(c), 5, 6));
  const gradsBuffer = pool.upload("G", grads);
  const spec = {
    ...c,
    x: pool.upload("X", x),
    dy: pool.upload("dY", dy),
    saved: pool.upload("saved", saved),
    sums,
    affine: c.affine ? { ...affineLayout(c), grads: gradsBuffer } : undefined,
  };
  submit(gpu, [await prepareBatchNormGradStats(gpu, pool, spec)]);
  const refSums = new Float64Array(batchNormScratchLength(c)), refGrads = Float64Array.from(grads);
  batchNormGradStatsReference(
    { ...c, affine: c.affine ? affineLayout(c) : undefined },
    x,
    dy,
    saved,
    refSums,
    refGrads,
  );
  const [sumDy, sumDyXhat] = split2(await readF32(gpu.device, sums), f32);
  const [refSumDy, refSumDyXhat] = split2(refSums, f64);
  const out: OpResult = {
    gpu: { sumDy, sumDyXhat },
    reference: { sumDy: refSumDy, sumDyXhat: refSumDyXhat },
  };
  if (c.affine) {
    out.gpu.G = await readF32(gpu.device, gradsBuffer);
    out.reference.G = refGrads;
  }
  return out;
}

/**
 * Reductions of N terms: dy with |dy| <= 1, dy * xhat with |dy * xhat| <= XHAT_TRAINING; each
 * term dy * xhat also carries ~3 roundings of its own (x - mean, * invstd, * dy), so it is
 * counted at twice its size. G holds dgamma and dbeta (and untouched noise elsewhere).
 */
function gradStatsTolerance(c: BnCase): Record<string, Tolerance> {
  const N = c.batch * c.spatial;
  const dyXhat = reduction(N, 2 * XHAT_TRAINING);
  return { sumDy: reduction(N), sumDyXhat: dyXhat, G: dyXhat };
}

async function runBnInputGrad(ctx: OpContext, c: BnCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const x = bnInput(rng, c);
  const saved = savedOf(c, x);
  const dy = bnOutputGrad(rng, x.length);
  const params = bnParams(rng, c);
  // The sums as batchnorm_grad_stats would store them: this x and dy's f64 sums, rounded to f32.
  const sums64 = new Float64Array(batchNormScratchLength(c));
  batchNormGradStatsReference({ ...c, affine: undefined }, x, dy, saved, sums64);
  const sums = Float32Array.from(sums64);
  const dx = pool.upload("dX", uniformF32(rng, x.length, 5, 6));
  const spec = {
    ...c,
    x: pool.upload("X", x),
    dy: pool.upload("dY", dy),
    saved: pool.upload("saved", saved),
    sums: pool.upload("sums", sums),
    dx,
    affine: c.affine ? { ...affineLayout(c), params: pool.upload("params", params) } : undefined,
  };
  submit(gpu, [await prepareBatchNormInputGrad(gpu, pool, spec)]);
  const ref = new Float64Array(x.length);
  batchNormInputGradReference(
    { ...c, affine: c.affine ? affineLayout(c) : undefined },
    x,
    dy,
    saved,
    sums,
    params,
    ref,
  );
  return { gpu: { dX: await readF32(gpu.device, dx) }, reference: { dX: ref } };
}

/**
 * dx = gamma * invstd * (dy - sum_dy / N - xhat * sum_dy_xhat / N). In the bracket |dy| <= 1,
 * |sum_dy / N| <= 1 and |sum_dy_xhat / N| <= mean |xhat| <= 1 (Cauchy-Schwarz), so its terms
 * are below 2 + XHAT and its ~6 roundings stay below 2^-21 (2 + XHAT); the factor
 * |gamma * invstd| <= GAMMA * sqrt(8) / scale scales that into an absolute error. We allow
 * 2^-20 (1 + XHAT), which is more than that bound.
 */
function inputGradTolerance(c: BnCase): Tolerance {
  const factor = (c.affine ? GAMMA : 1) * Math.sqrt(8) / c.scale;
  return {
    name: `bracket <= ${2 + XHAT_TRAINING} times ${factor.toFixed(2)}`,
    atol: 2 ** -20 * factor * (1 + XHAT_TRAINING),
    rtol: 1e-5,
  };
}

const STATS_CASES: readonly BnCase[] = [
  bnCase(1, 2, 3, 1, { note: "N = 2, the smallest for the unbiased variance" }),
  bnCase(3, 60, 100, 1),
  bnCase(2, 5, 4, [1, 1]),
  bnCase(1, 1, 3, [7, 9], { note: "batch 1" }),
  bnCase(2, 3, 5, [5, 7]),
  bnCase(1, 60, 16, [32, 32], { offset: 50, scale: 1, note: "a one-pass variance cancels" }),
];

/** Past 65535 * 256 elements batchnorm_apply also uses the dispatch's y dimension. */
const APPLY_BEYOND_ONE_DIMENSION = bnCase(1, 4097, 64, [8, 8], {
  relu: true,
  note: "65535*256+ elements, 2-D dispatch",
});
if (elements(APPLY_BEYOND_ONE_DIMENSION) <= 65535 * 256) throw new Error("case too small");

const APPLY_CASES: readonly BnCase[] = [
  bnCase(1, 2, 3, 1),
  bnCase(2, 3, 5, [7, 9], { affine: false, relu: true }),
  bnCase(3, 4, 8, [5, 5], { relu: true }),
  bnCase(1, 60, 16, [32, 32], { relu: true }),
  bnCase(2, 3, 4, [6, 6], { training: false }),
  bnCase(2, 60, 100, 1, { training: false, affine: false, relu: true }),
  bnCase(1, 5, 4, [1, 1], { training: false, relu: true }),
  APPLY_BEYOND_ONE_DIMENSION,
];

const BACKWARD_CASES: readonly BnCase[] = [
  bnCase(1, 2, 3, 1, { note: "N = 2" }),
  bnCase(2, 60, 100, 1, { affine: false }),
  bnCase(2, 3, 5, [7, 9], { affine: false }),
  bnCase(3, 4, 8, [5, 5]),
  bnCase(1, 60, 16, [32, 32]),
];

// ---------------------------------------------------------------------------------------------
// THE ENTRIES

export const POOL_NORM_OPS: readonly Op[] = [
  {
    name: "maxpool2d",
    kernel: "maxpool2d",
    cases: MAXPOOL_CASES,
    // A maximum is one of its inputs.
    tolerance: () => EXACT,
    run: runMaxPool,
  } as Op<PoolCase>,
  {
    name: "maxpool2d_backward (ties: first in scan order)",
    kernel: "maxpool2d_backward",
    cases: [
      ...MAXPOOL_CASES,
      poolCase(1, 1, 4097, 64, 64, { note: "65535*256+ inputs, 2-D dispatch" }),
    ],
    // dY copied to the argmax, zeros elsewhere.
    tolerance: () => EXACT,
    run: runMaxPoolBackward,
  } as Op<PoolCase>,
  {
    name: "global_avgpool",
    kernel: "global_avgpool",
    cases: AVGPOOL_CASES,
    // A reduction of S terms |x| <= 1.5, divided by S (rtol covers the division's rounding).
    tolerance: (c: PoolCase) => ({
      name: `mean of S terms |x| <= ${AVGPOOL_MAGNITUDE}`,
      atol: reduction(c.height * c.width, AVGPOOL_MAGNITUDE).atol / (c.height * c.width),
      rtol: 1e-5,
    }),
    run: runAvgPool,
  } as Op<PoolCase>,
  {
    name: "global_avgpool_backward",
    kernel: "global_avgpool_backward",
    cases: AVGPOOL_CASES,
    // One division per element.
    tolerance: () => F32,
    run: runAvgPoolBackward,
  } as Op<PoolCase>,
  {
    name: "add",
    kernel: "add",
    cases: [
      { name: "n=1", n: 1, relu: false },
      { name: "n=1000", n: 1000, relu: false },
      { name: "n=1000 +relu", n: 1000, relu: true },
      { name: "n=1000 subtract", n: 1000, relu: false, subtract: true },
      { name: "n=65535*256+77 +relu (2-D dispatch)", n: BEYOND_ONE_DIMENSION, relu: true },
    ],
    tolerance: () => ONE_ROUNDING,
    run: runAdd,
  } as Op<AddCase>,
  {
    name: "sign_activation (sign(0) = 0)",
    kernel: "sign_activation",
    cases: SIGN_CASES,
    // Values in {-1, 0, 1}.
    tolerance: () => EXACT,
    run: runSign,
  } as Op<SignCase>,
  {
    name: "sign_activation_backward (straight-through 2 * max(1 - |x|, 0))",
    kernel: "sign_activation_backward",
    cases: SIGN_CASES,
    tolerance: () => TWO_ROUNDINGS,
    run: runSignBackward,
  } as Op<SignCase>,
  {
    name: "batchnorm_stats (training mean, invstd, running estimates)",
    kernel: "batchnorm_stats",
    cases: STATS_CASES,
    tolerance: statsTolerance,
    run: runBnStats,
  } as Op<BnCase>,
  {
    name: "batchnorm_apply",
    kernel: "batchnorm_apply",
    cases: APPLY_CASES,
    tolerance: applyTolerance,
    run: runBnApply,
  } as Op<BnCase>,
  {
    name: "batchnorm_grad_stats",
    kernel: "batchnorm_grad_stats",
    cases: BACKWARD_CASES,
    tolerance: gradStatsTolerance,
    run: runBnGradStats,
  } as Op<BnCase>,
  {
    name: "batchnorm_input_grad",
    kernel: "batchnorm_input_grad",
    cases: BACKWARD_CASES,
    tolerance: inputGradTolerance,
    run: runBnInputGrad,
  } as Op<BnCase>,
];
