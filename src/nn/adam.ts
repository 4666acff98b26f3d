/** Masked Adam (kernels/adam.wgsl) and its CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";

export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamSpec extends AdamHyper {
  n: number;
  grads: GPUBuffer;
  mask: GPUBuffer;
  counters: GPUBuffer;
  weights: GPUBuffer;
  firstMoment: GPUBuffer;
  secondMoment: GPUBuffer;
}

export async function prepareAdam(gpu: Gpu, pool: BufferPool, spec: AdamSpec): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "adam", [
    "uniform",
    "read",
    "read",
    "read",
    "read_write",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    "adam params",
    packParams([
      ["u32", spec.n],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
      ["f32", spec.learningRate],
      ["f32", spec.beta1],
      ["f32", spec.beta2],
      ["f32", spec.epsilon],
    ]),
  );
  return prepareDispatch(gpu.device, kernel, [
    params,
    spec.grads,
    spec.mask,
    spec.counters,
    spec.weights,
    spec.firstMoment,
    spec.secondMoment,
  ], flatWorkgroups(spec.n));
}

/** One Adam step at step number t (1-based), in f64, masked like the kernel. */
export function adamReference(
  hyper: AdamHyper,
  t: number,
  grads: ArrayLike<number>,
  mask: ArrayLike<number>,
  weights: Float64Array,
  firstMoment: Float64Array,
  secondMoment: Float64Array,
): void {
  const { learningRate, beta1, beta2, epsilon } = hyper;
  for (let i = 0; i < weights.length; i++) {
    const g = grads[i];
    const m = (beta1 * firstMoment[i] + (1 - beta1) * g) * mask[i];
    const v = (beta2 * secondMoment[i] + (1 - beta2) * g * g) * mask[i];
    const mHat = m / (1 - beta1 ** t);
    const vHat = v / (1 - beta2 ** t);
    weights[i] = (weights[i] - learningRate * mHat / (Math.sqrt(vHat) + epsilon)) * mask[i];
    firstMoment[i] = m;
    secondMoment[i] = v;
  }
}
