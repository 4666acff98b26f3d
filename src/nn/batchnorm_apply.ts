/**
 * Batch norm's normalisation, y = (x - mean) * invstd * gamma + beta with an optional fused ReLU
 * (kernels/batchnorm_apply.wgsl), from the training statistics or the running estimates; its
 * CPU reference.
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
  type BatchNormAffineLayout,
  type BatchNormRunningLayout,
  type BatchNormShape,
  requireBatchNormShape,
  requireOffsets,
  unusedBinding,
} from "./batchnorm_shape.ts";
import { flatWorkgroups } from "./flat.ts";

export interface BatchNormApplySpec extends BatchNormShape {
  /** The layer's input [runs, batch, channels, spatial]. */
  x: GPUBuffer;
  /** The output, same shape; a separate buffer. */
  y: GPUBuffer;
  /**
   * Training: normalise with `saved` (batchnorm_stats' (mean, invstd) [runs, C, 2]).
   * Evaluation: with the running estimates, invstd = 1 / sqrt(running_var + eps).
   */
  mode:
    | { training: true; saved: GPUBuffer }
    | { training: false; running: BatchNormRunningLayout & { state: GPUBuffer } };
  /** gamma and beta in the flat parameter buffer; absent for a non-affine batch norm. */
  affine?: BatchNormAffineLayout & { params: GPUBuffer };
  /** y = relu(batch norm): a fused ReLU. */
  relu?: boolean;
  /** Default BATCHNORM_EPS (1e-5); used in evaluation only (training's is in `saved`). */
  eps?: number;
}

export async function prepareBatchNormApply(
  gpu: Gpu,
  pool: BufferPool,
  spec: BatchNormApplySpec,
): Promise<Dispatch> {
  requireBatchNormShape("batchnorm_apply", spec);
  const { mode, affine } = spec;
  const running = mode.training ? undefined : mode.running;
  const layout = {
    gammaOffset: affine?.gammaOffset ?? 0,
    betaOffset: affine?.betaOffset ?? 0,
    paramsPerRun: affine?.paramsPerRun ?? 0,
    meanOffset: running?.meanOffset ?? 0,
    varOffset: running?.varOffset ?? 0,
    statePerRun: running?.statePerRun ?? 0,
  };
  requireOffsets("batchnorm_apply", layout);
  const n = spec.runs * spec.batch * spec.channels * spec.spatial;
  const kernel = await loadKernel(
    gpu.device,
    "batchnorm_apply",
    ["uniform", "read", "read", "read", "read", "read_write"],
    { TRAINING: mode.training ? 1 : 0, AFFINE: affine ? 1 : 0, RELU: spec.relu ? 1 : 0 },
  );
  const params = pool.uniform(
    "batchnorm_apply params",
    packParams([
      ["u32", n],
      ["u32", spec.batch],
      ["u32", spec.channels],
      ["u32", spec.spatial],
      ["u32", layout.gammaOffset],
      ["u32", layout.betaOffset],
      ["u32", layout.paramsPerRun],
      ["u32", layout.meanOffset],
      ["u32", layout.varOffset],
      ["u32", layout.statePerRun],
      ["f32", spec.eps ?? BATCHNORM_EPS],
    ]),
  );
  const buffers = [
    params,
    spec.x,
    mode.training ? mode.saved : unusedBinding(pool),
    running ? running.state : unusedBinding(pool),
    affine ? affine.params : unusedBinding(pool),
    spec.y,
  ];
  return prepareDispatch(gpu.device, kernel, buffers, flatWorkgroups(n));
}

/** The host arrays batchNormApplyReference reads in place of the spec's buffers. */
export interface BatchNormApplyInputs {
  x: ArrayLike<number>;
  /** Training: (mean, invstd) pairs [runs, C, 2]. */
  saved?: ArrayLike<number>;
  /** Evaluation: the flat running-statistics buffer. */
  state?: ArrayLike<number>;
  /** Affine: the flat parameter buffer. */
  params?: ArrayLike<number>;
}

/** The geometry of a BatchNormApplySpec, without buffers. */
export interface BatchNormApplyGeometry extends BatchNormShape {
  training: boolean;
  running?: BatchNormRunningLayout;
  affine?: BatchNormAffineLayout;
  relu?: boolean;
  eps?: number;
}

/** f64: y = (x - mean) * invstd * gamma + beta, then max(., 0) with relu. */
export function batchNormApplyReference(
  geometry: BatchNormApplyGeometry,
  inputs: BatchNormApplyInputs,
  y: Float64Array,
): void {
  const { runs, batch: B, channels: C, spatial: S, affine, running } = geometry;
  const eps = geometry.eps ?? BATCHNORM_EPS;
  for (let r = 0; r < runs; r++) {
    for (let c = 0; c < C; c++) {
      let mean: number, invstd: number;
      if (geometry.training) {
        mean = inputs.saved![2 * (r * C + c)];
        invstd = inputs.saved![2 * (r * C + c) + 1];
      } else {
        mean = inputs.state![running!.meanOffset + r * running!.statePerRun + c];
        invstd = 1 /
          Math.sqrt(inputs.state![running!.varOffset + r * running!.statePerRun + c] + eps);
      }
      const gamma = affine ? inputs.params![affine.gammaOffset + r * affine.paramsPerRun + c] : 1;
      const beta = affine ? inputs.params![affine.betaOffset + r * affine.paramsPerRun + c] : 0;
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < S; s++) {
          const i = ((r * B + b) * C + c) * S + s;
          const v = (inputs.x[i] - mean) * invstd * gamma + beta;
          y[i] = geometry.relu && !(v > 0) ? 0 : v;
        }
      }
    }
  }
}
