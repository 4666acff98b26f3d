/** Bias gradient, the batch sum of the output gradient (kernels/bias_grad.wgsl). */
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
  runs: number;
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
  const kernel = await loadKernel(gpu.device, "bias_grad", ["uniform", "read", "read_write"]);
  const params = pool.uniform(
    "bias_grad params",
    packParams([["u32", spec.batch], ["u32", spec.outputs], ["u32", spec.offset], [
      "u32",
      spec.runStride,
    ]]),
  );
  return prepareDispatch(gpu.device, kernel, [params, spec.outputGrads, spec.grads], [
    Math.ceil(spec.outputs / 64),
    1,
    spec.runs,
  ]);
}

export function biasGradReference(
  outputGrads: ArrayLike<number>,
  batch: number,
  outputs: number,
  runs: number,
  grads: Float64Array,
  offset: number,
  runStride: number,
): void {
  for (let r = 0; r < runs; r++) {
    for (let o = 0; o < outputs; o++) {
      let sum = 0;
      for (let b = 0; b < batch; b++) sum += outputGrads[(r * batch + b) * outputs + o];
      grads[offset + r * runStride + o] = sum;
    }
  }
}
