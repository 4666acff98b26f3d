/**
 * 2-D convolution forward (kernels/conv2d.wgsl), y = conv(x, W*M) + b with an optional fused
 * ReLU, and its f64 CPU reference. Shapes and layouts: src/nn/conv2d_shape.ts.
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

export interface Conv2dSpec extends Conv2dShape, Conv2dParamsLayout {
  /** [runs, batch, inChannels, height, width]. */
  x: GPUBuffer;
  /** [runs, batch, outChannels, outHeight, outWidth], written fully. */
  y: GPUBuffer;
  /** Flat parameters: W of run r at weightOffset + r*paramsPerRun. */
  params: GPUBuffer;
  /** The bias [O] of run r at biasOffset + r*paramsPerRun; without it the layer has no bias. */
  biasOffset?: number;
  /** The parameter buffer's layout; multiplied into W (not into the bias). */
  mask?: GPUBuffer;
  relu: boolean;
}

export async function prepareConv2d(
  gpu: Gpu,
  pool: BufferPool,
  spec: Conv2dSpec,
  options: Conv2dOptions = {},
): Promise<Dispatch> {
  const g = conv2dGeometry(spec);
  const tile = conv2dTile(gpu, g.outChannels, "pixels");
  const grid = conv2dGrid(
    gpu,
    tile,
    g.outChannels,
    g.batch * g.outHeight * g.outWidth,
    g.runs,
    options,
  );
  const params = conv2dUniform(pool, "conv2d params", g, spec, grid);
  const kernel = await loadKernel(gpu.device, "conv2d", [
    "uniform",
    "read",
    "read",
    "read",
    "read_write",
  ], {
    WG: tile.lanes,
    ROWS: tile.rows,
    VEC: tile.vec,
    MASK: spec.mask ? 1 : 0,
    BIAS: spec.biasOffset === undefined ? 0 : 1,
    RELU: spec.relu ? 1 : 0,
  });
  return prepareDispatch(gpu.device, kernel, [
    params,
    spec.x,
    spec.params,
    spec.mask ?? spec.params,
    spec.y,
  ], grid.workgroups);
}

/** The reference's operands: host copies of the spec's buffers. */
export interface Conv2dReferenceSpec extends Conv2dShape, Conv2dParamsLayout {
  biasOffset?: number;
  x: ArrayLike<number>;
  params: ArrayLike<number>;
  mask?: ArrayLike<number>;
  relu: boolean;
}

/** y (length runs*batch*O*OH*OW) in f64, plain loops, padding read as 0. */
export function conv2dReference(spec: Conv2dReferenceSpec, y: Float64Array): void {
  const g = conv2dGeometry(spec);
  const { batch, inChannels: C, height: H, width: W, outChannels: O, kernel: k } = g;
  const { stride: s, padding: pad, outHeight: OH, outWidth: OW } = g;
  for (let r = 0; r < g.runs; r++) {
    const wBase = spec.weightOffset + r * spec.paramsPerRun;
    for (let b = 0; b < batch; b++) {
      const xBase = (r * batch + b) * C * H * W;
      for (let o = 0; o < O; o++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let sum = 0;
            for (let c = 0; c < C; c++) {
              for (let kh = 0; kh < k; kh++) {
                const ih = oh * s - pad + kh;
                if (ih < 0 || ih >= H) continue;
                for (let kw = 0; kw < k; kw++) {
                  const iw = ow * s - pad + kw;
                  if (iw < 0 || iw >= W) continue;
                  const wi = wBase + ((o * C + c) * k + kh) * k + kw;
                  const w = spec.mask ? spec.params[wi] * spec.mask[wi] : spec.params[wi];
                  sum += spec.x[xBase + (c * H + ih) * W + iw] * w;
                }
              }
            }
            if (spec.biasOffset !== undefined) {
              sum += spec.params[spec.biasOffset + r * spec.paramsPerRun + o];
            }
            if (spec.relu) sum = Math.max(sum, 0);
            y[(((r * batch + b) * O + o) * OH + oh) * OW + ow] = sum;
          }
        }
      }
    }
  }
}
