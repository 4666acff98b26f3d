/**
 * The op table: every kernel variant with seeded awkward cases and the tolerance its outputs
 * must meet against the f64 CPU reference. `tests/nn/kernels_test.ts` runs every entry inside a
 * validation error scope; adding a kernel adds one entry here (docs/architecture.md).
 *
 * Each `run` builds its inputs from the seeded stream it is given, uploads them, records the
 * prepared dispatches into one command buffer, reads the outputs back and computes the reference
 * from the same f32 inputs (so only the kernel's arithmetic is under test, not input rounding).
 */
import type { Rng } from "../../src/base/rng.ts";
import { type Dispatch, readF32, readU32 } from "../../src/gpu/mod.ts";
import {
  accumulateMetricsReference,
  prepareAccumulateMetrics,
} from "../../src/nn/accumulate_metrics.ts";
import { adamCorrections, type AdamHyper, adamReference, prepareAdam } from "../../src/nn/adam.ts";
import {
  advanceStepReference,
  COUNTER_WORDS,
  prepareAdvanceStep,
} from "../../src/nn/advance_step.ts";
import { biasGradReference, prepareBiasGrad } from "../../src/nn/bias_grad.ts";
import {
  denseForwardSpec,
  denseInputGradSpec,
  type DenseLayerBuffers,
  denseWeightGradSpec,
} from "../../src/model/dense.ts";
import {
  gatherBatchReference,
  type ImageShape,
  packBytes,
  prepareGatherBatch,
} from "../../src/nn/gather_batch.ts";
import { CIFAR10_NORMALIZE } from "../../src/data/cifar10.ts";
import {
  matmulReference,
  type MatmulSpec,
  prepareMatmul,
  type StridedView,
  vec4Form,
} from "../../src/nn/matmul.ts";
import { prepareRecordMetrics, recordMetricsReference } from "../../src/nn/record_metrics.ts";
import { prepareReluBackward, reluBackwardReference } from "../../src/nn/relu_backward.ts";
import {
  prepareScoreGrad,
  scoreGradReference,
  type ScoreGradSpec,
} from "../../src/nn/score_grad.ts";
import { prepareSgd, type SgdHyper, sgdReference } from "../../src/nn/sgd.ts";
import { prepareSoftmaxXent, softmaxXentReference } from "../../src/nn/softmax_xent.ts";
import { prepareSquareLoss, squareLossReference } from "../../src/nn/square_loss.ts";
import {
  prepareSupermaskSample,
  sigmoidF32,
  supermaskSampleReference,
  type SupermaskSampleSpec,
  supermaskUniform,
} from "../../src/nn/supermask_sample.ts";
import { prepareTopkMask, topkMaskReference, type TopkSegment } from "../../src/nn/topk_mask.ts";
import { maskF32, submit, uniformF32 } from "../fixtures/gpu.ts";
import { BIPROP_OPS } from "./ops_biprop.ts";
import { CONV_OPS } from "./ops_conv.ts";
import { POOL_NORM_OPS } from "./ops_pool_norm.ts";
import { TANGENT_OPS } from "./ops_tangent.ts";
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
  Uploads,
} from "./op_kit.ts";

export {
  EXACT,
  F32,
  type GpuOutput,
  type Op,
  type OpCase,
  type OpContext,
  type OpResult,
  reduction,
  type ReferenceOutput,
  type Tolerance,
  toleranceFor,
} from "./op_kit.ts";

/** Runs one matmul spec and its f64 reference; C starts from its uploaded contents. */
async function runMatmul(ctx: OpContext, up: Uploads, spec: MatmulSpec): Promise<OpResult> {
  submit(ctx.gpu, [await prepareMatmul(ctx.gpu, ctx.pool, spec)]);
  const gpuC = await readF32(ctx.gpu.device, spec.c.buffer);
  const view = (v: StridedView) => ({ ...v, data: up.of(v.buffer) });
  const c = { ...spec.c, data: Float64Array.from(up.of(spec.c.buffer)) };
  matmulReference({
    M: spec.M,
    N: spec.N,
    K: spec.K,
    runs: spec.runs,
    a: view(spec.a),
    b: view(spec.b),
    c,
    maskB: spec.maskB && up.of(spec.maskB),
    bias: spec.bias && { ...spec.bias, data: up.of(spec.bias.buffer) },
    relu: spec.relu,
    maskC: spec.maskC && up.of(spec.maskC),
    accumulate: spec.accumulate,
  });
  return { gpu: { C: gpuC }, reference: { C: c.data } };
}

// ---------------------------------------------------------------------------------------------
// matmul: a plain strided product (row-major or transposed operands, offsets, padded C rows).

interface PlainCase extends OpCase {
  M: number;
  N: number;
  K: number;
  runs: number;
  /** Read A (resp. B) as the transpose of its stored matrix. */
  aT: boolean;
  bT: boolean;
  /** C += A.B (C starts random). */
  accumulate: boolean;
}

function plain(
  M: number,
  N: number,
  K: number,
  runs = 1,
  aT = false,
  bT = false,
  accumulate = false,
): PlainCase {
  const layout = `${aT ? "A^T" : "A"}.${bT ? "B^T" : "B"}${accumulate ? " +accumulate" : ""}`;
  return { name: `${M}x${N}x${K} runs=${runs} ${layout}`, M, N, K, runs, aT, bT, accumulate };
}

function runPlain(ctx: OpContext, c: PlainCase): Promise<OpResult> {
  const { M, N, K, runs } = c;
  const up = new Uploads(ctx.pool);
  // Gaps between runs and an offset at the front, so a wrong stride reads the wrong numbers.
  const aRun = M * K + 3, bRun = K * N + 5, cRun = M * (N + 2) + 1;
  const a = up.f32("A", uniformF32(ctx.rng, 2 + runs * aRun));
  const b = up.f32("B", uniformF32(ctx.rng, 1 + runs * bRun));
  const cBuffer = up.f32("C", uniformF32(ctx.rng, 4 + runs * cRun));
  const strided = (
    buffer: GPUBuffer,
    offset: number,
    rows: number,
    cols: number,
    t: boolean,
    run: number,
  ) =>
    t
      ? { buffer, offset, stride0: 1, stride1: rows, runStride: run } // stored [cols, rows]
      : { buffer, offset, stride0: cols, stride1: 1, runStride: run };
  return runMatmul(ctx, up, {
    M,
    N,
    K,
    runs,
    a: strided(a, 2, M, K, c.aT, aRun),
    b: strided(b, 1, K, N, c.bT, bRun),
    c: { buffer: cBuffer, offset: 4, stride0: N + 2, stride1: 1, runStride: cRun },
    accumulate: c.accumulate,
  });
}

// ---------------------------------------------------------------------------------------------
// matmul_vec4: operands laid out so one of its three vec4 forms applies (offsets, strides and
// the vec4 dimensions multiples of 4); the case asserts the form the wrapper picks.

interface Vec4Case extends OpCase {
  M: number;
  N: number;
  K: number;
  runs: number;
  form: 0 | 1 | 2;
  bias: boolean;
  relu: boolean;
  maskC: boolean;
  accumulate: boolean;
}

const FORM_NAMES = ["dot (A.B^T)", "mixed (A.B)", "outer (A^T.B)"];

