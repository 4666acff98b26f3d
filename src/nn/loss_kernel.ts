/**
 * The dispatch of a loss kernel (kernels/softmax_xent.wgsl, kernels/square_loss.wgsl): both bind
 * logits and labels, write the scaled logit gradients and each row's (loss, correct), and run one
 * invocation per row.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

export interface LossSpec {
  batch: number;
  classes: number;
  runs: number;
  /** Gradient scale, 1 / batch for the batch mean. */
  scale: number;
  logits: GPUBuffer;
  labels: GPUBuffer;
  logitGrads: GPUBuffer;
  /** Per-row (loss, correct) pairs. */
  rows: GPUBuffer;
}

export async function prepareLossKernel(
  gpu: Gpu,
  pool: BufferPool,
  kernel: "softmax_xent" | "square_loss",
  spec: LossSpec,
): Promise<Dispatch> {
  const loaded = await loadKernel(gpu.device, kernel, [
    "uniform",
    "read",
    "read",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    `${kernel} params`,
    packParams([["u32", spec.batch], ["u32", spec.classes], ["u32", 0], ["f32", spec.scale]]),
  );
  return prepareDispatch(
    gpu.device,
    loaded,
    [params, spec.logits, spec.labels, spec.logitGrads, spec.rows],
    [Math.ceil(spec.batch / 64), 1, spec.runs],
  );
}
