/**
 * The binary activation's forward, y = sign(x) (kernels/sign_activation.wgsl), and its CPU
 * reference: biprop's F_BinAct.forward (chrundle/biprop models/frankle.py line 19, torch.sign).
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
import { requireCounts } from "./pool_shape.ts";

export interface SignActivationSpec {
  /** Elements, all runs together; both buffers hold them at offset 0. */
  n: number;
  x: GPUBuffer;
  /** y = sign(x), written in full; must be another buffer than x. */
  y: GPUBuffer;
}

export async function prepareSignActivation(
  gpu: Gpu,
  pool: BufferPool,
  spec: SignActivationSpec,
): Promise<Dispatch> {
  requireCounts("sign_activation", { n: spec.n });
  if (spec.y === spec.x) {
    throw new Error(
      "sign_activation: the output buffer is the input buffer; give y its own buffer (WebGPU forbids binding one buffer as read and read_write)",
    );
  }
  const kernel = await loadKernel(gpu.device, "sign_activation", ["uniform", "read", "read_write"]);
  const params = pool.uniform("sign_activation params", packParams([["u32", spec.n]]));
  return prepareDispatch(gpu.device, kernel, [params, spec.x, spec.y], flatWorkgroups(spec.n));
}

/** y[i] = 1 if x[i] > 0, -1 if x[i] < 0, 0 otherwise (torch.sign; +0 for both zeros); f64. */
export function signActivationReference(x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0;
}