function vec4Case(
  M: number,
  N: number,
  K: number,
  form: 0 | 1 | 2,
  options: {
    runs?: number;
    bias?: boolean;
    relu?: boolean;
    maskC?: boolean;
    accumulate?: boolean;
  } = {},
): Vec4Case {
  const { runs = 1, bias = false, relu = false, maskC = false, accumulate = false } = options;
  const epilogue = [
    bias && "+bias",
    relu && "+relu",
    maskC && "+maskC",
    accumulate && "+accumulate",
  ].filter(Boolean).join(" ");
  return {
    name: `${FORM_NAMES[form]} ${M}x${N}x${K} runs=${runs} ${epilogue}`.trim(),
    M,
    N,
    K,
    runs,
    form,
    bias,
    relu,
    maskC,
    accumulate,
  };
}

function runVec4(ctx: OpContext, c: Vec4Case): Promise<OpResult> {
  const { M, N, K, runs, form } = c;
  const up = new Uploads(ctx.pool);
  // Aligned gaps between runs and aligned offsets in front: a wrong stride reads wrong numbers.
  const aRun = M * K + 4, bRun = K * N + 8, cRun = M * N + 3;
  const a = up.f32("A", uniformF32(ctx.rng, 4 + runs * aRun));
  const b = up.f32("B", uniformF32(ctx.rng, 8 + runs * bRun));
  const cBuffer = up.f32("C", uniformF32(ctx.rng, 1 + runs * cRun));
  const aView: StridedView = form === 2
    ? { buffer: a, offset: 4, stride0: 1, stride1: M, runStride: aRun } // stored [K, M]
    : { buffer: a, offset: 4, stride0: K, stride1: 1, runStride: aRun }; // stored [M, K]
  const bView: StridedView = form === 0
    ? { buffer: b, offset: 8, stride0: 1, stride1: K, runStride: bRun } // stored [N, K]
    : { buffer: b, offset: 8, stride0: N, stride1: 1, runStride: bRun }; // stored [K, N]
  const cView: StridedView = {
    buffer: cBuffer,
    offset: 1,
    stride0: N,
    stride1: 1,
    runStride: cRun,
  };
  const spec: MatmulSpec = {
    M,
    N,
    K,
    runs,
    a: aView,
    b: bView,
    c: cView,
    bias: c.bias
      ? { buffer: up.f32("bias", uniformF32(ctx.rng, 2 + runs * N)), offset: 2, runStride: N }
      : undefined,
    relu: c.relu,
    maskC: c.maskC ? up.f32("maskC", maskF32(ctx.rng, 1 + runs * cRun, 0.7)) : undefined,
    accumulate: c.accumulate,
  };
  const picked = vec4Form(spec);
  if (picked !== form) {
    throw new Error(`case ${c.name} expects vec4 form ${form}, the wrapper picked ${picked}`);
  }
  return runMatmul(ctx, up, spec);
}

// ---------------------------------------------------------------------------------------------
// matmul as the three products of a dense layer (src/model/dense.ts), W [out, in] in flat params.

interface DenseCase extends OpCase {
  batch: number;
  inputs: number;
  outputs: number;
  runs: number;
}

function dense(batch: number, inputs: number, outputs: number, runs = 1): DenseCase {
  return { name: `B=${batch} ${inputs}->${outputs} runs=${runs}`, batch, inputs, outputs, runs };
}

/** 1x1, sizes off the 16x8-per-lane tile, runs=4, the LeNet first layer, a wide batch. */
const DENSE_CASES: readonly DenseCase[] = [
  dense(1, 1, 1),
  dense(7, 5, 13),
  dense(33, 17, 65),
  dense(33, 17, 65, 4),
  dense(60, 784, 300),
  dense(1000, 100, 10),
];

type DenseProduct = "forward" | "inputGrad" | "weightGrad";

/**
 * Flat per-run parameters [pad 3 | W out*in | b out | pad 2], a mask in the same layout with
 * unit floor(out/2) fully pruned (an all-zero mask row: a unit whose inputs are all pruned) and
 * input in-1 pruned in every unit (a zero mask column), plus ~30% random pruning that differs
 * between runs. Activations have a gap of 5 between runs.
 */
function runDense(
  ctx: OpContext,
  c: DenseCase,
  product: DenseProduct,
  options: { relu?: boolean; mask: boolean },
): Promise<OpResult> {
  const { batch, inputs, outputs, runs } = c;
  const { rng } = ctx;
  const up = new Uploads(ctx.pool);
  const weightOffset = 3,
    biasOffset = 3 + outputs * inputs,
    paramsPerRun = biasOffset + outputs + 2;
  const maskValues = new Float32Array(runs * paramsPerRun).fill(1);
  for (let r = 0; r < runs; r++) {
    const w = maskF32(rng, outputs * inputs, 0.7);
    for (let i = 0; i < inputs; i++) if (outputs > 1) w[Math.floor(outputs / 2) * inputs + i] = 0;
    for (let o = 0; o < outputs; o++) if (inputs > 1) w[o * inputs + inputs - 1] = 0;
    maskValues.set(w, r * paramsPerRun + weightOffset);
  }
  const layer: DenseLayerBuffers = {
    inputs,
    outputs,
    batch,
    runs,
    params: up.f32("params", uniformF32(rng, runs * paramsPerRun)),
    paramsPerRun,
    weightOffset,
    biasOffset,
  };
  const mask = options.mask ? up.f32("mask", maskValues) : undefined;
  const xRunStride = batch * inputs + 5;
  const x = { buffer: up.f32("x", uniformF32(rng, runs * xRunStride)), runStride: xRunStride };
  switch (product) {
    case "forward": {
      const y = up.f32("y", uniformF32(rng, runs * batch * outputs));
      return runMatmul(
        ctx,
        up,
        denseForwardSpec(layer, x, y, { relu: options.relu ?? false, mask }),
      );
    }
    case "inputGrad": {
      const dy = up.f32("dy", uniformF32(rng, runs * batch * outputs));
      const dx = up.f32("dx", uniformF32(rng, runs * batch * inputs));
      return runMatmul(ctx, up, denseInputGradSpec(layer, dy, dx, mask));
    }
    case "weightGrad": {
      const dy = up.f32("dy", uniformF32(rng, runs * batch * outputs));
      // Starts random: entries outside the weights (bias, padding) must come back unchanged.
      const grads = up.f32("grads", uniformF32(rng, runs * paramsPerRun));
      return runMatmul(ctx, up, denseWeightGradSpec(layer, dy, x, grads, mask));
    }
  }
}

/** Accumulation length of each product: inputs (forward, plus the bias), outputs, batch. */
function denseK(c: DenseCase, product: DenseProduct): number {
  return product === "forward" ? c.inputs + 1 : product === "inputGrad" ? c.outputs : c.batch;
}

function denseOp(
  name: string,
  product: DenseProduct,
  options: { relu?: boolean; mask: boolean },
  cases: readonly DenseCase[] = DENSE_CASES,
): Op<DenseCase> {
  return {
    name,
    kernel: "matmul",
    cases,
    tolerance: (c) => reduction(denseK(c, product)),
    run: (ctx, c) => runDense(ctx, c, product, options),
  };
}

