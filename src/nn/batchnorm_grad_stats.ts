/**
 * Batch norm's backward reductions (kernels/batchnorm_grad_stats.wgsl): per (run, channel)
 * sum dy and sum dy * xhat, and dgamma, dbeta when affine; its CPU reference.
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
  type BatchNormAffineLayout,
  batchNormCount,
  type BatchNormShape,
  requireBatchNormShape,
  requireOffsets,
  unusedBinding,
} from "./batchnorm_shape.ts";

export interface BatchNormGradStatsSpec extends BatchNormShape {
  /** The layer's input [runs, batch, channels, spatial] (xhat is recomputed from it). */
  x: GPUBuffer;
  /** Gradient w.r.t. the batch norm's output (after a fused ReLU's backward), same shape. */
  dy: GPUBuffer;
  /** batchnorm_stats' (mean, invstd) [runs, C, 2] of this step. */
  saved: GPUBuffer;
  /** Written: [runs, C, 2] = (sum dy, sum dy * xhat), read by batchnorm_input_grad. */
  sums: GPUBuffer;
  /** Affine: dgamma = sum dy * xhat and dbeta = sum dy written (not added) into `grads`. */
  affine?: BatchNormAffineLayout & { grads: GPUBuffer };
}

export async function prepareBatchNormGradStats(
  gpu: Gpu,
  pool: BufferPool,
  spec: BatchNormGradStatsSpec,
): Promise<Dispatch> {
  requireBatchNormShape("batchnorm_grad_stats", spec);
  const { affine } = spec;
  const layout = {
    gammaOffset: affine?.gammaOffset ?? 0,
    betaOffset: affine?.betaOffset ?? 0,
    paramsPerRun: affine?.paramsPerRun ?? 0,
  };
  requireOffsets("batchnorm_grad_stats", layout);
  const kernel = await loadKernel(
    gpu.device,
    "batchnorm_grad_stats",
    ["uniform", "read", "read", "read", "read_write", "read_write"],
    { AFFINE: affine ? 1 : 0 },
  );
  const params = pool.uniform(
    "batchnorm_grad_stats params",
    packParams([
      ["u32", spec.batch],
      ["u32", spec.channels],
      ["u32", spec.spatial],
      ["u32", batchNormCount(spec)],
      ["u32", layout.gammaOffset],
      ["u32", layout.betaOffset],
      ["u32", layout.paramsPerRun],
    ]),
  );
  const buffers = [
    params,
    spec.x,
    spec.dy,
    spec.saved,
    spec.sums,
    affine ? affine.grads : unusedBinding(pool),
  ];
  return prepareDispatch(gpu.device, kernel, buffers, [spec.channels, 1, spec.runs]);
}

/**
 * f64: sums[(r*C + c)*2 ..] = (sum dy, sum dy * xhat) with xhat = (x - mean) * invstd from
 * `saved`; with `affine`, grads at gamma/beta's offsets = (sum dy * xhat, sum dy).
 */
export function batchNormGradStatsReference(
  geometry: BatchNormShape & { affine?: BatchNormAffineLayout },
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  saved: ArrayLike<number>,
  sums: Float64Array,
  grads?: Float64Array,
): void {
  const { runs, batch: B, channels: C, spatial: S, affine } = geometry;
  for (let r = 0; r < runs; r++) {
    for (let c = 0; c < C; c++) {
      const mean = saved[2 * (r * C + c)], invstd = saved[2 * (r * C + c) + 1];
      let sumDy = 0, sumDyXhat = 0;
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < S; s++) {
          const i = ((r * B + b) * C + c) * S + s;
          sumDy += dy[i];
          sumDyXhat += dy[i] * (x[i] - mean) * invstd;
        }
      }
      sums[2 * (r * C + c)] = sumDy;
      sums[2 * (r * C + c) + 1] = sumDyXhat;
      if (affine && grads) {
        grads[affine.gammaOffset + r * affine.paramsPerRun + c] = sumDyXhat;
        grads[affine.betaOffset + r * affine.paramsPerRun + c] = sumDy;
      }
    }
  }
}
