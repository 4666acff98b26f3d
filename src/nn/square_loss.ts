/**
 * Square loss on one-hot targets (kernels/square_loss.wgsl), the loss of Kosoy's tangent-space
 * comparison, and its CPU reference. Same bindings and row outputs as softmax_xent.
 */
import type { BufferPool, Dispatch, Gpu } from "../gpu/mod.ts";
import { type LossSpec, prepareLossKernel } from "./loss_kernel.ts";

export function prepareSquareLoss(
  gpu: Gpu,
  pool: BufferPool,
  spec: LossSpec,
): Promise<Dispatch> {
  return prepareLossKernel(gpu, pool, "square_loss", spec);
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