// ---------------------------------------------------------------------------------------------
// gather_batch

interface GatherCase extends OpCase {
  features: number;
  batch: number;
  runs: number;
  steps: number;
  examples: number;
  fromCounter: boolean;
  /** counters[0]; the kernel reads it only when fromCounter. */
  counter: number;
  inputOffset: number;
  /** Channel-major image shape; absent: one channel of `features` pixels. */
  shape?: ImageShape;
  /** Per-channel normalisation; absent: MNIST's scalar mean and std. */
  normalize?: { mean: number[]; std: number[] };
  /** Crop padding and flip, with counters[1] = globalStep and one key per run. */
  augmentation?: { padding: number; flip: boolean; globalStep: number };
}

/** `counter` null: the evaluation variant (FROM_COUNTER off, step 0) with counters[0] = 3. */
function gather(
  features: number,
  batch: number,
  runs: number,
  steps: number,
  examples: number,
  counter: number | null,
  inputOffset: number,
): GatherCase {
  const step = counter === null ? "fixed step 0" : `counter step ${counter}/${steps}`;
  return {
    name: `F=${features} B=${batch} runs=${runs} examples=${examples} ${step}`,
    features,
    batch,
    runs,
    steps,
    examples,
    fromCounter: counter !== null,
    counter: counter ?? 3,
    inputOffset,
  };
}

/** CIFAR-10's per-channel statistics (src/data/cifar10.ts). */
const CIFAR_NORMALIZE = {
  mean: [...CIFAR10_NORMALIZE.mean],
  std: [...CIFAR10_NORMALIZE.std],
};

/**
 * A gather of C x rows x cols images with per-channel normalisation (C = 3: CIFAR-10's; C = 1:
 * a grey mean/std), augmented when `augmentation` is given; the index step from the counter.
 */
function imageGather(
  [channels, rows, cols]: [number, number, number],
  batch: number,
  runs: number,
  augmentation: GatherCase["augmentation"],
  counter: number | null = 1,
): GatherCase {
  const features = channels * rows * cols;
  const base = gather(features, batch, runs, 3, 11, counter, 2);
  const augmented = augmentation
    ? `pad ${augmentation.padding} flip ${
      augmentation.flip ? "on" : "off"
    } global step ${augmentation.globalStep}`
    : "no augmentation";
  return {
    ...base,
    name: `${channels}x${rows}x${cols} B=${batch} runs=${runs} ${augmented} (${base.name})`,
    shape: { channels, rows, cols },
    normalize: channels === 3 ? CIFAR_NORMALIZE : { mean: [0.1307], std: [0.3081] },
    augmentation,
  };
}

async function runGather(ctx: OpContext, c: GatherCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const { features, batch, runs, steps, examples } = c;
  const pixels = new Uint8Array(examples * features).map(() => rng.nextInt(256));
  const labels = new Uint8Array(examples).map(() => rng.nextInt(10));
  const indices = new Uint32Array(runs * steps * batch).map(() => rng.nextInt(examples));
  const counters = new Uint32Array(COUNTER_WORDS);
  counters[0] = c.counter;
  counters[1] = c.augmentation?.globalStep ?? 0;
  const keys = Uint32Array.from({ length: runs }, () => rng.nextU32());
  const normalize = c.normalize ?? { mean: [0.1307], std: [0.3081] };
  const xLength = c.inputOffset + runs * batch * features + 3;
  const xInitial = uniformF32(rng, xLength);
  const yInitial = new Uint32Array(runs * batch).fill(0xdeadbeef);
  const spec = {
    features,
    batch,
    runs,
    steps,
    fromCounter: c.fromCounter,
    // The kernel holds the mean and 1/std in f32; the reference gets those values exactly.
    mean: normalize.mean.map(Math.fround),
    std: normalize.std,
    shape: c.shape,
    augmentation: c.augmentation && {
      padding: c.augmentation.padding,
      flip: c.augmentation.flip,
      keys: pool.upload("keys", keys),
    },
    pixels: pool.upload("pixels", packBytes(pixels)),
    labels: pool.upload("labels", packBytes(labels)),
    indices: pool.upload("indices", indices),
    counters: pool.upload("counters", counters),
    inputs: pool.upload("X", xInitial),
    inputOffset: c.inputOffset,
    batchLabels: pool.upload("Y", yInitial),
  };
  submit(gpu, [await prepareGatherBatch(gpu, pool, spec)]);
  const ref = gatherBatchReference(
    {
      ...spec,
      step: c.fromCounter ? c.counter : 0,
      std: normalize.std.map((std) => 1 / Math.fround(1 / std)),
      augmentation: c.augmentation && { ...c.augmentation, keys },
    },
    pixels,
    labels,
    indices,
  );
  const X = Float64Array.from(xInitial);
  X.set(ref.inputs, c.inputOffset);
  return {
    gpu: {
      X: await readF32(gpu.device, spec.inputs),
      Y: await readU32(gpu.device, spec.batchLabels),
    },
    reference: { X, Y: ref.labels },
  };
}

// ---------------------------------------------------------------------------------------------
// relu_backward

interface FlatCase extends OpCase {
  n: number;
}

async function runReluBackward(ctx: OpContext, c: FlatCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  // H is a ReLU output: a quarter exact +0, some -0, the rest positive or negative.
  const h = new Float32Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const u = rng.nextUnit();
    h[i] = u < 0.25 ? 0 : u < 0.3 ? -0 : u < 0.6 ? -rng.nextUnit() : rng.nextUnit() + 1e-3;
  }
  const g = uniformF32(rng, c.n);
  const spec = { n: c.n, activations: pool.upload("H", h), grads: pool.upload("G", g) };
  submit(gpu, [await prepareReluBackward(gpu, pool, spec)]);
  const ref = Float64Array.from(g);
  reluBackwardReference(h, ref);
  return { gpu: { G: await readF32(gpu.device, spec.grads) }, reference: { G: ref } };
}

// ---------------------------------------------------------------------------------------------
// softmax_xent

interface SoftmaxCase extends OpCase {
  batch: number;
  classes: number;
  runs: number;
  scale: number;
}

/** Logit rows: normal(0, 3); with >= 4 rows per run also a row near +80, one near +100 (exp
 * overflows f32 without the max shift), one near -100 (underflows), and ties for the max. */
function softmaxLogits(rng: Rng, c: SoftmaxCase): { logits: Float32Array; labels: Uint32Array } {
  const { batch, classes, runs } = c;
  const logits = new Float32Array(runs * batch * classes);
  const labels = new Uint32Array(runs * batch);
  for (let row = 0; row < runs * batch; row++) {
    labels[row] = rng.nextInt(classes);
    for (let k = 0; k < classes; k++) logits[row * classes + k] = 3 * rng.nextNormal();
    const b = row % batch, z = logits.subarray(row * classes, (row + 1) * classes);
    if (batch < 6 || classes < 3) continue;
    if (b === 0) z.forEach((_, k) => z[k] = 80 - 3 * rng.nextUnit());
    if (b === 1) z.forEach((_, k) => z[k] = 100 + 5 * rng.nextNormal());
    if (b === 2) z.forEach((_, k) => z[k] = -100 + 5 * rng.nextNormal());
    if (b === 3 || b === 4) {
      // A tie for the max at classes 0 and the last: the lowest index wins argmax, so the
      // row is correct when the label is 0 (b = 3) and wrong when it is the last (b = 4).
      z.forEach((_, k) => z[k] = Math.min(z[k], 4));
      z[0] = z[classes - 1] = 5;
      labels[row] = b === 3 ? 0 : classes - 1;
    }
  }
  return { logits, labels };
}

