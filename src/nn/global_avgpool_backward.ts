/** Global average pooling's input gradient (kernels/global_avgpool_backward.wgsl), CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";
import { planeCount, type Pool2dShape, requirePool2dShape } from "./pool_shape.ts";

export interface GlobalAvgPoolBackwardSpec extends Pool2dShape {
  /** Gradient w.r.t. the pooled output [runs, batch, channels]. */
  dy: GPUBuffer;
  /** Gradient w.r.t. the input [runs, batch, channels, height, width], written in full. */
  dx: GPUBuffer;
}

export async function prepareGlobalAvgPoolBackward(
  gpu: Gpu,
  pool: BufferPool,
  spec: GlobalAvgPoolBackwardSpec,
): Promise<Dispatch> {
  requirePool2dShape("global_avgpool_backward", spec);
  const S = spec.height * spec.width;
  const n = planeCount(spec) * S;
  const kernel = await loadKernel(gpu.device, "global_avgpool_backward", [
    "uniform",
    "read",
    "read_write",
  ]);
  const params = pool.uniform(
    "global_avgpool_backward params",
    packParams([["u32", n], ["u32", S]]),
  );
  return prepareDispatch(gpu.device, kernel, [params, spec.dy, spec.dx], flatWorkgroups(n));
}

/** dx[plane, s] = dy[plane] / (H * W); f64. */
export function globalAvgPoolBackwardReference(
  geometry: Omit<GlobalAvgPoolBackwardSpec, "dy" | "dx">,
  dy: ArrayLike<number>,
  dx: Float64Array,
): void {
  const S = geometry.height * geometry.width;
  for (let plane = 0; plane < planeCount(geometry); plane++) {
    for (let s = 0; s < S; s++) dx[plane * S + s] = dy[plane] / S;
  }
}
