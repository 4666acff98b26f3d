/**
 * The op table's entry for the linearized network's activation (kernels/tangent_relu.wgsl):
 * forward (the pattern's own buffer as the values) and backward (a separate gradient), widths
 * around the 256 lanes, primal values with exact zeros (ReLU'(0) = 0), and an output pre-filled
 * with noise so an element the kernel skips shows up.
 */
import { readF32 } from "../../src/gpu/mod.ts";
import { prepareTangentRelu, tangentReluReference } from "../../src/nn/tangent_relu.ts";
import { submit, uniformF32 } from "../fixtures/gpu.ts";
import { EXACT, type Op, type OpCase, type OpContext, type OpResult } from "./op_kit.ts";

interface TangentReluCase extends OpCase {
  rows: number;
  n: number;
  /** Backward: the values are a separate buffer (an output gradient). */
  separateValues: boolean;
}

async function runTangentRelu(ctx: OpContext, c: TangentReluCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const total = c.rows * 2 * c.n;
  const pattern = uniformF32(rng, total);
  for (let i = 0; i < total; i += 7) pattern[i] = 0;
  const values = c.separateValues ? uniformF32(rng, total) : pattern;
  const patternBuffer = pool.upload("pattern", pattern);
  const spec = {
    rows: c.rows,
    n: c.n,
    pattern: patternBuffer,
    values: c.separateValues ? pool.upload("values", values) : patternBuffer,
    y: pool.upload("Y", uniformF32(rng, total, 5, 6)),
  };
  submit(gpu, [await prepareTangentRelu(gpu, pool, spec)]);
  const reference = new Float64Array(total);
  tangentReluReference(pattern, values, c.n, reference);
  return { gpu: { Y: await readF32(gpu.device, spec.y) }, reference: { Y: reference } };
}

export const TANGENT_OPS: readonly Op[] = [
  {
    name: "tangent_relu ([relu(z) | dz * [z > 0]], and its backward)",
    kernel: "tangent_relu",
    cases: [
      { name: "forward 1 row n=1", rows: 1, n: 1, separateValues: false },
      { name: "forward 60 rows n=300", rows: 60, n: 300, separateValues: false },
      { name: "backward 60 rows n=300", rows: 60, n: 300, separateValues: true },
      { name: "backward 3x7 rows n=129", rows: 21, n: 129, separateValues: true },
    ],
    // A copy or a zero: no arithmetic.
    tolerance: () => EXACT,
    run: runTangentRelu,
  } as Op<TangentReluCase>,
];
