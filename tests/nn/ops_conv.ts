/**
 * The op table's 2-D convolution entries (kernels/conv2d*.wgsl): forward with and without mask,
 * bias and ReLU, input gradient and weight gradient with and without masks, on awkward NCHW
 * shapes (1x1 images, kernels 1, 3 and 5 and one larger than the image, strides 1, 2 and 3,
 * padding 0 to 2 and wider than the kernel, odd sizes off the tile, C = 1 and 3, several runs)
 * plus CIFAR-like layers.
 * The bias gradient over channels (S = OH*OW) is a case of bias_grad in tests/nn/ops.ts.
 *
 * Parameters of each run are laid out [pad 3 | W (O*C*k*k) | bias (O) | pad 2], different per
 * run; masks (the parameter layout) prune ~30% at random, one whole output channel and one whole
 * input channel. Outputs start as random numbers, so an element the kernel fails to write, or a
 * write outside the weight block of the gradient buffer, shows as a mismatch.
 */
import { readF32 } from "../../src/gpu/mod.ts";
import { conv2dReference, prepareConv2d } from "../../src/nn/conv2d.ts";
import {
  conv2dInputGradReference,
  prepareConv2dInputGrad,
} from "../../src/nn/conv2d_input_grad.ts";
import { conv2dGeometry, type Conv2dShape } from "../../src/nn/conv2d_shape.ts";
import {
  conv2dWeightGradReference,
  prepareConv2dWeightGrad,
} from "../../src/nn/conv2d_weight_grad.ts";
import {
  conv2dWeightGradReduceReference,
  prepareConv2dWeightGradReduce,
} from "../../src/nn/conv2d_weight_grad_reduce.ts";
import { maskF32, submit, uniformF32 } from "../fixtures/gpu.ts";
import { type Op, type OpCase, type OpContext, type OpResult, reduction } from "./op_kit.ts";

interface ConvCase extends OpCase {
  shape: Conv2dShape;
  /** Lowers the workgroups allowed along x, so the grid continues in y. */
  maxGroups?: number;
}

function conv(
  runs: number,
  batch: number,
  inChannels: number,
  height: number,
  width: number,
  outChannels: number,
  kernel: number,
  stride: number,
  padding: number,
  options: { maxGroups?: number; note?: string } = {},
): ConvCase {
  const shape = {
    runs,
    batch,
    inChannels,
    height,
    width,
    outChannels,
    kernel,
    stride,
    padding,
  };
  const note = [
    options.maxGroups && `at most ${options.maxGroups} workgroups along x`,
    options.note,
  ].filter(Boolean).join(", ");
  return {
    name: `B=${batch} C=${inChannels} ${height}x${width} k${kernel} s${stride} p${padding} ` +
      `O=${outChannels} runs=${runs}${note ? ` (${note})` : ""}`,
    shape,
    maxGroups: options.maxGroups,
  };
}

/** Awkward shapes, each run by every variant below. */
const SHAPES: readonly ConvCase[] = [
  conv(1, 1, 1, 1, 1, 1, 1, 1, 0, { note: "1x1 image" }),
  conv(1, 2, 3, 1, 1, 5, 3, 1, 1, { note: "1x1 image, only the centre tap" }),
  conv(2, 3, 3, 7, 5, 17, 3, 1, 1),
  conv(1, 2, 1, 9, 7, 6, 3, 2, 2),
  conv(3, 2, 5, 11, 9, 33, 5, 2, 1),
  conv(1, 1, 4, 6, 13, 3, 5, 1, 2),
  conv(2, 3, 6, 8, 8, 9, 1, 2, 0),
  conv(1, 5, 2, 10, 6, 40, 3, 1, 0),
  conv(1, 2, 2, 2, 3, 4, 5, 1, 2, { note: "kernel larger than the image" }),
  conv(1, 2, 3, 10, 11, 5, 3, 3, 1),
  conv(1, 2, 2, 3, 4, 3, 1, 1, 2, { note: "border outputs see only padding" }),
  conv(2, 3, 32, 12, 12, 20, 3, 1, 1, { maxGroups: 3 }),
];

