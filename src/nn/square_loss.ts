/**
 * Square loss on one-hot targets (kernels/square_loss.wgsl), the loss of Kosoy's tangent-space
 * comparison, and its CPU reference. Same bindings and row outputs as softmax_xent.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import type { SoftmaxXentSpec } from "./softmax_xent.ts";

/** The loss kernels share one spec: logits and labels in, scaled gradients and rows out. */
export type LossSpec = SoftmaxXentSpec;

export async function prepareSquareLoss(
  gpu: Gpu,
  pool: BufferPool,
  spec: LossSpec,
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "square_loss", [
    "uniform",
    "read",
    "read",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    "square_loss params",
    packParams([["u32", spec.batch], ["u32", spec.classes], ["u32", 0], ["f32", spec.scale]]),
  );
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.logits, spec.labels, spec.logitGrads, spec.rows],
    [Math.ceil(spec.batch / 64), 1, spec.runs],
  );
}

/** f64 reference over `labels.length` rows: fills grads (scaled) and rows (loss, correct). */
export function squareLossReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  scale: number,
  grads: Float64Array,
  rows: Float64Array,
): void {
  for (let row = 0; row < labels.length; row++) {
    const base = row * classes;
    let best = 0, loss = 0;
    for (let c = 0; c < classes; c++) {
      if (logits[base + c] > logits[base + best]) best = c;
      const error = logits[base + c] - (c === labels[row] ? 1 : 0);
      loss += 0.5 * error * error;
      grads[base + c] = error * scale;
    }
    rows[2 * row] = loss;
    rows[2 * row + 1] = best === labels[row] ? 1 : 0;
  }
}
