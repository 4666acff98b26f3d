/** The step counters that let K recorded steps differ without CPU work (kernels/advance_step.wgsl). */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

/** counters[0]: step within the chunk; counters[1]: optimizer steps taken; counters[2]: history slot. */
export const COUNTER_WORDS = 4;

export async function prepareAdvanceStep(
  gpu: Gpu,
  pool: BufferPool,
  counters: GPUBuffer,
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "advance_step", ["uniform", "read_write"]);
  const params = pool.uniform("advance_step params", packParams([["u32", 1]]));
  return prepareDispatch(gpu.device, kernel, [params, counters], [1, 1, 1]);
}

export function advanceStepReference(counters: Uint32Array): void {
  counters[0] += 1;
  counters[1] += 1;
}