/** A loss kernel (softmax_xent or square_loss, one spec) against its reference on those rows. */
function lossRunner(
  prepare: typeof prepareSoftmaxXent,
  reference: typeof softmaxXentReference,
): (ctx: OpContext, c: SoftmaxCase) => Promise<OpResult> {
  return async (ctx, c) => {
    const { gpu, pool, rng } = ctx;
    const { logits, labels } = softmaxLogits(rng, c);
    const spec = {
      batch: c.batch,
      classes: c.classes,
      runs: c.runs,
      scale: c.scale,
      logits: pool.upload("Z", logits),
      labels: pool.upload("Y", labels),
      logitGrads: pool.upload("dZ", uniformF32(rng, logits.length)),
      rows: pool.upload("rows", uniformF32(rng, 2 * labels.length)),
    };
    submit(gpu, [await prepare(gpu, pool, spec)]);
    const dZ = new Float64Array(logits.length), rows = new Float64Array(2 * labels.length);
    reference(logits, labels, c.classes, Math.fround(c.scale), dZ, rows);
    const [loss, correct] = split2(await readF32(gpu.device, spec.rows), f32);
    const [refLoss, refCorrect] = split2(rows, f64);
    return {
      gpu: { dZ: await readF32(gpu.device, spec.logitGrads), loss, correct },
      reference: { dZ, loss: refLoss, correct: refCorrect },
    };
  };
}

// ---------------------------------------------------------------------------------------------
// accumulate_metrics, record_metrics, bias_grad

interface MetricsCase extends OpCase {
  batch: number;
  runs: number;
}

/** Per-row loss in [0, 3) and correct in {0, 1}; totals start mid-epoch (nonzero). */
async function runAccumulate(ctx: OpContext, c: MetricsCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const rows = new Float32Array(2 * c.runs * c.batch);
  for (let i = 0; i < rows.length; i += 2) {
    rows[i] = 3 * rng.nextUnit();
    rows[i + 1] = rng.nextInt(2);
  }
  const totals = new Float32Array(2 * c.runs);
  for (let r = 0; r < c.runs; r++) {
    totals[2 * r] = 50 * rng.nextUnit();
    totals[2 * r + 1] = rng.nextInt(100);
  }
  const spec = {
    batch: c.batch,
    runs: c.runs,
    rows: pool.upload("rows", rows),
    totals: pool.upload("totals", totals),
  };
  submit(gpu, [await prepareAccumulateMetrics(gpu, pool, spec)]);
  const ref = Float64Array.from(totals);
  accumulateMetricsReference(rows, c.batch, c.runs, ref);
  const [loss, correct] = split2(await readF32(gpu.device, spec.totals), f32);
  const [refLoss, refCorrect] = split2(ref, f64);
  return { gpu: { loss, correct }, reference: { loss: refLoss, correct: refCorrect } };
}

interface RecordCase extends OpCase {
  runs: number;
  slots: number;
  slot: number;
}

async function runRecord(ctx: OpContext, c: RecordCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const totals = uniformF32(rng, 2 * c.runs, 0, 100);
  const history = uniformF32(rng, 2 * c.runs * c.slots);
  const counters = new Uint32Array([7, 11, c.slot, 13]);
  const spec = {
    runs: c.runs,
    slots: c.slots,
    totals: pool.upload("totals", totals),
    counters: pool.upload("counters", counters),
    history: pool.upload("history", history),
  };
  submit(gpu, [await prepareRecordMetrics(gpu, pool, spec)]);
  const refTotals = Float64Array.from(totals), refHistory = Float64Array.from(history);
  const refCounters = counters.slice();
  // The reference writes through a typed array, which drops an out-of-range slot like the kernel.
  refCounters[2] = recordMetricsReference(refTotals, refHistory, c.slot, c.runs);
  return {
    gpu: {
      totals: await readF32(gpu.device, spec.totals),
      history: await readF32(gpu.device, spec.history),
      counters: await readU32(gpu.device, spec.counters),
    },
    reference: { totals: refTotals, history: refHistory, counters: refCounters },
  };
}

interface BiasGradCase extends OpCase {
  batch: number;
  outputs: number;
  /** Spatial positions per channel: 1 (the default) for a dense layer, OH*OW for a convolution. */
  spatial?: number;
  runs: number;
  offset: number;
  runStride: number;
}

async function runBiasGrad(ctx: OpContext, c: BiasGradCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const spatial = c.spatial ?? 1;
  const dy = uniformF32(rng, c.runs * c.batch * c.outputs * spatial);
  const grads = uniformF32(rng, c.offset + c.runs * c.runStride);
  const spec = {
    ...c,
    spatial,
    outputGrads: pool.upload("dY", dy),
    grads: pool.upload("G", grads),
  };
  submit(gpu, [await prepareBiasGrad(gpu, pool, spec)]);
  const ref = Float64Array.from(grads);
  biasGradReference(dy, c.batch, c.outputs, c.runs, ref, c.offset, c.runStride, spatial);
  return { gpu: { G: await readF32(gpu.device, spec.grads) }, reference: { G: ref } };
}

// ---------------------------------------------------------------------------------------------
// Optimizers and the step counters: several steps in one command buffer, each with its own
// gradient buffer; the step t comes from counters[1], advanced by advance_step between steps,
// and indexes Adam's corrections and both optimizers' learning-rate tables.

interface OptimizerCase extends OpCase {
  n: number;
  steps: number;
  /** counters[1] before the first step (optimizer steps already taken). */
  t0: number;
  /** A learning rate per step (distinct, so a wrong index shows), not the constant one. */
  schedule?: boolean;
  /** Entries in the rate table (default t0 + steps); fewer: later steps use the last. */
  tableSteps?: number;
  /** Weight decay (default: Adam none, SGD 5e-4). */
  weightDecay?: number;
  /** A 0/1 decay vector with zeros (biases); absent: every entry decays. */
  decayMask?: boolean;
  nesterov?: boolean;
}

/** f32 hyperparameters, as the uniform block carries them; the reference uses the same. */
function fround<T extends object>(hyper: T): T {
  return Object.fromEntries(
    Object.entries(hyper).map(([k, v]) => [k, typeof v === "number" ? Math.fround(v) : v]),
  ) as T;
}

/** The rate table of a case: lr, or lr times a distinct factor per step, rounded to f32. */
function caseRates(rng: Rng, c: OptimizerCase, learningRate: number): Float32Array {
  const rates = new Float32Array(c.tableSteps ?? c.t0 + c.steps);
  for (let s = 0; s < rates.length; s++) {
    rates[s] = c.schedule ? learningRate * (0.25 + rng.nextUnit()) : learningRate;
  }
  return rates;
}

