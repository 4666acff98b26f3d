/**
 * Masked Adam with L2 weight decay per entry, at a learning rate per step read from a table by
 * the GPU step counter (kernels/adam.wgsl), and its CPU reference.
 */
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
  /** The base rate (a constant schedule's); a schedule's rates go into adamCorrections. */
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2 penalty added to the gradient, PyTorch Adam's `weight_decay` (default 0). */
  weightDecay?: number;
}

export interface AdamSpec extends Omit<AdamHyper, "learningRate"> {
  n: number;
  /** Per step: bias corrections and learning rate, from adamCorrections(). */
  corrections: GPUBuffer;
  grads: GPUBuffer;
  mask: GPUBuffer;
  counters: GPUBuffer;
  weights: GPUBuffer;
  firstMoment: GPUBuffer;
  secondMoment: GPUBuffer;
  /**
   * 0/1 per entry: where weight decay applies (src/train/weight_decay.ts). Unread without weight
   * decay, and then optional: a 16-byte buffer fills its unread binding.
   */
  decay?: GPUBuffer;
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
    "read",
  ]);
  const weightDecay = spec.weightDecay ?? 0;
  if (weightDecay !== 0 && !spec.decay) {
    throw new RangeError(`adam with weight decay ${weightDecay} needs a decay vector`);
  }
  const params = pool.uniform(
    "adam params",
    packParams([
      ["u32", spec.n],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
      ["f32", weightDecay],
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
    spec.decay ?? pool.storage("adam no decay", 16),
  ], vec4Workgroups("adam", spec.n));
}

/**
 * The table the kernel reads per step t = 1..steps: (1 / (1 - b1^t), 1 / (1 - b2^t), the
 * learning rate, 0), rounded to f32 once, so the kernel and the reference use the same numbers.
 * The rate is rates[t - 1] (src/train/lr_schedule.ts's learningRateTable), or the constant
 * `hyper.learningRate` without `rates`.
 */
export function adamCorrections(
  hyper: AdamHyper,
  steps: number,
  rates?: Float32Array,
): Float32Array {
  const count = Math.max(1, steps);
  if (rates && rates.length < count) {
    throw new RangeError(`adam needs ${count} learning rates, got ${rates.length}`);
  }
  const table = new Float32Array(4 * count);
  for (let t = 1; t <= count; t++) {
    table[4 * (t - 1)] = 1 / (1 - hyper.beta1 ** t);
    table[4 * (t - 1) + 1] = 1 / (1 - hyper.beta2 ** t);
    table[4 * (t - 1) + 2] = rates ? rates[t - 1] : hyper.learningRate;
  }
  return table;
}

/**
 * One Adam step at step number t (1-based) and this step's rate `hyper.learningRate` (the
 * table's entry), in f64, masked like the kernel; `decay` is the 0/1 weight-decay vector
 * (absent: every entry).
 */
export function adamReference(
  hyper: AdamHyper,
  t: number,
  grads: ArrayLike<number>,
  mask: ArrayLike<number>,
  weights: Float64Array,
  firstMoment: Float64Array,
  secondMoment: Float64Array,
  decay?: ArrayLike<number>,
): void {
  const { learningRate, beta1, beta2, epsilon } = hyper;
  const weightDecay = hyper.weightDecay ?? 0;
  const correction = [Math.fround(1 / (1 - beta1 ** t)), Math.fround(1 / (1 - beta2 ** t))];
  for (let i = 0; i < weights.length; i++) {
    const g = weightDecay === 0
      ? grads[i]
      : grads[i] + weightDecay * (decay ? decay[i] : 1) * weights[i];
    const m = (beta1 * firstMoment[i] + (1 - beta1) * g) * mask[i];
    const v = (beta2 * secondMoment[i] + (1 - beta2) * g * g) * mask[i];
    const mHat = m * correction[0];
    const vHat = v * correction[1];
    weights[i] = (weights[i] - learningRate * mHat / (Math.sqrt(vHat) + epsilon)) * mask[i];
    firstMoment[i] = m;
    secondMoment[i] = v;
  }
}
