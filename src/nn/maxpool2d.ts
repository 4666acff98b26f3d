/** Max pooling, K x K windows with stride K (kernels/maxpool2d.wgsl), and its CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";
import { planeCount, type Pool2dShape, pooledSize, requirePool2dShape } from "./pool_shape.ts";

export interface MaxPool2dSpec extends Pool2dShape {
  /** Window side K, which is also the stride; 2 unless given. */
  window?: number;
  /** Input [runs, batch, channels, height, width]. */
  x: GPUBuffer;
  /** Output [runs, batch, channels, floor(height / K), floor(width / K)]. */
  y: GPUBuffer;
}

/** The uniform block maxpool2d and maxpool2d_backward share, after checking the shape. */
export function maxPool2dParams(kernel: string, spec: Pool2dShape & { window?: number }): {
  window: number;
  out: { height: number; width: number };
  words: (n: number) => ArrayBuffer;
} {
  const window = spec.window ?? 2;
  requirePool2dShape(kernel, spec);
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`${kernel}: window must be an integer >= 1, got ${window}`);
  }
  const out = pooledSize(spec, window);
  if (out.height < 1 || out.width < 1) {
    throw new RangeError(
      `${kernel}: a ${spec.height} x ${spec.width} input is smaller than the ${window} x ${window} window`,
    );
  }
  const words = (n: number) =>
    packParams([
      ["u32", n],
      ["u32", spec.height],
      ["u32", spec.width],
      ["u32", window],
      ["u32", out.height],
      ["u32", out.width],
    ]);
  return { window, out, words };
}

export async function prepareMaxPool2d(
  gpu: Gpu,
  pool: BufferPool,
  spec: MaxPool2dSpec,
): Promise<Dispatch> {
  const { out, words } = maxPool2dParams("maxpool2d", spec);
  const n = planeCount(spec) * out.height * out.width;
  const kernel = await loadKernel(gpu.device, "maxpool2d", ["uniform", "read", "read_write"]);
  const params = pool.uniform("maxpool2d params", words(n));
  return prepareDispatch(gpu.device, kernel, [params, spec.x, spec.y], flatWorkgroups(n));
}

/**
 * The first maximum of window (plane, oh, ow) in (kh, kw) scan order, as a flat index into x:
 * PyTorch's tie rule, shared by the forward and backward references.
 */
export function maxPool2dArgmax(
  geometry: Pool2dShape & { window?: number },
  x: ArrayLike<number>,
  plane: number,
  oh: number,
  ow: number,
): number {
  const k = geometry.window ?? 2, { height: H, width: W } = geometry;
  let best = (plane * H + oh * k) * W + ow * k;
  for (let kh = 0; kh < k; kh++) {
    for (let kw = 0; kw < k; kw++) {
      const at = (plane * H + oh * k + kh) * W + ow * k + kw;
      if (x[at] > x[best]) best = at;
    }
  }
  return best;
}

/** y[plane, oh, ow] = max of the window; f64 (a max is exact). */
export function maxPool2dReference(
  geometry: Omit<MaxPool2dSpec, "x" | "y">,
  x: ArrayLike<number>,
  y: Float64Array,
): void {
  const out = pooledSize(geometry, geometry.window ?? 2);
  for (let plane = 0; plane < planeCount(geometry); plane++) {
    for (let oh = 0; oh < out.height; oh++) {
      for (let ow = 0; ow < out.width; ow++) {
        y[(plane * out.height + oh) * out.width + ow] =
          x[maxPool2dArgmax(geometry, x, plane, oh, ow)];
      }
    }
  }
}