/** The decay vector of a case (uploaded only with weight decay) and its reference values. */
function caseDecay(ctx: OpContext, c: OptimizerCase, weightDecay: number) {
  const values = c.decayMask ? maskF32(ctx.rng, c.n, 0.6) : new Float32Array(c.n).fill(1);
  return {
    values,
    buffer: weightDecay !== 0 ? ctx.pool.upload("decay", values) : undefined,
  };
}

async function runAdam(ctx: OpContext, c: OptimizerCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const hyper: AdamHyper = fround({
    learningRate: 1e-2,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: c.weightDecay ?? 0,
  });
  const mask = maskF32(rng, c.n, 0.7);
  const w = uniformF32(rng, c.n),
    m = uniformF32(rng, c.n, -0.1, 0.1),
    v = uniformF32(rng, c.n, 0, 0.01);
  if (c.t0 === 0) m.fill(0), v.fill(0);
  const grads = Array.from({ length: c.steps }, () => uniformF32(rng, c.n));
  grads.forEach((g) => g[0] = 0); // a zero gradient on a kept weight
  const rates = caseRates(rng, c, hyper.learningRate);
  const decay = caseDecay(ctx, c, hyper.weightDecay!);
  const counters = new Uint32Array([0, c.t0, 0, 0]);
  const buffers = {
    mask: pool.upload("mask", mask),
    counters: pool.upload("counters", counters),
    corrections: pool.upload("corrections", adamCorrections(hyper, rates.length, rates)),
    weights: pool.upload("W", w),
    firstMoment: pool.upload("Mom", m),
    secondMoment: pool.upload("Vel", v),
    decay: decay.buffer,
  };
  const advance = await prepareAdvanceStep(gpu, pool, buffers.counters);
  const dispatches: Dispatch[] = [];
  for (const g of grads) {
    const grad = pool.upload("G", g);
    dispatches.push(
      await prepareAdam(gpu, pool, { ...hyper, ...buffers, n: c.n, grads: grad }),
      advance,
    );
  }
  submit(gpu, dispatches);
  const W = Float64Array.from(w), Mom = Float64Array.from(m), Vel = Float64Array.from(v);
  const refCounters = counters.slice();
  for (const g of grads) {
    // A step beyond the table reads its last entry: corrections and rate of that step.
    const t = Math.min(refCounters[1], rates.length - 1);
    adamReference({ ...hyper, learningRate: rates[t] }, t + 1, g, mask, W, Mom, Vel, decay.values);
    advanceStepReference(refCounters);
  }
  return {
    gpu: {
      W: await readF32(gpu.device, buffers.weights),
      Mom: await readF32(gpu.device, buffers.firstMoment),
      Vel: await readF32(gpu.device, buffers.secondMoment),
      counters: await readU32(gpu.device, buffers.counters),
    },
    reference: { W, Mom, Vel, counters: refCounters },
  };
}

async function runSgd(ctx: OpContext, c: OptimizerCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const hyper: SgdHyper = fround({
    learningRate: 0.1,
    momentum: 0.9,
    weightDecay: c.weightDecay ?? 5e-4,
    nesterov: c.nesterov ?? false,
  });
  const mask = maskF32(rng, c.n, 0.7);
  const w = uniformF32(rng, c.n), vel = uniformF32(rng, c.n, -0.1, 0.1);
  const grads = Array.from({ length: c.steps }, () => uniformF32(rng, c.n));
  const rates = caseRates(rng, c, hyper.learningRate);
  const decay = caseDecay(ctx, c, hyper.weightDecay);
  const counters = new Uint32Array([0, c.t0, 0, 0]);
  const buffers = {
    mask: pool.upload("mask", mask),
    decay: decay.buffer,
    counters: pool.upload("counters", counters),
    rates: pool.upload("rates", rates),
    weights: pool.upload("W", w),
    velocity: pool.upload("Vel", vel),
  };
  const advance = await prepareAdvanceStep(gpu, pool, buffers.counters);
  const dispatches: Dispatch[] = [];
  for (const g of grads) {
    dispatches.push(
      await prepareSgd(gpu, pool, { ...hyper, ...buffers, n: c.n, grads: pool.upload("G", g) }),
      advance,
    );
  }
  submit(gpu, dispatches);
  const W = Float64Array.from(w), Vel = Float64Array.from(vel);
  const refCounters = counters.slice();
  for (const g of grads) {
    const learningRate = rates[Math.min(refCounters[1], rates.length - 1)];
    sgdReference({ ...hyper, learningRate }, g, mask, W, Vel, decay.values);
    advanceStepReference(refCounters);
  }
  return {
    gpu: {
      W: await readF32(gpu.device, buffers.weights),
      Vel: await readF32(gpu.device, buffers.velocity),
      counters: await readU32(gpu.device, buffers.counters),
    },
    reference: { W, Vel, counters: refCounters },
  };
}

async function runAdvance(ctx: OpContext, c: OptimizerCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const counters = new Uint32Array(COUNTER_WORDS).map(() => rng.nextInt(1000));
  counters[1] = c.t0;
  const buffer = pool.upload("counters", counters);
  const advance = await prepareAdvanceStep(gpu, pool, buffer);
  submit(gpu, Array.from({ length: c.steps }, () => advance));
  const ref = counters.slice();
  for (let s = 0; s < c.steps; s++) advanceStepReference(ref);
  return { gpu: { counters: await readU32(gpu.device, buffer) }, reference: { counters: ref } };
}

// ---------------------------------------------------------------------------------------------
// Strong LTH / supermasks: topk_mask, supermask_sample, score_grad

interface TopkCase extends OpCase {
  /** Segment lengths and the fraction of each kept (k = round(fraction * length)). */
  lengths: readonly number[];
  keep: readonly number[];
  runs: number;
  /** Scores drawn from a few magnitudes with random signs, so many |score| tie. */
  ties: boolean;
}

function topkCase(
  lengths: number[],
  keep: number[],
  runs: number,
  ties = false,
  label = "",
): TopkCase {
  const sizes = lengths.map((n, i) => `${n}@${keep[i]}`).join(",");
  const name = `segments ${sizes} runs=${runs}${ties ? " (ties)" : ""}${label ? " " + label : ""}`;
  return { name, lengths, keep, runs, ties };
}

/** Scores for topk/supermask cases: normal(0, 1), or ties: +-{0, 0.25, 0.5, 1, 2} (and -0). */
function scoreValues(rng: Rng, n: number, ties: boolean): Float32Array {
  const out = new Float32Array(n);
  const levels = [0, 0.25, 0.5, 1, 2];
  for (let i = 0; i < n; i++) {
    out[i] = ties
      ? (rng.nextUnit() < 0.5 ? -1 : 1) * levels[rng.nextInt(levels.length)]
      : rng.nextNormal();
  }
  return out;
}

/**
 * Per run, the segments lie one after another with a gap of 3 (scores) or 2 (masks) before
 * each, so a wrong offset or stride reads or writes the wrong entries; masks start as 0.5, and
 * the gaps must keep it.
 */
