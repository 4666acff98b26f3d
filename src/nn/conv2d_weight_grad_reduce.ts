/**
 * The second pass of a weight gradient split over the batch (kernels/conv2d_weight_grad_reduce.wgsl):
 * the slices' partial dW added in increasing slice order, masked, into the flat gradient buffer;
 * and its f64 CPU reference.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";

export interface Conv2dWeightGradReduceSpec {
  /** Weights per run: O*C*k*k. */
  weights: number;
  runs: number;
  slices: number;
  /** [slices, runs, weights]. */
  partials: GPUBuffer;
  /** Flat gradients: dW of run r at weightOffset + r*paramsPerRun. */
  grads: GPUBuffer;
  paramsPerRun: number;
  weightOffset: number;
  /** The gradient buffer's layout; a 0 entry makes that gradient exactly +0. */
  gradMask?: GPUBuffer;
}

export async function prepareConv2dWeightGradReduce(
  gpu: Gpu,
  pool: BufferPool,
  spec: Conv2dWeightGradReduceSpec,
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "conv2d_weight_grad_reduce", [
    "uniform",
    "read",
    "read",
    "read_write",
  ], { GRAD_MASK: spec.gradMask ? 1 : 0 });
  const params = pool.uniform(
    "conv2d_weight_grad_reduce params",
    packParams([
      ["u32", spec.weights],
      ["u32", spec.runs],
      ["u32", spec.slices],
      ["u32", spec.weightOffset],
      ["u32", spec.paramsPerRun],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
    ]),
  );
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.partials, spec.gradMask ?? spec.partials, spec.grads],
    flatWorkgroups(spec.runs * spec.weights),
  );
}

/** grads at the runs' weight blocks = the masked sum of the slices, in f64. */
export function conv2dWeightGradReduceReference(
  spec: Omit<Conv2dWeightGradReduceSpec, "partials" | "grads" | "gradMask">,
  partials: ArrayLike<number>,
  gradMask: ArrayLike<number> | undefined,
  grads: Float64Array,
): void {
  const { weights, runs, slices } = spec;
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < weights; i++) {
      let sum = 0;
      for (let s = 0; s < slices; s++) sum += partials[(s * runs + r) * weights + i];
      const at = spec.weightOffset + r * spec.paramsPerRun + i;
      grads[at] = gradMask && gradMask[at] === 0 ? 0 : sum * (gradMask ? gradMask[at] : 1);
    }
  }
}