/** CIFAR-sized layers (a 3x3 convolution of 16 channels on 32x32 images, stride 1 and 2). */
const CIFAR: readonly ConvCase[] = [
  conv(1, 4, 16, 32, 32, 32, 3, 1, 1, { note: "CIFAR-like" }),
  conv(1, 4, 16, 32, 32, 32, 3, 2, 1, { note: "CIFAR-like" }),
];

/** Several runs with masks: the shapes with runs > 1, plus a masked CIFAR-like layer. */
const MASKED: readonly ConvCase[] = [
  ...SHAPES.filter((c) => c.shape.runs > 1),
  conv(1, 2, 3, 1, 1, 5, 3, 1, 1, { note: "1x1 image" }),
  conv(2, 4, 16, 32, 32, 32, 3, 1, 1, { note: "CIFAR-like" }),
];

/**
 * Layers of 65,536 weights or more take the weight gradient in one pass over the whole batch
 * (the smaller layers above are split over the batch and summed by conv2d_weight_grad_reduce).
 */
const WHOLE_BATCH: readonly ConvCase[] = [
  conv(1, 2, 64, 4, 4, 128, 3, 1, 1, { note: "73,728 weights: one slice" }),
  conv(2, 3, 33, 5, 3, 250, 3, 2, 1, { note: "74,250 weights: one slice" }),
];

/**
 * More than 65535 column tiles on a CPU adapter (8 lanes x 16 columns): the wrapper must
 * continue the grid in y at the device's own limit.
 */
const BEYOND_ONE_DIMENSION = conv(1, 2, 1, 2050, 2050, 1, 1, 1, 0, {
  note: "over 65535 column tiles on a CPU adapter",
});

interface Operands {
  paramsPerRun: number;
  weightOffset: number;
  biasOffset: number;
  params: Float32Array;
  mask: Float32Array;
}

/** Per-run parameters [pad 3 | W | bias | pad 2] and a mask in the same layout. */
function operands(ctx: OpContext, shape: Conv2dShape): Operands {
  const g = conv2dGeometry(shape);
  const { rng } = ctx;
  const weightOffset = 3, biasOffset = 3 + g.weightsPerRun;
  const paramsPerRun = biasOffset + g.outChannels + 2;
  const params = uniformF32(rng, g.runs * paramsPerRun);
  const mask = new Float32Array(g.runs * paramsPerRun).fill(1);
  const perOut = g.inChannels * g.kernel * g.kernel, perIn = g.kernel * g.kernel;
  for (let r = 0; r < g.runs; r++) {
    const w = maskF32(rng, g.weightsPerRun, 0.7);
    if (g.outChannels > 1) {
      w.fill(0, (g.outChannels >> 1) * perOut, ((g.outChannels >> 1) + 1) * perOut);
    }
    for (let o = 0; o < g.outChannels && g.inChannels > 1; o++) {
      w.fill(0, o * perOut + (g.inChannels - 1) * perIn, o * perOut + g.inChannels * perIn);
    }
    mask.set(w, r * paramsPerRun + weightOffset);
  }
  return { paramsPerRun, weightOffset, biasOffset, params, mask };
}

type Variant = { mask: boolean; bias: boolean; relu: boolean };

