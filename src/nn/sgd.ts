/** Masked SGD with momentum and weight decay (kernels/sgd.wgsl) and its CPU reference. */
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
  learningRate: number;
  momentum: number;
  weightDecay: number;
}

export interface SgdSpec extends SgdHyper {
  n: number;
  grads: GPUBuffer;
  mask: GPUBuffer;
  weights: GPUBuffer;
  velocity: GPUBuffer;
}

export async function prepareSgd(gpu: Gpu, pool: BufferPool, spec: SgdSpec): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "sgd", [
    "uniform",
    "read",
    "read",
    "read_write",
    "read_write",
  ]);
  const params = pool.uniform(
    "sgd params",
    packParams([
      ["u32", spec.n],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
      ["f32", spec.learningRate],
      ["f32", spec.momentum],
      ["f32", spec.weightDecay],
      ["f32", 0],
    ]),
  );
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.grads, spec.mask, spec.weights, spec.velocity],
    vec4Workgroups("sgd", spec.n),
  );
}

export function sgdReference(
  hyper: SgdHyper,
  grads: ArrayLike<number>,
  mask: ArrayLike<number>,
  weights: Float64Array,
  velocity: Float64Array,
): void {
  for (let i = 0; i < weights.length; i++) {
    const v = (hyper.momentum * velocity[i] + grads[i] + hyper.weightDecay * weights[i]) * mask[i];
    weights[i] = (weights[i] - hyper.learningRate * v) * mask[i];
    velocity[i] = v;
  }
}
