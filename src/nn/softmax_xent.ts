/** Softmax cross-entropy loss and gradient (kernels/softmax_xent.wgsl) and its CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

export interface SoftmaxXentSpec {
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

export async function prepareSoftmaxXent(
  gpu: Gpu,
  pool: BufferPool,
  spec: SoftmaxXentSpec,
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "softmax_xent", [
    "uniform",
    "read",
    "read",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    "softmax_xent params",
    packParams([["u32", spec.batch], ["u32", spec.classes], ["u32", 0], ["f32", spec.scale]]),
  );
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.logits, spec.labels, spec.logitGrads, spec.rows],
    [Math.ceil(spec.batch / 64), 1, spec.runs],
  );
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
