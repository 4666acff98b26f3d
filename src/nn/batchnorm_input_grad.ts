/**
 * Batch norm's input gradient in training (kernels/batchnorm_input_grad.wgsl),
 * dx = gamma * invstd / N * (N * dy - sum dy - xhat * sum dy * xhat); its CPU reference.
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
import { flatWorkgroups } from "./flat.ts";

export interface BatchNormInputGradSpec extends BatchNormShape {
  /** The layer's input [runs, batch, channels, spatial]. */
  x: GPUBuffer;
  /** Gradient w.r.t. the batch norm's output (after a fused ReLU's backward), same shape. */
  dy: GPUBuffer;
  /** batchnorm_stats' (mean, invstd) [runs, C, 2] of this step. */
  saved: GPUBuffer;
  /** batchnorm_grad_stats' (sum dy, sum dy * xhat) [runs, C, 2]. */
  sums: GPUBuffer;
  /** Written: gradient w.r.t. x, same shape; a separate buffer. */
  dx: GPUBuffer;
  /** Affine: gamma read from the flat parameter buffer; absent: gamma = 1. */
  affine?: Pick<BatchNormAffineLayout, "gammaOffset" | "paramsPerRun"> & { params: GPUBuffer };
}

export async function prepareBatchNormInputGrad(
  gpu: Gpu,
  pool: BufferPool,
  spec: BatchNormInputGradSpec,
): Promise<Dispatch> {
  requireBatchNormShape("batchnorm_input_grad", spec);
  const { affine } = spec;
  const layout = {
    gammaOffset: affine?.gammaOffset ?? 0,
    paramsPerRun: affine?.paramsPerRun ?? 0,
  };
  requireOffsets("batchnorm_input_grad", layout);
  const n = spec.runs * spec.batch * spec.channels * spec.spatial;
  const kernel = await loadKernel(
    gpu.device,
    "batchnorm_input_grad",
    ["uniform", "read", "read", "read", "read", "read", "read_write"],
    { AFFINE: affine ? 1 : 0 },
  );
  const params = pool.uniform(
    "batchnorm_input_grad params",
    packParams([
      ["u32", n],
      ["u32", spec.batch],
      ["u32", spec.channels],
      ["u32", spec.spatial],
      ["u32", layout.gammaOffset],
      ["u32", layout.paramsPerRun],
      ["u32", batchNormCount(spec)],
    ]),
  );
  const buffers = [
    params,
    spec.x,
    spec.dy,
    spec.saved,
    spec.sums,
    affine ? affine.params : unusedBinding(pool),
    spec.dx,
  ];
  return prepareDispatch(gpu.device, kernel, buffers, flatWorkgroups(n));
}

/** f64: dx = gamma * invstd * (dy - sum_dy / N - xhat * sum_dy_xhat / N). */
export function batchNormInputGradReference(
  geometry: BatchNormShape & {
    affine?: Pick<BatchNormAffineLayout, "gammaOffset" | "paramsPerRun">;
  },
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  saved: ArrayLike<number>,
  sums: ArrayLike<number>,
  params: ArrayLike<number> | undefined,
  dx: Float64Array,
): void {
  const { runs, batch: B, channels: C, spatial: S, affine } = geometry;
  const N = B * S;
  for (let r = 0; r < runs; r++) {
    for (let c = 0; c < C; c++) {
      const mean = saved[2 * (r * C + c)], invstd = saved[2 * (r * C + c) + 1];
      const sumDy = sums[2 * (r * C + c)], sumDyXhat = sums[2 * (r * C + c) + 1];
      const gamma = affine ? params![affine.gammaOffset + r * affine.paramsPerRun + c] : 1;
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < S; s++) {
          const i = ((r * B + b) * C + c) * S + s;
          const xhat = (x[i] - mean) * invstd;
          dx[i] = gamma * invstd * (dy[i] - sumDy / N - xhat * sumDyXhat / N);
        }
      }
    }
  }
}
