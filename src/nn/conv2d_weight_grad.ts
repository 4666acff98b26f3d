/**
 * 2-D convolution weight gradient (kernels/conv2d_weight_grad.wgsl), dW = sum over the batch and
 * the output pixels of dy times the input patch, optionally masked, written into the flat
 * gradient buffer; and its f64 CPU reference. Shapes and layouts: src/nn/conv2d_shape.ts.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  prepareDispatch,
} from "../gpu/mod.ts";
import {
  conv2dGeometry,
  conv2dGrid,
  type Conv2dOptions,
  type Conv2dParamsLayout,
  type Conv2dShape,
  conv2dTile,
  conv2dUniform,
} from "./conv2d_shape.ts";
import { prepareConv2dWeightGradReduce } from "./conv2d_weight_grad_reduce.ts";

export interface Conv2dWeightGradSpec extends Conv2dShape, Conv2dParamsLayout {
  /** [runs, batch, outChannels, outHeight, outWidth]. */
  dy: GPUBuffer;
  /** [runs, batch, inChannels, height, width]: the layer's input. */
  x: GPUBuffer;
  /** Flat gradients: dW of run r ([O, C, k, k]) at weightOffset + r*paramsPerRun. */
  grads: GPUBuffer;
  /** The gradient buffer's layout; a 0 entry makes that gradient exactly +0. */
  gradMask?: GPUBuffer;
}

/**
 * Weights one slice of the batch should at least feed: a layer with fewer weights than this is
 * split over the batch so that its reduction runs in several workgroups (a 16 x 16 x 3 x 3 layer
 * is one or two tiles, which one core or one GPU multiprocessor would otherwise run alone).
 */
const WEIGHTS_PER_SLICE_TARGET = 65536;

/**
 * Examples per slice of the batch, from the shape alone (never the adapter or the runs), so the
 * summation order and the bits are the same everywhere: about 65536 / (O*C*k*k) slices, at most
 * one example each. Equal to `batch` when the layer is large enough to need no split.
 */
export function conv2dWeightGradSlice(shape: Conv2dShape): number {
  const weights = shape.outChannels * shape.inChannels * shape.kernel * shape.kernel;
  const slices = Math.min(shape.batch, Math.max(1, Math.ceil(WEIGHTS_PER_SLICE_TARGET / weights)));
  return Math.ceil(shape.batch / slices);
}

/**
 * One dispatch, or two when the batch is split: each slice's partial dW into a scratch buffer,
 * then conv2d_weight_grad_reduce adds the slices in order and applies the mask.
 */
export async function prepareConv2dWeightGrad(
  gpu: Gpu,
  pool: BufferPool,
  spec: Conv2dWeightGradSpec,
  options: Conv2dOptions = {},
): Promise<Dispatch[]> {
  const g = conv2dGeometry(spec);
  const tile = conv2dTile(gpu, g.outChannels, "weights");
  const grid = conv2dGrid(
    gpu,
    tile,
    g.outChannels,
    g.inChannels * g.kernel * g.kernel,
    g.runs,
    options,
  );
  const batchPerSlice = options.batchPerSlice ?? conv2dWeightGradSlice(g);
  const slices = Math.ceil(g.batch / batchPerSlice);
  const split = slices > 1;
  const params = conv2dUniform(pool, "conv2d_weight_grad params", g, spec, grid, batchPerSlice);
  const kernel = await loadKernel(gpu.device, "conv2d_weight_grad", [
    "uniform",
    "read",
    "read",
    "read",
    "read_write",
  ], {
    WG: tile.lanes,
    ROWS: tile.rows,
    VEC: tile.vec,
    GRAD_MASK: spec.gradMask && !split ? 1 : 0,
    SPLIT: split ? 1 : 0,
  });
  const limit = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const [x, y, z] = grid.workgroups;
  if (y * slices > limit) {
    throw new RangeError(
      `conv2d_weight_grad grid of ${y} x ${slices} slices exceeds ${limit} workgroups along y`,
    );
  }
  if (!split) {
    return [
      prepareDispatch(gpu.device, kernel, [
        params,
        spec.dy,
        spec.x,
        spec.gradMask ?? spec.x,
        spec.grads,
      ], grid.workgroups),
    ];
  }
  const partials = pool.storage(
    "conv2d_weight_grad partial sums",
    slices * g.runs * g.weightsPerRun * 4,
  );
  return [
    prepareDispatch(gpu.device, kernel, [params, spec.dy, spec.x, spec.x, partials], [
      x,
      y * slices,
      z,
    ]),
    await prepareConv2dWeightGradReduce(gpu, pool, {
      weights: g.weightsPerRun,
      runs: g.runs,
      slices,
      partials,
      grads: spec.grads,
      paramsPerRun: spec.paramsPerRun,
      weightOffset: spec.weightOffset,
      gradMask: spec.gradMask,
    }),
  ];
}

/** The reference's operands: host copies of the spec's buffers. */
export interface Conv2dWeightGradReferenceSpec extends Conv2dShape, Conv2dParamsLayout {
  dy: ArrayLike<number>;
  x: ArrayLike<number>;
  gradMask?: ArrayLike<number>;
}

/** dW of every run into the flat `grads` (other entries untouched), f64, plain loops. */
export function conv2dWeightGradReference(
  spec: Conv2dWeightGradReferenceSpec,
  grads: Float64Array,
): void {
  const g = conv2dGeometry(spec);
  const { batch, inChannels: C, height: H, width: W, outChannels: O, kernel: k } = g;
  const { stride: s, padding: pad, outHeight: OH, outWidth: OW } = g;
  for (let r = 0; r < g.runs; r++) {
    for (let o = 0; o < O; o++) {
      for (let c = 0; c < C; c++) {
        for (let kh = 0; kh < k; kh++) {
          for (let kw = 0; kw < k; kw++) {
            let sum = 0;
            for (let b = 0; b < batch; b++) {
              const dyBase = ((r * batch + b) * O + o) * OH * OW;
              const xBase = ((r * batch + b) * C + c) * H * W;
              for (let oh = 0; oh < OH; oh++) {
                const ih = oh * s - pad + kh;
                if (ih < 0 || ih >= H) continue;
                for (let ow = 0; ow < OW; ow++) {
                  const iw = ow * s - pad + kw;
                  if (iw < 0 || iw >= W) continue;
                  sum += spec.dy[dyBase + oh * OW + ow] * spec.x[xBase + ih * W + iw];
                }
              }
            }
            const i = spec.weightOffset + r * spec.paramsPerRun + ((o * C + c) * k + kh) * k + kw;
            if (spec.gradMask) sum = spec.gradMask[i] === 0 ? 0 : sum * spec.gradMask[i];
            grads[i] = sum;
          }
        }
      }
    }
  }
}
