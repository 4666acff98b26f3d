/**
 * The binary activation's straight-through gradient (kernels/sign_activation_backward.wgsl) and
 * its CPU reference: biprop's F_BinAct.backward (chrundle/biprop models/frankle.py lines 26-31),
 * dx = dy * 2 * (1 - |clamp(x, -1, 1)|), the derivative of Bi-Real Net's quadratic spline
 * approximation of sign (signSplineReference below).
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

export interface SignActivationBackwardSpec {
  /** Elements, all runs together; every buffer holds them at offset 0. */
  n: number;
  /** The activation's input (pre-sign). */
  x: GPUBuffer;
  /** Gradient w.r.t. the activation's output. */
  dy: GPUBuffer;
  /** Gradient w.r.t. x, written in full; aliases neither x nor dy. */
  dx: GPUBuffer;
}

export async function prepareSignActivationBackward(
  gpu: Gpu,
  pool: BufferPool,
  spec: SignActivationBackwardSpec,
): Promise<Dispatch> {
  requireCounts("sign_activation_backward", { n: spec.n });
  if (spec.dx === spec.x || spec.dx === spec.dy) {
    throw new Error(
      `sign_activation_backward: dx is the same buffer as ${
        spec.dx === spec.x ? "x" : "dy"
      }; give dx its own buffer (WebGPU forbids binding one buffer as read and read_write)`,
    );
  }
  const kernel = await loadKernel(gpu.device, "sign_activation_backward", [
    "uniform",
    "read",
    "read",
    "read_write",
  ]);
  const params = pool.uniform("sign_activation_backward params", packParams([["u32", spec.n]]));
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.x, spec.dy, spec.dx],
    flatWorkgroups(spec.n),
  );
}

/** The straight-through slope 2 * max(1 - |x|, 0): 2 at 0, 0 at and beyond |x| = 1. */
export function signSlope(x: number): number {
  return 2 * Math.max(1 - Math.abs(x), 0);
}

/** dx[i] = dy[i] * 2 * max(1 - |x[i]|, 0); f64. */
export function signActivationBackwardReference(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  dx: Float64Array,
): void {
  for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * signSlope(x[i]);
}

/**
 * Bi-Real Net's piecewise-quadratic approximation of sign, whose derivative the gradient is
 * (chrundle/biprop utils/builder.py lines 17-25, their BiRealAct's out3): -1 for x < -1,
 * 2x + x^2 on [-1, 0), 2x - x^2 on [0, 1), 1 for x >= 1.
 */
export function signSplineReference(x: number): number {
  if (x < -1) return -1;
  if (x < 0) return 2 * x + x * x;
  if (x < 1) return 2 * x - x * x;
  return 1;
}
