/**
 * Masked SGD with momentum, Nesterov momentum and weight decay per entry, at a learning rate per
 * step read from a table by the GPU step counter (kernels/sgd.wgsl), and its CPU reference.
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

export interface SgdHyper {
  /** The base rate; the kernel reads each step's rate from `rates` (src/train/lr_schedule.ts). */
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** Nesterov momentum, PyTorch's form: the update is d + momentum * v (default false). */
  nesterov?: boolean;
}

export interface SgdSpec extends Omit<SgdHyper, "learningRate"> {
  n: number;
  grads: GPUBuffer;
  mask: GPUBuffer;
  /**
   * 0/1 per entry: where weight decay applies (src/train/weight_decay.ts). Unread without weight
   * decay, and then optional: a 16-byte buffer fills its unread binding.
   */
  decay?: GPUBuffer;
  /** The step counters (src/nn/advance_step.ts); counters[1] indexes `rates`. */
  counters: GPUBuffer;
  /** f32 [steps]: the learning rate of each step (src/train/lr_schedule.ts). */
  rates: GPUBuffer;
  weights: GPUBuffer;
  velocity: GPUBuffer;
}

export async function prepareSgd(gpu: Gpu, pool: BufferPool, spec: SgdSpec): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "sgd", [
    "uniform",
    "read",
    "read",
    "read",
    "read",
    "read",
    "read_write",
    "read_write",
  ]);
  if (spec.weightDecay !== 0 && !spec.decay) {
    throw new RangeError(`sgd with weight decay ${spec.weightDecay} needs a decay vector`);
  }
  const params = pool.uniform(
    "sgd params",
    packParams([
      ["u32", spec.n],
      ["u32", spec.nesterov ? 1 : 0],
      ["u32", 0],
      ["u32", 0],
      ["f32", spec.momentum],
      ["f32", spec.weightDecay],
      ["f32", 0],
      ["f32", 0],
    ]),
  );
  return prepareDispatch(
    gpu.device,
    kernel,
    [
      params,
      spec.grads,
      spec.mask,
      spec.decay ?? pool.storage("sgd no decay", 16),
      spec.counters,
      spec.rates,
      spec.weights,
      spec.velocity,
    ],
    vec4Workgroups("sgd", spec.n),
  );
}

/**
 * One SGD step in f64 at this step's rate `hyper.learningRate` (the rate table's entry), masked
 * like the kernel; `decay` is the 0/1 weight-decay vector (absent: every entry).
 */
export function sgdReference(
  hyper: SgdHyper,
  grads: ArrayLike<number>,
  mask: ArrayLike<number>,
  weights: Float64Array,
  velocity: Float64Array,
  decay?: ArrayLike<number>,
): void {
  const { learningRate, momentum, weightDecay } = hyper;
  for (let i = 0; i < weights.length; i++) {
    const d = weightDecay === 0
      ? grads[i]
      : grads[i] + weightDecay * (decay ? decay[i] : 1) * weights[i];
    const v = (momentum * velocity[i] + d) * mask[i];
    const update = hyper.nesterov ? d + momentum * v : v;
    weights[i] = (weights[i] - learningRate * update) * mask[i];
    velocity[i] = v;
  }
}
