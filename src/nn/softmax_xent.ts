/** Softmax cross-entropy loss and gradient (kernels/softmax_xent.wgsl) and its CPU reference. */
import type { BufferPool, Dispatch, Gpu } from "../gpu/mod.ts";
import { type LossSpec, prepareLossKernel } from "./loss_kernel.ts";

export type SoftmaxXentSpec = LossSpec;

export function prepareSoftmaxXent(
  gpu: Gpu,
  pool: BufferPool,
  spec: SoftmaxXentSpec,
): Promise<Dispatch> {
  return prepareLossKernel(gpu, pool, "softmax_xent", spec);
}

/** f64 reference over `rowCount` rows: fills grads (scaled) and rows (loss, correct). */
export function softmaxXentReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  scale: number,
  grads: Float64Array,
  rows: Float64Array,
): void {
  for (let row = 0; row < labels.length; row++) {
    const base = row * classes;
    let best = logits[base];
    let bestIndex = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[base + c] > best) {
        best = logits[base + c];
        bestIndex = c;
      }
    }
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(logits[base + c] - best);
    const logTotal = Math.log(total);
    for (let c = 0; c < classes; c++) {
      const probability = Math.exp(logits[base + c] - best - logTotal);
      grads[base + c] = (probability - (c === labels[row] ? 1 : 0)) * scale;
    }
    rows[2 * row] = logTotal + best - logits[base + labels[row]];
    rows[2 * row + 1] = bestIndex === labels[row] ? 1 : 0;
  }
}
