/**
 * Bias gradient, the sum of the output gradient over the batch and, for a convolution, over the
 * spatial positions of each channel (kernels/bias_grad.wgsl).
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

export interface BiasGradSpec {
  batch: number;
  outputs: number;
  /** Spatial positions per output channel: 1 for a dense layer, OH*OW for a convolution. */
  spatial: number;
  runs: number;
  /** [runs, batch, outputs, spatial]. */
  outputGrads: GPUBuffer;
  /** Flat gradient buffer; db of run r at offset + r * runStride. */
  grads: GPUBuffer;
  offset: number;
  runStride: number;
}

export async function prepareBiasGrad(
  gpu: Gpu,
  pool: BufferPool,
  spec: BiasGradSpec,
): Promise<Dispatch> {
  if (!Number.isInteger(spec.spatial) || spec.spatial < 1) {
    throw new RangeError(`bias_grad spatial size must be a positive integer, got ${spec.spatial}`);
  }
  const kernel = await loadKernel(gpu.device, "bias_grad", ["uniform", "read", "read_write"]);
  const params = pool.uniform(
    "bias_grad params",
    packParams([
      ["u32", spec.batch],
      ["u32", spec.outputs],
      ["u32", spec.spatial],
      ["u32", spec.offset],
      ["u32", spec.runStride],
    ]),
  );
  return prepareDispatch(gpu.device, kernel, [params, spec.outputGrads, spec.grads], [
    Math.ceil(spec.outputs / 64),
    1,
    spec.runs,
  ]);
}

/** db[r, o] = sum_b sum_s outputGrads[r, b, o, s] into grads[offset + r*runStride + o], in f64. */
export function biasGradReference(
  outputGrads: ArrayLike<number>,
  batch: number,
  outputs: number,
  runs: number,
  grads: Float64Array,
  offset: number,
  runStride: number,
  spatial = 1,
): void {
  for (let r = 0; r < runs; r++) {
    for (let o = 0; o < outputs; o++) {
      let sum = 0;
      for (let b = 0; b < batch; b++) {
        const base = ((r * batch + b) * outputs + o) * spatial;
        for (let s = 0; s < spatial; s++) sum += outputGrads[base + s];
      }
      grads[offset + r * runStride + o] = sum;
    }
  }
}
