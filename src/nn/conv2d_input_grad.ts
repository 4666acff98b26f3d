/**
 * 2-D convolution input gradient (kernels/conv2d_input_grad.wgsl), dx = conv_transpose(dy, W*M),
 * the exact adjoint of conv2d with respect to x (a fused ReLU is the caller's), and its f64 CPU
 * reference. Shapes and layouts: src/nn/conv2d_shape.ts.
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

export interface Conv2dInputGradSpec extends Conv2dShape, Conv2dParamsLayout {
  /** [runs, batch, outChannels, outHeight, outWidth]. */
  dy: GPUBuffer;
  /** [runs, batch, inChannels, height, width], written fully (0 where no output touches). */
  dx: GPUBuffer;
  /** Flat parameters: W of run r at weightOffset + r*paramsPerRun. */
  params: GPUBuffer;
  /** The parameter buffer's layout; multiplied into W. */
  mask?: GPUBuffer;
}

/**
 * Columns of the kernel's GEMM: the input pixels ordered by stride phase, batch*s*s*Hs*Ws with
 * Hs = ceil(H/s), Ws = ceil(W/s) (kernels/conv2d_input_grad.wgsl).
 */
export function conv2dInputGradColumns(shape: Conv2dShape): number {
  const s = shape.stride;
  return shape.batch * s * s * Math.ceil(shape.height / s) * Math.ceil(shape.width / s);
}

export async function prepareConv2dInputGrad(
  gpu: Gpu,
  pool: BufferPool,
  spec: Conv2dInputGradSpec,
  options: Conv2dOptions = {},
): Promise<Dispatch> {
  const g = conv2dGeometry(spec);
  const tile = conv2dTile(gpu, g.inChannels, "pixels");
  const grid = conv2dGrid(gpu, tile, g.inChannels, conv2dInputGradColumns(g), g.runs, options);
  const params = conv2dUniform(pool, "conv2d_input_grad params", g, spec, grid);
  const kernel = await loadKernel(gpu.device, "conv2d_input_grad", [
    "uniform",
    "read",
    "read",
    "read",
    "read_write",
  ], { WG: tile.lanes, ROWS: tile.rows, VEC: tile.vec, MASK: spec.mask ? 1 : 0 });
  return prepareDispatch(gpu.device, kernel, [
    params,
    spec.dy,
    spec.params,
    spec.mask ?? spec.params,
    spec.dx,
  ], grid.workgroups);
}

/** The reference's operands: host copies of the spec's buffers. */
export interface Conv2dInputGradReferenceSpec extends Conv2dShape, Conv2dParamsLayout {
  dy: ArrayLike<number>;
  params: ArrayLike<number>;
  mask?: ArrayLike<number>;
}

/**
 * dx (length runs*batch*C*H*W) in f64, plain loops: every output pixel scatters dy times the
 * weight to the input pixels it read (the forward's loops with the product accumulated into dx).
 */
export function conv2dInputGradReference(
  spec: Conv2dInputGradReferenceSpec,
  dx: Float64Array,
): void {
  const g = conv2dGeometry(spec);
  const { batch, inChannels: C, height: H, width: W, outChannels: O, kernel: k } = g;
  const { stride: s, padding: pad, outHeight: OH, outWidth: OW } = g;
  dx.fill(0, 0, g.runs * g.inputsPerRun);
  for (let r = 0; r < g.runs; r++) {
    const wBase = spec.weightOffset + r * spec.paramsPerRun;
    for (let b = 0; b < batch; b++) {
      const xBase = (r * batch + b) * C * H * W;
      for (let o = 0; o < O; o++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const d = spec.dy[(((r * batch + b) * O + o) * OH + oh) * OW + ow];
            for (let c = 0; c < C; c++) {
              for (let kh = 0; kh < k; kh++) {
                const ih = oh * s - pad + kh;
                if (ih < 0 || ih >= H) continue;
                for (let kw = 0; kw < k; kw++) {
                  const iw = ow * s - pad + kw;
                  if (iw < 0 || iw >= W) continue;
                  const wi = wBase + ((o * C + c) * k + kh) * k + kw;
                  const w = spec.mask ? spec.params[wi] * spec.mask[wi] : spec.params[wi];
                  dx[xBase + (c * H + ih) * W + iw] += d * w;
                }
              }
            }
          }
        }
      }
    }
  }
}
