/**
 * Batch norm's training statistics (kernels/batchnorm_stats.wgsl): per (run, channel) mean and
 * invstd into `saved`, and the running estimates' update; its CPU reference.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import {
  BATCHNORM_EPS,
  BATCHNORM_MOMENTUM,
  batchNormCount,
  type BatchNormRunningLayout,
  type BatchNormShape,
  requireBatchNormShape,
  requireOffsets,
} from "./batchnorm_shape.ts";

export interface BatchNormStatsSpec extends BatchNormShape, BatchNormRunningLayout {
  /** The layer's input [runs, batch, channels, spatial]. */
  x: GPUBuffer;
  /** Written: [runs, channels, 2] = (mean, 1 / sqrt(biased var + eps)). */
  saved: GPUBuffer;
  /** The flat running-statistics buffer, updated in place (see BatchNormRunningLayout). */
  state: GPUBuffer;
  /** Default BATCHNORM_EPS (1e-5). */
  eps?: number;
  /** Default BATCHNORM_MOMENTUM (0.1): running = (1 - momentum) * running + momentum * batch. */
  momentum?: number;
}

export async function prepareBatchNormStats(
  gpu: Gpu,
  pool: BufferPool,
  spec: BatchNormStatsSpec,
): Promise<Dispatch> {
  requireBatchNormShape("batchnorm_stats", spec);
  const { meanOffset, varOffset, statePerRun } = spec;
  requireOffsets("batchnorm_stats", { meanOffset, varOffset, statePerRun });
  const N = batchNormCount(spec);
  if (N < 2) {
    throw new RangeError(
      `batchnorm_stats: training needs more than 1 value per channel (batch * spatial = ${N}), as in PyTorch`,
    );
  }
  const kernel = await loadKernel(gpu.device, "batchnorm_stats", [
    "uniform",
    "read",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    "batchnorm_stats params",
    packParams([
      ["u32", spec.batch],
      ["u32", spec.channels],
      ["u32", spec.spatial],
      ["u32", N],
      ["u32", meanOffset],
      ["u32", varOffset],
      ["u32", statePerRun],
      ["u32", 0],
      ["f32", spec.eps ?? BATCHNORM_EPS],
      ["f32", spec.momentum ?? BATCHNORM_MOMENTUM],
    ]),
  );
  return prepareDispatch(gpu.device, kernel, [params, spec.x, spec.saved, spec.state], [
    spec.channels,
    1,
    spec.runs,
  ]);
}

/**
 * f64: saved[(r*C + c)*2 ..] = (mean, 1 / sqrt(var + eps)) with the biased variance, and the
 * running estimates in `state` updated with momentum and the unbiased variance (PyTorch).
 */
export function batchNormStatsReference(
  geometry: Omit<BatchNormStatsSpec, "x" | "saved" | "state">,
  x: ArrayLike<number>,
  saved: Float64Array,
  state: Float64Array,
): void {
  const { runs, batch: B, channels: C, spatial: S } = geometry;
  const eps = geometry.eps ?? BATCHNORM_EPS, m = geometry.momentum ?? BATCHNORM_MOMENTUM;
  const N = B * S;
  for (let r = 0; r < runs; r++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < S; s++) sum += x[((r * B + b) * C + c) * S + s];
      }
      const mean = sum / N;
      let squares = 0;
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < S; s++) squares += (x[((r * B + b) * C + c) * S + s] - mean) ** 2;
      }
      saved[2 * (r * C + c)] = mean;
      saved[2 * (r * C + c) + 1] = 1 / Math.sqrt(squares / N + eps);
      const rm = geometry.meanOffset + r * geometry.statePerRun + c;
      const rv = geometry.varOffset + r * geometry.statePerRun + c;
      state[rm] = (1 - m) * state[rm] + m * mean;
      state[rv] = (1 - m) * state[rv] + m * (squares / N) * (N / (N - 1));
    }
  }
}
