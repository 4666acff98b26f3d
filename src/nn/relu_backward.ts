/** ReLU backward (kernels/relu_backward.wgsl) and its CPU reference. */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";

export async function prepareReluBackward(
  gpu: Gpu,
  pool: BufferPool,
  spec: { n: number; activations: GPUBuffer; grads: GPUBuffer },
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "relu_backward", ["uniform", "read", "read_write"]);
  const params = pool.uniform("relu_backward params", packParams([["u32", spec.n]]));
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.activations, spec.grads],
    flatWorkgroups(spec.n),
  );
}

/** grads[i] *= (activations[i] > 0): ReLU'(0) = 0. */
export function reluBackwardReference(activations: ArrayLike<number>, grads: Float64Array): void {
  for (let i = 0; i < grads.length; i++) if (!(activations[i] > 0)) grads[i] = 0;
}
