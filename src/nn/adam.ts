/** Masked Adam (kernels/adam.wgsl) and its CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { vec4Workgroups } from "./flat.ts";

export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamSpec extends AdamHyper {
  n: number;
  /** Bias corrections per step, from adamCorrections(). */
  corrections: GPUBuffer;
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
    spec.corrections,
    spec.weights,
    spec.firstMoment,
    spec.secondMoment,
  ], vec4Workgroups("adam", spec.n));
}

/**
 * Bias corrections (1 / (1 - b1^t), 1 / (1 - b2^t)) for t = 1..steps, rounded to f32 once,
 * so the kernel and the reference use the same numbers.
 */
export function adamCorrections(hyper: AdamHyper, steps: number): Float32Array {
  const table = new Float32Array(2 * Math.max(1, steps));
  for (let t = 1; t <= Math.max(1, steps); t++) {
    table[2 * (t - 1)] = 1 / (1 - hyper.beta1 ** t);
    table[2 * (t - 1) + 1] = 1 / (1 - hyper.beta2 ** t);
  }
  return table;
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
  const correction = [Math.fround(1 / (1 - beta1 ** t)), Math.fround(1 / (1 - beta2 ** t))];
  for (let i = 0; i < weights.length; i++) {
    const g = grads[i];
    const m = (beta1 * firstMoment[i] + (1 - beta1) * g) * mask[i];
    const v = (beta2 * secondMoment[i] + (1 - beta2) * g * g) * mask[i];
    const mHat = m * correction[0];
    const vHat = v * correction[1];
    weights[i] = (weights[i] - learningRate * mHat / (Math.sqrt(vHat) + epsilon)) * mask[i];
    firstMoment[i] = m;
    secondMoment[i] = v;
  }
}