async function runTopk(ctx: OpContext, c: TopkCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const segments: TopkSegment[] = [];
  let scoreAt = 0, maskAt = 1;
  c.lengths.forEach((length, i) => {
    scoreAt += 3;
    maskAt += 2;
    segments.push({
      scoreOffset: scoreAt,
      maskOffset: maskAt,
      length,
      k: Math.round(c.keep[i] * length),
    });
    scoreAt += length;
    maskAt += length;
  });
  const scoreRunStride = scoreAt + 1, maskRunStride = maskAt + 5;
  const scores = scoreValues(rng, c.runs * scoreRunStride, c.ties);
  const masks = new Float32Array(c.runs * maskRunStride + 3).fill(0.5);
  const spec = {
    runs: c.runs,
    segments,
    scores: pool.upload("scores", scores),
    scoreRunStride,
    masks: pool.upload("masks", masks),
    maskRunStride,
  };
  submit(gpu, [await prepareTopkMask(gpu, pool, spec)]);
  const ref = Float64Array.from(masks);
  topkMaskReference(scores, ref, spec);
  return { gpu: { M: await readF32(gpu.device, spec.masks) }, reference: { M: ref } };
}

interface SampleCase extends OpCase {
  n: number;
  runs: number;
  /** counters[1] (the step) when sampling from the counter; null: FROM_COUNTER off. */
  step: number | null;
  counterBase: number;
  /** The most probable mask [score > 0] instead of a draw. */
  expected?: boolean;
}

/**
 * Masks are compared exactly, except where the uniform lies within 1e-6 of the probability:
 * there the kernel's exp may round sigmoid to the other side of u, so either value is allowed
 * (the reference takes the GPU's). More than n/1000 + 2 such entries fail the case.
 */
async function runSample(ctx: OpContext, c: SampleCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const scoreOffset = 5, maskOffset = 2;
  const scoreRunStride = c.n + 7, maskRunStride = c.n + 1;
  const scores = new Float32Array(scoreOffset + c.runs * scoreRunStride);
  for (let i = 0; i < scores.length; i++) {
    const u = rng.nextUnit();
    // Mostly normal(0, 3); a few far out, where exp overflows f32 (p = 0 or 1 exactly).
    scores[i] = u < 0.02
      ? -100
      : u < 0.04
      ? 100
      : u < 0.06
      ? 20 * rng.nextNormal()
      : u < 0.08
      ? (u < 0.07 ? 0 : -0) // the boundary of the expected mask: sigmoid(0) = 1/2 is not > 1/2
      : 3 * rng.nextNormal();
  }
  const masks = new Float32Array(maskOffset + c.runs * maskRunStride).fill(0.5);
  const geometry: Omit<SupermaskSampleSpec, "scores" | "masks" | "counters"> = {
    n: c.n,
    runs: c.runs,
    scoreOffset,
    scoreRunStride,
    maskOffset,
    maskRunStride,
    key: rng.nextU32(),
    counterBase: c.counterBase,
    counterRunStride: c.n + 11,
    stepStride: c.runs * (c.n + 11),
    expected: c.expected,
  };
  const counters = c.step === null ? undefined : pool.upload(
    "counters",
    new Uint32Array([3, c.step, 0, 0]),
  );
  const spec = {
    ...geometry,
    scores: pool.upload("scores", scores),
    masks: pool.upload("masks", masks),
    counters,
  };
  submit(gpu, [await prepareSupermaskSample(gpu, pool, spec)]);
  const got = await readF32(gpu.device, spec.masks);
  const ref = Float64Array.from(masks);
  const step = c.step ?? 0;
  supermaskSampleReference(geometry, step, scores, ref);
  let ambiguous = 0;
  for (let r = 0; r < c.runs && !c.expected; r++) {
    for (let i = 0; i < c.n; i++) {
      const p = sigmoidF32(scores[scoreOffset + r * scoreRunStride + i]);
      const u = supermaskUniform(geometry, step, r, i);
      const at = maskOffset + r * maskRunStride + i;
      if (Math.abs(u - p) < 1e-6 && (got[at] === 0 || got[at] === 1)) {
        ambiguous++;
        ref[at] = got[at];
      }
    }
  }
  if (ambiguous > c.runs * c.n / 1000 + 2) {
    throw new Error(`${ambiguous} of ${c.runs * c.n} uniforms lie within 1e-6 of their p`);
  }
  return { gpu: { M: got }, reference: { M: ref } };
}

interface ScoreGradCase extends OpCase {
  n: number;
  runs: number;
  sigmoid: boolean;
}

async function runScoreGrad(ctx: OpContext, c: ScoreGradCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const geometry: Omit<ScoreGradSpec, "grads" | "weights" | "scores" | "scoreGrads"> = {
    n: c.n,
    runs: c.runs,
    gradOffset: 3,
    gradRunStride: c.n + 2,
    weightOffset: 1,
    weightRunStride: c.n + 5,
    outputOffset: 4,
    outputRunStride: c.n + 1,
    sigmoid: c.sigmoid,
  };
  const g = uniformF32(rng, 3 + c.runs * (c.n + 2));
  const w = uniformF32(rng, 1 + c.runs * (c.n + 5));
  const s = new Float32Array(w.length);
  for (let i = 0; i < s.length; i++) {
    const u = rng.nextUnit();
    s[i] = u < 0.02
      ? -100
      : u < 0.04
      ? 100
      : u < 0.1
      ? 12 * rng.nextNormal()
      : 2 * rng.nextNormal();
  }
  const out = uniformF32(rng, 4 + c.runs * (c.n + 1) + 2);
  const spec = {
    ...geometry,
    grads: pool.upload("G", g),
    weights: pool.upload("W", w),
    scores: pool.upload("S", s),
    scoreGrads: pool.upload("dS", out),
  };
  submit(gpu, [await prepareScoreGrad(gpu, pool, spec)]);
  const ref = Float64Array.from(out);
  scoreGradReference(geometry, g, w, s, ref);
  return { gpu: { dS: await readF32(gpu.device, spec.scoreGrads) }, reference: { dS: ref } };
}

/** The LeNet-300-100 layers' weight counts, as one run's segments. */
const LENET_WEIGHTS = [235200, 30000, 1000];

// ---------------------------------------------------------------------------------------------
// THE OP TABLE

const LOG_SUM_EXP: Tolerance = { name: "log-sum-exp", atol: 2 ** -22 * (10 + 128), rtol: 1e-5 };

/** Past 65535 workgroups of 256 a flat kernel also uses the dispatch's y dimension. */
const BEYOND_ONE_DIMENSION = 65535 * 256 + 77;