async function runForward(ctx: OpContext, c: ConvCase, v: Variant): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const g = conv2dGeometry(c.shape);
  const ops = operands(ctx, c.shape);
  const x = uniformF32(rng, g.runs * g.inputsPerRun);
  const y = uniformF32(rng, g.runs * g.outputsPerRun);
  const layout = {
    paramsPerRun: ops.paramsPerRun,
    weightOffset: ops.weightOffset,
    biasOffset: v.bias ? ops.biasOffset : undefined,
  };
  const spec = {
    ...c.shape,
    ...layout,
    x: pool.upload("x", x),
    y: pool.upload("y", y),
    params: pool.upload("params", ops.params),
    mask: v.mask ? pool.upload("mask", ops.mask) : undefined,
    relu: v.relu,
  };
  submit(gpu, [await prepareConv2d(gpu, pool, spec, { maxWorkgroupsX: c.maxGroups })]);
  const ref = new Float64Array(y.length);
  conv2dReference({
    ...c.shape,
    ...layout,
    x,
    params: ops.params,
    mask: v.mask ? ops.mask : undefined,
    relu: v.relu,
  }, ref);
  return { gpu: { y: await readF32(gpu.device, spec.y) }, reference: { y: ref } };
}

async function runInputGrad(ctx: OpContext, c: ConvCase, mask: boolean): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const g = conv2dGeometry(c.shape);
  const ops = operands(ctx, c.shape);
  const dy = uniformF32(rng, g.runs * g.outputsPerRun);
  const dx = uniformF32(rng, g.runs * g.inputsPerRun);
  const layout = { paramsPerRun: ops.paramsPerRun, weightOffset: ops.weightOffset };
  const spec = {
    ...c.shape,
    ...layout,
    dy: pool.upload("dy", dy),
    dx: pool.upload("dx", dx),
    params: pool.upload("params", ops.params),
    mask: mask ? pool.upload("mask", ops.mask) : undefined,
  };
  submit(gpu, [
    await prepareConv2dInputGrad(gpu, pool, spec, { maxWorkgroupsX: c.maxGroups }),
  ]);
  const ref = new Float64Array(dx.length);
  conv2dInputGradReference({
    ...c.shape,
    ...layout,
    dy,
    params: ops.params,
    mask: mask ? ops.mask : undefined,
  }, ref);
  return { gpu: { dx: await readF32(gpu.device, spec.dx) }, reference: { dx: ref } };
}

async function runWeightGrad(ctx: OpContext, c: ConvCase, mask: boolean): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const g = conv2dGeometry(c.shape);
  const ops = operands(ctx, c.shape);
  const dy = uniformF32(rng, g.runs * g.outputsPerRun);
  const x = uniformF32(rng, g.runs * g.inputsPerRun);
  const grads = uniformF32(rng, g.runs * ops.paramsPerRun);
  const layout = { paramsPerRun: ops.paramsPerRun, weightOffset: ops.weightOffset };
  const spec = {
    ...c.shape,
    ...layout,
    dy: pool.upload("dy", dy),
    x: pool.upload("x", x),
    grads: pool.upload("grads", grads),
    gradMask: mask ? pool.upload("gradMask", ops.mask) : undefined,
  };
  submit(gpu, await prepareConv2dWeightGrad(gpu, pool, spec, { maxWorkgroupsX: c.maxGroups }));
  const ref = Float64Array.from(grads);
  conv2dWeightGradReference({
    ...c.shape,
    ...layout,
    dy,
    x,
    gradMask: mask ? ops.mask : undefined,
  }, ref);
  return { gpu: { G: await readF32(gpu.device, spec.grads) }, reference: { G: ref } };
}

/** Terms are products of two values in [-1, 1): magnitude <= 1. */
const kTerms = (s: Conv2dShape) => s.inChannels * s.kernel * s.kernel;

function forwardOp(name: string, cases: readonly ConvCase[], v: Variant): Op<ConvCase> {
  return {
    name,
    kernel: "conv2d",
    cases,
    tolerance: (c) => reduction(kTerms(c.shape) + (v.bias ? 1 : 0)),
    run: (ctx, c) => runForward(ctx, c, v),
  };
}

