/**
 * Element-wise sum, optionally through a ReLU, or difference (kernels/add.wgsl), and its CPU
 * reference.
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

export interface AddSpec {
  /** Elements, all runs together; every buffer holds them at offset 0. */
  n: number;
  a: GPUBuffer;
  b: GPUBuffer;
  /** y = a + b (or relu(a + b)); must be a third buffer, aliasing neither input. */
  y: GPUBuffer;
  /** y = relu(a + b): a residual block's output. */
  relu?: boolean;
  /** y = a - b instead (not with relu). */
  subtract?: boolean;
}

export async function prepareAdd(gpu: Gpu, pool: BufferPool, spec: AddSpec): Promise<Dispatch> {
  requireCounts("add", { n: spec.n });
  if (spec.y === spec.a || spec.y === spec.b) {
    throw new Error("add: the output buffer must alias neither input");
  }
  if (spec.relu && spec.subtract) {
    throw new Error("add: relu and subtract together are not a kernel variant; pick one");
  }
  const kernel = await loadKernel(
    gpu.device,
    "add",
    ["uniform", "read", "read", "read_write"],
    { RELU: spec.relu ? 1 : 0, SUBTRACT: spec.subtract ? 1 : 0 },
  );
  const params = pool.uniform("add params", packParams([["u32", spec.n]]));
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.a, spec.b, spec.y],
    flatWorkgroups(spec.n),
  );
}

/** y[i] = a[i] + b[i], max(a[i] + b[i], 0) with relu, or a[i] - b[i] with subtract; f64. */
export function addReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  y: Float64Array,
  options: { relu?: boolean; subtract?: boolean } = {},
): void {
  for (let i = 0; i < y.length; i++) {
    const sum = options.subtract ? a[i] - b[i] : a[i] + b[i];
    y[i] = options.relu && !(sum > 0) ? 0 : sum;
  }
}
