/**
 * What every op-table file shares: tolerances, the shape of an op and its cases, and the helpers
 * that upload seeded inputs. The table itself is `OPS` in tests/nn/ops.ts, which concatenates the
 * entries of tests/nn/ops.ts and of the per-family files (ops_<family>.ts) that import this kit.
 */
import type { Rng } from "../../src/base/rng.ts";
import type { BufferPool, Gpu } from "../../src/gpu/mod.ts";
// ---------------------------------------------------------------------------------------------
// Tolerances: |gpu - ref| <= atol + rtol * |ref|, elementwise.

export interface Tolerance {
  name: string;
  atol: number;
  rtol: number;
}

/** Numerically equal: masks, ReLU backward, argmax/correct counts, gathered labels, counters. */
export const EXACT: Tolerance = { name: "exact", atol: 0, rtol: 0 };

/**
 * A few f32 operations per element (optimizers, normalisation, softmax probabilities). WGSL
 * allows exp/log/division a few ULP (2^-23 relative each at worst); rtol 1e-5 is ~80 ULP,
 * which absorbs a chain of them with margin yet catches any wrong formula or constant;
 * atol 1e-6 covers values near zero that come out of a cancellation (w - lr*update, p - 1).
 */
export const F32: Tolerance = { name: "f32", atol: 1e-6, rtol: 1e-5 };

/**
 * A sum of K f32 terms, each of magnitude at most `magnitude`, accumulated in a fixed order.
 * Every add (or fma) rounds with relative error <= 2^-24 of a partial sum of size up to
 * K*magnitude; with random signs the errors random-walk and the partial sums stay near
 * sqrt(K)*magnitude, giving a typical total error of about K * 2^-24 * magnitude. We allow 4x
 * that (K * 2^-22 * magnitude) in absolute terms, plus rtol 1e-5 for the final value's own
 * rounding and the f32-rounded relative error of large sums. A wrong index or a missing term
 * is off by about one term (~magnitude), far outside this for every K used here.
 */
export function reduction(K: number, magnitude = 1): Tolerance {
  return {
    name: `reduction(K=${K}, |term|<=${magnitude})`,
    atol: K * 2 ** -22 * magnitude,
    rtol: 1e-5,
  };
}

// ---------------------------------------------------------------------------------------------
// The table's shape.

export interface OpContext {
  gpu: Gpu;
  pool: BufferPool;
  rng: Rng;
}

export type GpuOutput = Float32Array | Uint32Array;
export type ReferenceOutput = Float64Array | Float32Array | Uint32Array;

/** Outputs by name; `reference` has the same keys and lengths as `gpu`. */
export interface OpResult {
  gpu: Record<string, GpuOutput>;
  reference: Record<string, ReferenceOutput>;
}

export interface OpCase {
  name: string;
}

export interface Op<C extends OpCase = OpCase> {
  /** Unique across the table: kernel plus variant. */
  name: string;
  /** The WGSL file stem in kernels/. */
  kernel: string;
  cases: readonly C[];
  /** One preset for every output, or one per output name. */
  tolerance(c: C): Tolerance | Record<string, Tolerance>;
  run(ctx: OpContext, c: C): Promise<OpResult>;
}

export function toleranceFor(op: Op, c: OpCase, output: string): Tolerance {
  const t = op.tolerance(c);
  if ("atol" in t && typeof t.atol === "number") return t as Tolerance;
  const named = (t as Record<string, Tolerance>)[output];
  if (!named) throw new Error(`op ${op.name} names no tolerance for output "${output}"`);
  return named;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the entries.

/** Interleaved vec2 [n] -> its two components. */
export function split2<T extends Float32Array | Float64Array>(
  pairs: T,
  make: (n: number) => T,
): [T, T] {
  const n = pairs.length / 2;
  const a = make(n);
  const b = make(n);
  for (let i = 0; i < n; i++) {
    a[i] = pairs[2 * i];
    b[i] = pairs[2 * i + 1];
  }
  return [a, b];
}
export const f32 = (n: number) => new Float32Array(n);
export const f64 = (n: number) => new Float64Array(n);

/** Uploads f32 data and remembers which array each buffer holds, for the CPU reference. */
export class Uploads {
  readonly data = new Map<GPUBuffer, Float32Array>();
  constructor(private readonly pool: BufferPool) {}
  f32(label: string, values: Float32Array): GPUBuffer {
    const buffer = this.pool.upload(label, values);
    this.data.set(buffer, values);
    return buffer;
  }
  of(buffer: GPUBuffer): Float32Array {
    const values = this.data.get(buffer);
    if (!values) throw new Error("buffer was not uploaded through Uploads");
    return values;
  }
}
