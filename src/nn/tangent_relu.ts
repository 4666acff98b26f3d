/**
 * The ReLU of a (primal, tangent) pair (kernels/tangent_relu.wgsl), the activation of a linearized
 * network (src/model/linearized.ts), and its CPU reference.
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

export interface TangentReluSpec {
  /** Rows of every run together; each row is [primal (n) | tangent (n)]. */
  rows: number;
  n: number;
  /** The pairs whose primal half decides the pattern. */
  pattern: GPUBuffer;
  /** The values masked by it: the pattern's own buffer (forward) or an output gradient. */
  values: GPUBuffer;
  /** A third buffer. */
  y: GPUBuffer;
}

export async function prepareTangentRelu(
  gpu: Gpu,
  pool: BufferPool,
  spec: TangentReluSpec,
): Promise<Dispatch> {
  requireCounts("tangent_relu", { rows: spec.rows, n: spec.n });
  if (spec.y === spec.pattern || spec.y === spec.values) {
    throw new Error("tangent_relu: the output buffer must alias neither input");
  }
  const kernel = await loadKernel(gpu.device, "tangent_relu", [
    "uniform",
    "read",
    "read",
    "read_write",
  ]);
  const total = spec.rows * 2 * spec.n;
  const params = pool.uniform("tangent_relu params", packParams([["u32", total], ["u32", spec.n]]));
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.pattern, spec.values, spec.y],
    flatWorkgroups(total),
  );
}

/** y[row, j] = values[row, j] * [pattern[row, j mod n] > 0] over rows of 2n; f64. */
export function tangentReluReference(
  pattern: ArrayLike<number>,
  values: ArrayLike<number>,
  n: number,
  y: Float64Array,
): void {
  for (let row = 0; row * 2 * n < y.length; row++) {
    for (let j = 0; j < 2 * n; j++) {
      const i = row * 2 * n + j;
      y[i] = pattern[row * 2 * n + (j % n)] > 0 ? values[i] : 0;
    }
  }
}
