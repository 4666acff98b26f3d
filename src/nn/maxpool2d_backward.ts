/** Max pooling's input gradient (kernels/maxpool2d_backward.wgsl) and its CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";
import { maxPool2dArgmax, maxPool2dParams } from "./maxpool2d.ts";
import { planeCount, type Pool2dShape, pooledSize } from "./pool_shape.ts";

export interface MaxPool2dBackwardSpec extends Pool2dShape {
  /** Window side K, which is also the stride; 2 unless given. */
  window?: number;
  /** The forward's input [runs, batch, channels, height, width]; the argmax is recomputed. */
  x: GPUBuffer;
  /** Gradient w.r.t. the pooled output [runs, batch, channels, floor(H / K), floor(W / K)]. */
  dy: GPUBuffer;
  /** Gradient w.r.t. x, written in full (zeros outside the argmaxes). */
  dx: GPUBuffer;
}

export async function prepareMaxPool2dBackward(
  gpu: Gpu,
  pool: BufferPool,
  spec: MaxPool2dBackwardSpec,
): Promise<Dispatch> {
  const { words } = maxPool2dParams("maxpool2d_backward", spec);
  const n = planeCount(spec) * spec.height * spec.width;
  const kernel = await loadKernel(gpu.device, "maxpool2d_backward", [
    "uniform",
    "read",
    "read",
    "read_write",
  ]);
  const params = pool.uniform("maxpool2d_backward params", words(n));
  return prepareDispatch(gpu.device, kernel, [params, spec.x, spec.dy, spec.dx], flatWorkgroups(n));
}

/** dx = 0 everywhere, then dx[argmax of each window] = dy of that window (ties: first in scan order). */
export function maxPool2dBackwardReference(
  geometry: Omit<MaxPool2dBackwardSpec, "x" | "dy" | "dx">,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  dx: Float64Array,
): void {
  const out = pooledSize(geometry, geometry.window ?? 2);
  dx.fill(0, 0, planeCount(geometry) * geometry.height * geometry.width);
  for (let plane = 0; plane < planeCount(geometry); plane++) {
    for (let oh = 0; oh < out.height; oh++) {
      for (let ow = 0; ow < out.width; ow++) {
        dx[maxPool2dArgmax(geometry, x, plane, oh, ow)] =
          dy[(plane * out.height + oh) * out.width + ow];
      }
    }
  }
}
