/** Moves per-run totals into the next history slot (kernels/record_metrics.wgsl). */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

export async function prepareRecordMetrics(
  gpu: Gpu,
  pool: BufferPool,
  spec: { runs: number; slots: number; totals: GPUBuffer; counters: GPUBuffer; history: GPUBuffer },
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "record_metrics", [
    "uniform",
    "read_write",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    "record_metrics params",
    packParams([["u32", spec.runs], ["u32", spec.slots]]),
  );
  return prepareDispatch(gpu.device, kernel, [params, spec.totals, spec.counters, spec.history], [
    1,
    1,
    1,
  ]);
}

/** history[slot, r] = totals[r]; totals = 0; returns the next slot. */
export function recordMetricsReference(
  totals: Float64Array,
  history: Float64Array,
  slot: number,
  runs: number,
): number {
  for (let r = 0; r < runs; r++) {
    history[2 * (slot * runs + r)] = totals[2 * r];
    history[2 * (slot * runs + r) + 1] = totals[2 * r + 1];
    totals[2 * r] = 0;
    totals[2 * r + 1] = 0;
  }
  return slot + 1;
}
