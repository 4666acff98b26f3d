/** Global average pooling over H x W (kernels/global_avgpool.wgsl) and its CPU reference. */
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

export interface GlobalAvgPoolSpec extends Pool2dShape {
  /** Input [runs, batch, channels, height, width]. */
  x: GPUBuffer;
  /** Output [runs, batch, channels]. */
  y: GPUBuffer;
}

export async function prepareGlobalAvgPool(
  gpu: Gpu,
  pool: BufferPool,
  spec: GlobalAvgPoolSpec,
): Promise<Dispatch> {
  requirePool2dShape("global_avgpool", spec);
  const planes = planeCount(spec);
  const kernel = await loadKernel(gpu.device, "global_avgpool", ["uniform", "read", "read_write"]);
  const params = pool.uniform(
    "global_avgpool params",
    packParams([["u32", planes], ["u32", spec.height * spec.width]]),
  );
  return prepareDispatch(gpu.device, kernel, [params, spec.x, spec.y], flatWorkgroups(planes));
}

/** y[plane] = mean of the plane's H * W values; f64. */
export function globalAvgPoolReference(
  geometry: Omit<GlobalAvgPoolSpec, "x" | "y">,
  x: ArrayLike<number>,
  y: Float64Array,
): void {
  const S = geometry.height * geometry.width;
  for (let plane = 0; plane < planeCount(geometry); plane++) {
    let sum = 0;
    for (let s = 0; s < S; s++) sum += x[plane * S + s];
    y[plane] = sum / S;
  }
}
