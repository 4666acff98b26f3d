/** Per-run (loss sum, correct count) accumulation (kernels/accumulate_metrics.wgsl). */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

export async function prepareAccumulateMetrics(
  gpu: Gpu,
  pool: BufferPool,
  spec: { batch: number; runs: number; rows: GPUBuffer; totals: GPUBuffer },
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "accumulate_metrics", [
    "uniform",
    "read",
    "read_write",
  ]);
  const params = pool.uniform("accumulate_metrics params", packParams([["u32", spec.batch]]));
  return prepareDispatch(gpu.device, kernel, [params, spec.rows, spec.totals], [1, 1, spec.runs]);
}

/** totals[r] += sum_b rows[r, b], both components, in increasing b. */
export function accumulateMetricsReference(
  rows: ArrayLike<number>,
  batch: number,
  runs: number,
  totals: Float64Array,
): void {
  for (let r = 0; r < runs; r++) {
    for (let b = 0; b < batch; b++) {
      totals[2 * r] += rows[2 * (r * batch + b)];
      totals[2 * r + 1] += rows[2 * (r * batch + b) + 1];
    }
  }
}