const CORE_OPS: readonly Op[] = [
  {
    name: "matmul plain strided",
    kernel: "matmul",
    cases: [
      plain(1, 1, 1),
      plain(7, 13, 5),
      plain(33, 65, 17, 1, true, false),
      plain(17, 9, 3, 4, true, true),
      plain(16, 64, 8, 2, false, true), // exactly one tile at 8 lanes
      plain(9, 21, 6, 3, false, true, true),
    ],
    tolerance: (c: PlainCase) => reduction(c.K + (c.accumulate ? 1 : 0)),
    run: runPlain,
  } as Op<PlainCase>,
  {
    name: "matmul_vec4 (dot, mixed, outer forms)",
    kernel: "matmul_vec4",
    cases: [
      vec4Case(1, 1, 4, 0),
      vec4Case(20, 13, 8, 0, { bias: true, relu: true }),
      vec4Case(60, 300, 784, 0, { bias: true, relu: true }), // LeNet forward
      vec4Case(33, 65, 44, 0, { runs: 4, bias: true }),
      vec4Case(4, 4, 4, 1),
      vec4Case(60, 784, 300, 1), // LeNet input gradient
      vec4Case(17, 36, 12, 1, { runs: 4, relu: true }),
      vec4Case(4, 4, 1, 2, { maskC: true }),
      vec4Case(300, 784, 60, 2, { maskC: true }), // LeNet weight gradient
      vec4Case(36, 20, 33, 2, { runs: 4, maskC: true }),
      vec4Case(12, 10, 8, 0, { runs: 3, bias: true, accumulate: true }), // linearized logits
      vec4Case(20, 16, 12, 1, { runs: 2, accumulate: true }),
      vec4Case(8, 12, 5, 2, { maskC: true, accumulate: true }),
    ],
    tolerance: (c: Vec4Case) => reduction(c.K + (c.bias ? 1 : 0) + (c.accumulate ? 1 : 0)),
    run: runVec4,
  } as Op<Vec4Case>,
  denseOp("matmul dense forward +bias", "forward", { mask: false }, DENSE_CASES.slice(0, 4)),
  denseOp("matmul dense forward +bias +relu", "forward", { relu: true, mask: false }, [
    DENSE_CASES[1],
    DENSE_CASES[5],
  ]),
  denseOp("matmul dense forward +bias +relu +maskB", "forward", { relu: true, mask: true }),
  denseOp("matmul dense input grad +maskB", "inputGrad", { mask: true }),
  denseOp("matmul dense weight grad +maskC", "weightGrad", { mask: true }),
  {
    name: "gather_batch",
    kernel: "gather_batch",
    cases: [
      gather(1, 1, 1, 1, 1, null, 0),
      gather(70, 7, 3, 3, 9, 2, 5),
      gather(784, 60, 2, 4, 101, null, 1),
      gather(3, 5, 1, 2, 7, 1, 0),
      // Per-channel normalisation without augmentation (evaluation: fixed step 0).
      imageGather([3, 5, 4], 6, 2, undefined, null),
      imageGather([3, 32, 32], 4, 2, undefined),
      // Augmentation: padding 0 / 4, flip on / off, 1 and 3 channels, several runs, index
      // steps and global steps read from the counters.
      imageGather([1, 28, 28], 8, 3, { padding: 4, flip: true, globalStep: 41 }, 2),
      imageGather([3, 32, 32], 5, 2, { padding: 4, flip: true, globalStep: 7 }),
      imageGather([3, 6, 5], 9, 2, { padding: 0, flip: true, globalStep: 3 }),
      imageGather([1, 7, 9], 9, 2, { padding: 4, flip: false, globalStep: 0 }, 0),
      imageGather([3, 7, 9], 7, 3, { padding: 4, flip: false, globalStep: 1000 }),
      // Padding beyond the image (whole rows and columns of padding), global step near 2^32.
      imageGather([3, 4, 3], 40, 2, { padding: 6, flip: true, globalStep: 0xfffffff0 }),
    ],
    // X = (byte/255 - mean) * (1/std) takes a few f32 roundings; labels are copied bytes.
    tolerance: () => ({ X: F32, Y: EXACT }),
    run: runGather,
  } as Op<GatherCase>,
  {
    name: "relu_backward",
    kernel: "relu_backward",
    cases: [
      { name: "n=1", n: 1 },
      { name: "n=1000", n: 1000 },
      { name: "n=65535*256+77 (2-D dispatch)", n: BEYOND_ONE_DIMENSION },
    ],
    tolerance: () => EXACT,
    run: runReluBackward,
  } as Op<FlatCase>,
  {
    name: "softmax_xent",
    kernel: "softmax_xent",
    cases: [
      { name: "B=1 C=10", batch: 1, classes: 10, runs: 1, scale: 1 },
      { name: "B=3 C=1", batch: 3, classes: 1, runs: 1, scale: 1 / 3 },
      {
        name: "B=70 C=10 runs=3 (large logits, ties)",
        batch: 70,
        classes: 10,
        runs: 3,
        scale: 1 / 70,
      },
      { name: "B=6 C=7 scale=1 (large logits, ties)", batch: 6, classes: 7, runs: 1, scale: 1 },
    ],
    // dZ is a softmax probability: f32. The loss, log(sum of C <= 10 exponentials) + max z - z_y,
    // errs by about C * 2^-24 in the log of the sum plus two roundings at |max z| <= 128 here.
    tolerance: () => ({ dZ: F32, loss: LOG_SUM_EXP, correct: EXACT }),
    run: lossRunner(prepareSoftmaxXent, softmaxXentReference),
  } as Op<SoftmaxCase>,
  {
    name: "square_loss",
    kernel: "square_loss",
    cases: [
      { name: "B=1 C=10", batch: 1, classes: 10, runs: 1, scale: 1 },
      { name: "B=3 C=1", batch: 3, classes: 1, runs: 1, scale: 1 / 3 },
      {
        name: "B=70 C=10 runs=3 (large logits, ties)",
        batch: 70,
        classes: 10,
        runs: 3,
        scale: 1 / 70,
      },
      { name: "B=6 C=7 scale=1 (large logits, ties)", batch: 6, classes: 7, runs: 1, scale: 1 },
    ],
    // dZ: a subtraction and a multiplication (f32); the loss sums C halved squared errors of up
    // to about 110 (the rows near +-100), each term at most 6.1e3.
    tolerance: (c: SoftmaxCase) => ({
      dZ: F32,
      loss: reduction(c.classes, 6.1e3),
      correct: EXACT,
    }),
    run: lossRunner(prepareSquareLoss, squareLossReference),
  } as Op<SoftmaxCase>,
  {
    name: "accumulate_metrics",
    kernel: "accumulate_metrics",
    cases: [
      { name: "B=1 runs=1", batch: 1, runs: 1 },
      { name: "B=60 runs=4", batch: 60, runs: 4 },
      { name: "B=1000 runs=2", batch: 1000, runs: 2 },
    ],
    // Loss totals sum B terms below 3 (rtol covers the start total below 50); counts are
    // small integers, exact in f32.
    tolerance: (c: MetricsCase) => ({ loss: reduction(c.batch, 3), correct: EXACT }),
    run: runAccumulate,
  } as Op<MetricsCase>,
  {
    name: "record_metrics",
    kernel: "record_metrics",
    cases: [
      { name: "runs=1 slot 0 of 1", runs: 1, slots: 1, slot: 0 },
      { name: "runs=4 slot 3 of 5", runs: 4, slots: 5, slot: 3 },
      { name: "runs=3 slot 2 of 2 (dropped)", runs: 3, slots: 2, slot: 2 },
    ],
    tolerance: () => EXACT,
    run: runRecord,
  } as Op<RecordCase>,
  {
    name: "bias_grad",
    kernel: "bias_grad",
    cases: [
      { name: "B=1 O=1", batch: 1, outputs: 1, runs: 1, offset: 0, runStride: 1 },
      { name: "B=60 O=300 offset 7", batch: 60, outputs: 300, runs: 1, offset: 7, runStride: 300 },
      {
        name: "B=33 O=65 runs=4 stride 70",
        batch: 33,
        outputs: 65,
        runs: 4,
        offset: 3,
        runStride: 70,
      },
      { name: "B=1000 O=10 runs=2", batch: 1000, outputs: 10, runs: 2, offset: 0, runStride: 11 },
      // A convolution's bias: S = OH*OW positions per channel, summed inside each batch row.
      {
        name: "conv 1x1 image B=2 O=1 S=1",
        batch: 2,
        outputs: 1,
        spatial: 1,
        runs: 1,
        offset: 2,
        runStride: 3,
      },
      {
        name: "conv B=3 O=17 S=7x5 runs=3",
        batch: 3,
        outputs: 17,
        spatial: 35,
        runs: 3,
        offset: 5,
        runStride: 23,
      },
      {
        name: "conv B=4 O=65 S=32x32 runs=2",
        batch: 4,
        outputs: 65,
        spatial: 1024,
        runs: 2,
        offset: 1,
        runStride: 70,
      },
    ],
    tolerance: (c: BiasGradCase) => reduction(c.batch * (c.spatial ?? 1)),
    run: runBiasGrad,
  } as Op<BiasGradCase>,
  {
    name: "adam",
    kernel: "adam",
    cases: [
      { name: "n=4 1 step from t=0", n: 4, steps: 1, t0: 0 },
      { name: "n=1000 3 steps from t=0", n: 1000, steps: 3, t0: 0 },
      { name: "n=4100 5 steps from t=9", n: 4100, steps: 5, t0: 9 },
      { name: "n=1000 4 steps, a rate per step", n: 1000, steps: 4, t0: 0, schedule: true },
      {
        name: "n=4100 5 steps from t=9, rates, weight decay on 60%",
        n: 4100,
        steps: 5,
        t0: 9,
        schedule: true,
        weightDecay: 5e-2,
        decayMask: true,
      },
      {
        name: "n=1000 6 steps, a table of 3 rates (the last repeats)",
        n: 1000,
        steps: 6,
        t0: 0,
        schedule: true,
        tableSteps: 3,
      },
    ],
    tolerance: () => ({ W: F32, Mom: F32, Vel: F32, counters: EXACT }),
    run: runAdam,
  } as Op<OptimizerCase>,
  {
    name: "sgd",
    kernel: "sgd",
    cases: [
      { name: "n=4 1 step", n: 4, steps: 1, t0: 0 },
      { name: "n=1000 3 steps", n: 1000, steps: 3, t0: 0 },
      { name: "n=1000 3 steps without weight decay", n: 1000, steps: 3, t0: 0, weightDecay: 0 },
      { name: "n=1000 4 steps Nesterov", n: 1000, steps: 4, t0: 0, nesterov: true },
      {
        name: "n=4100 5 steps from t=7, rates, weight decay on 60%",
        n: 4100,
        steps: 5,
        t0: 7,
        schedule: true,
        weightDecay: 5e-2,
        decayMask: true,
      },
      {
        name: "n=4100 5 steps from t=7 Nesterov, rates, weight decay on 60%",
        n: 4100,
        steps: 5,
        t0: 7,
        schedule: true,
        weightDecay: 5e-2,
        decayMask: true,
        nesterov: true,
      },
      {
        name: "n=1000 6 steps, a table of 3 rates (the last repeats)",
        n: 1000,
        steps: 6,
        t0: 0,
        schedule: true,
        tableSteps: 3,
      },
    ],
    tolerance: () => ({ W: F32, Vel: F32, counters: EXACT }),
    run: runSgd,
  } as Op<OptimizerCase>,
  {
    name: "advance_step",
    kernel: "advance_step",
    cases: [
      { name: "1 step", n: 0, steps: 1, t0: 0 },
      { name: "5 steps from t=41", n: 0, steps: 5, t0: 41 },
    ],
    tolerance: () => EXACT,
    run: runAdvance,
  } as Op<OptimizerCase>,
  {
    name: "topk_mask",
    kernel: "topk_mask",
    cases: [
      topkCase([1], [1], 1),
      topkCase([1], [0], 1),
      topkCase([7], [3 / 7], 2),
      topkCase([13, 13, 13, 13], [0, 1 / 13, 12 / 13, 1], 3, false, "(k = 0, 1, n-1, n)"),
      topkCase([1000], [0.3], 3, true),
      topkCase([1000, 7, 300], [0.5, 0.5, 0.1], 2, true),
      topkCase(LENET_WEIGHTS, [0.3, 0.3, 0.3], 2, false, "(LeNet-300-100)"),
      topkCase(LENET_WEIGHTS, [0.1, 0.5, 0.9], 1, true, "(LeNet-300-100)"),
    ],
    tolerance: () => EXACT,
    run: runTopk,
  } as Op<TopkCase>,
  {
    name: "supermask_sample",
    kernel: "supermask_sample",
    cases: [
      { name: "n=1 fixed step", n: 1, runs: 1, step: null, counterBase: 0 },
      { name: "n=7 runs=2 step 5", n: 7, runs: 2, step: 5, counterBase: 9 },
      { name: "n=13 runs=3 base near 2^32", n: 13, runs: 3, step: 2, counterBase: 0xfffffff0 },
      { name: "n=1000 runs=3 step 41", n: 1000, runs: 3, step: 41, counterBase: 123 },
      { name: "n=235200 runs=2 step 7", n: 235200, runs: 2, step: 7, counterBase: 0 },
      { name: "expected n=1", n: 1, runs: 1, step: null, counterBase: 0, expected: true },
      { name: "expected n=1000 runs=3", n: 1000, runs: 3, step: 4, counterBase: 0, expected: true },
    ],
    tolerance: () => EXACT,
    run: runSample,
  } as Op<SampleCase>,
  {
    name: "score_grad edge-popup",
    kernel: "score_grad",
    cases: [
      { name: "n=1", n: 1, runs: 1, sigmoid: false },
      { name: "n=7 runs=2", n: 7, runs: 2, sigmoid: false },
      { name: "n=1000 runs=3", n: 1000, runs: 3, sigmoid: false },
      { name: "n=235200 runs=2", n: 235200, runs: 2, sigmoid: false },
    ],
    tolerance: () => F32,
    run: runScoreGrad,
  } as Op<ScoreGradCase>,
  {
    name: "score_grad supermask (through the sigmoid)",
    kernel: "score_grad",
    cases: [
      { name: "n=1", n: 1, runs: 1, sigmoid: true },
      { name: "n=13 runs=2", n: 13, runs: 2, sigmoid: true },
      { name: "n=1000 runs=3", n: 1000, runs: 3, sigmoid: true },
      { name: "n=235200 runs=2", n: 235200, runs: 2, sigmoid: true },
    ],
    tolerance: () => F32,
    run: runScoreGrad,
  } as Op<ScoreGradCase>,
];

/** Every op the generic kernel test runs: this file's, then each family file's. */
export const OPS: readonly Op[] = [
  ...CORE_OPS,
  ...CONV_OPS,
  ...POOL_NORM_OPS,
  ...BIPROP_OPS,
  ...TANGENT_OPS,
];