export const CONV_OPS: readonly Op[] = [
  forwardOp("conv2d forward +bias", [...SHAPES, ...CIFAR, BEYOND_ONE_DIMENSION], {
    mask: false,
    bias: true,
    relu: false,
  }),
  forwardOp("conv2d forward +relu (no bias)", SHAPES.slice(0, 6), {
    mask: false,
    bias: false,
    relu: true,
  }),
  forwardOp("conv2d forward +mask +bias +relu", MASKED, { mask: true, bias: true, relu: true }),
  {
    name: "conv2d_input_grad",
    kernel: "conv2d_input_grad",
    cases: [...SHAPES, ...CIFAR],
    // At most O*k*k terms per element (fewer with stride > 1).
    tolerance: (c) => reduction(c.shape.outChannels * c.shape.kernel * c.shape.kernel),
    run: (ctx, c) => runInputGrad(ctx, c, false),
  } as Op<ConvCase>,
  {
    name: "conv2d_input_grad +mask",
    kernel: "conv2d_input_grad",
    cases: MASKED,
    tolerance: (c) => reduction(c.shape.outChannels * c.shape.kernel * c.shape.kernel),
    run: (ctx, c) => runInputGrad(ctx, c, true),
  } as Op<ConvCase>,
  {
    name: "conv2d_weight_grad",
    kernel: "conv2d_weight_grad",
    cases: [...SHAPES, ...CIFAR, ...WHOLE_BATCH],
    tolerance: (c) => {
      const g = conv2dGeometry(c.shape);
      return reduction(g.batch * g.outHeight * g.outWidth);
    },
    run: (ctx, c) => runWeightGrad(ctx, c, false),
  } as Op<ConvCase>,
  {
    name: "conv2d_weight_grad +gradMask",
    kernel: "conv2d_weight_grad",
    cases: [...MASKED, ...WHOLE_BATCH],
    tolerance: (c) => {
      const g = conv2dGeometry(c.shape);
      return reduction(g.batch * g.outHeight * g.outWidth);
    },
    run: (ctx, c) => runWeightGrad(ctx, c, true),
  } as Op<ConvCase>,
  {
    name: "conv2d_weight_grad_reduce",
    kernel: "conv2d_weight_grad_reduce",
    cases: [
      { name: "1 weight, 1 run, 1 slice", weights: 1, runs: 1, slices: 1, masked: false },
      {
        name: "144 weights, 3 runs, 60 slices, masked",
        weights: 144,
        runs: 3,
        slices: 60,
        masked: true,
      },
      {
        name: "2304 weights, 2 runs, 20 slices",
        weights: 2304,
        runs: 2,
        slices: 20,
        masked: false,
      },
      {
        name: "65535*256+78 entries (2-D dispatch), 1 slice, masked",
        weights: 65535 * 128 + 39,
        runs: 2,
        slices: 1,
        masked: true,
      },
    ],
    // A sum of `slices` partial sums in fixed order: each a value in [-1, 1).
    tolerance: (c) => reduction(c.slices),
    run: runReduce,
  } as Op<ReduceCase>,
];

interface ReduceCase extends OpCase {
  weights: number;
  runs: number;
  slices: number;
  masked: boolean;
}

async function runReduce(ctx: OpContext, c: ReduceCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const weightOffset = 3, paramsPerRun = c.weights + 7;
  const partials = uniformF32(rng, c.slices * c.runs * c.weights);
  const grads = uniformF32(rng, c.runs * paramsPerRun);
  const mask = c.masked ? maskF32(rng, c.runs * paramsPerRun, 0.7) : undefined;
  const spec = { weights: c.weights, runs: c.runs, slices: c.slices, paramsPerRun, weightOffset };
  const gradsBuffer = pool.upload("grads", grads);
  submit(gpu, [
    await prepareConv2dWeightGradReduce(gpu, pool, {
      ...spec,
      partials: pool.upload("partials", partials),
      grads: gradsBuffer,
      gradMask: mask && pool.upload("gradMask", mask),
    }),
  ]);
  const ref = Float64Array.from(grads);
  conv2dWeightGradReduceReference(spec, partials, mask, ref);
  return { gpu: { G: await readF32(gpu.device, gradsBuffer) }, reference: { G: ref } };
}
