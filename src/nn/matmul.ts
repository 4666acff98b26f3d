/**
 * Strided batched matmul (kernels/matmul.wgsl) and its f64 CPU reference, plus the three
 * dense-layer products built from it. Weights are stored in PyTorch's layout W[out, in].
 */
import {
  BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

/** Operand X(i, j) = buffer[offset + run*runStride + i*stride0 + j*stride1]. */
export interface StridedView {
  buffer: GPUBuffer;
  offset: number;
  stride0: number;
  stride1: number;
  runStride: number;
}

export interface MatmulSpec {
  M: number;
  N: number;
  K: number;
  runs: number;
  a: StridedView;
  b: StridedView;
  c: StridedView;
  /** Mask with B's layout, multiplied into B (dense forward / input gradient of a masked layer). */
  maskB?: GPUBuffer;
  /** Bias[r][n] at bias.offset + r*bias.runStride + n. */
  bias?: { buffer: GPUBuffer; offset: number; runStride: number };
  relu?: boolean;
  /** Mask with C's layout, multiplied into the result (weight gradient of a masked layer). */
  maskC?: GPUBuffer;
  /** C += the result instead of C = it (applied last, after bias, relu and maskC). */
  accumulate?: boolean;
}

const TM = 16;
const TN = 8;
const VEC4_TILE_ROWS = 16;
const VEC4_TILE_COLUMNS = 8;

/** Lanes per workgroup: one SIMD row on a CPU adapter (llvmpipe), more on a real GPU. */
export function matmulLanes(gpu: Gpu): number {
  return gpu.provenance.isFallbackAdapter ||
      /llvmpipe|lavapipe|swiftshader/i.test(gpu.provenance.description)
    ? 8
    : 64;
}

/** Which vec4 form of kernels/matmul_vec4.wgsl fits the operands' layout, or null for none. */
export function vec4Form(spec: MatmulSpec): 0 | 1 | 2 | null {
  if (spec.maskB) return null;
  const { a, b } = spec;
  const aligned = (...values: number[]) => values.every((v) => v % 4 === 0);
  if (
    a.stride1 === 1 && b.stride0 === 1 &&
    aligned(spec.K, a.offset, a.stride0, a.runStride, b.offset, b.stride1, b.runStride)
  ) {
    return 0;
  }
  if (
    a.stride1 === 1 && b.stride1 === 1 &&
    aligned(spec.K, spec.N, a.offset, a.stride0, a.runStride, b.offset, b.stride0, b.runStride)
  ) {
    return 1;
  }
  if (
    a.stride0 === 1 && b.stride1 === 1 &&
    aligned(spec.M, spec.N, a.offset, a.stride1, a.runStride, b.offset, b.stride0, b.runStride)
  ) {
    return 2;
  }
  return null;
}

function uniformParams(pool: BufferPool, spec: MatmulSpec): GPUBuffer {
  return pool.uniform(
    "matmul params",
    packParams([
      ["u32", spec.M],
      ["u32", spec.N],
      ["u32", spec.K],
      ["u32", spec.runs],
      ["u32", spec.a.offset],
      ["u32", spec.a.stride0],
      ["u32", spec.a.stride1],
      ["u32", spec.a.runStride],
      ["u32", spec.b.offset],
      ["u32", spec.b.stride0],
      ["u32", spec.b.stride1],
      ["u32", spec.b.runStride],
      ["u32", spec.c.offset],
      ["u32", spec.c.stride0],
      ["u32", spec.c.stride1],
      ["u32", spec.c.runStride],
      ["u32", spec.bias?.offset ?? 0],
      ["u32", spec.bias?.runStride ?? 0],
      ["u32", 0],
      ["u32", 0],
    ]),
  );
}

/**
 * The dispatch computing `spec`: kernels/matmul_vec4.wgsl when the layout allows vec4 loads
 * (`forceScalar` off), else the general kernels/matmul.wgsl. Both sum k in increasing order.
 */
export async function prepareMatmul(
  gpu: Gpu,
  pool: BufferPool,
  spec: MatmulSpec,
  options: { forceScalar?: boolean } = {},
): Promise<Dispatch> {
  const lanes = matmulLanes(gpu);
  const params = uniformParams(pool, spec);
  const unreadBinding = spec.a.buffer; // bound where a specialisation reads nothing
  const form = options.forceScalar ? null : vec4Form(spec);
  if (form !== null) {
    const kernel = await loadKernel(gpu.device, "matmul_vec4", [
      "uniform",
      "read",
      "read",
      "read",
      "read",
      "read_write",
    ], {
      WG: lanes,
      FORM: form,
      BIAS: spec.bias ? 1 : 0,
      RELU: spec.relu ? 1 : 0,
      MASK_C: spec.maskC ? 1 : 0,
      ACCUMULATE: spec.accumulate ? 1 : 0,
    });
    return prepareDispatch(gpu.device, kernel, [
      params,
      spec.a.buffer,
      spec.b.buffer,
      spec.bias?.buffer ?? unreadBinding,
      spec.maskC ?? unreadBinding,
      spec.c.buffer,
    ], [
      Math.ceil(spec.N / (lanes * VEC4_TILE_COLUMNS)),
      Math.ceil(spec.M / VEC4_TILE_ROWS),
      spec.runs,
    ]);
  }
  const kernel = await loadKernel(gpu.device, "matmul", [
    "uniform",
    "read",
    "read",
    "read",
    "read",
    "read",
    "read_write",
  ], {
    WG: lanes,
    MASK_B: spec.maskB ? 1 : 0,
    BIAS: spec.bias ? 1 : 0,
    RELU: spec.relu ? 1 : 0,
    MASK_C: spec.maskC ? 1 : 0,
    ACCUMULATE: spec.accumulate ? 1 : 0,
  });
  return prepareDispatch(gpu.device, kernel, [
    params,
    spec.a.buffer,
    spec.b.buffer,
    spec.maskB ?? unreadBinding,
    spec.bias?.buffer ?? unreadBinding,
    spec.maskC ?? unreadBinding,
    spec.c.buffer,
  ], [Math.ceil(spec.N / (lanes * TN)), Math.ceil(spec.M / TM), spec.runs]);
}

/** Row-major [rows, cols] matrix view of run-strided storage. */
export function rowMajor(
  buffer: GPUBuffer,
  offset: number,
  cols: number,
  runStride: number,
): StridedView {
  return { buffer, offset, stride0: cols, stride1: 1, runStride };
}

/** The transpose of a row-major [rows, cols] matrix: element (i, j) is stored at [j, i]. */
export function transposed(
  buffer: GPUBuffer,
  offset: number,
  cols: number,
  runStride: number,
): StridedView {
  return { buffer, offset, stride0: 1, stride1: cols, runStride };
}

/** CPU reference in f64: the same strided semantics as the kernel, one run at a time. */
export interface CpuView {
  data: ArrayLike<number>;
  offset: number;
  stride0: number;
  stride1: number;
  runStride: number;
}

export function matmulReference(spec: {
  M: number;
  N: number;
  K: number;
  runs: number;
  a: CpuView;
  b: CpuView;
  c: CpuView & { data: Float64Array | Float32Array };
  maskB?: ArrayLike<number>;
  bias?: { data: ArrayLike<number>; offset: number; runStride: number };
  relu?: boolean;
  maskC?: ArrayLike<number>;
  accumulate?: boolean;
}): void {
  const { a, b, c } = spec;
  for (let r = 0; r < spec.runs; r++) {
    for (let m = 0; m < spec.M; m++) {
      for (let n = 0; n < spec.N; n++) {
        let sum = 0;
        for (let k = 0; k < spec.K; k++) {
          const bIndex = b.offset + r * b.runStride + k * b.stride0 + n * b.stride1;
          const bValue = spec.maskB ? b.data[bIndex] * spec.maskB[bIndex] : b.data[bIndex];
          sum += a.data[a.offset + r * a.runStride + m * a.stride0 + k * a.stride1] * bValue;
        }
        if (spec.bias) sum += spec.bias.data[spec.bias.offset + r * spec.bias.runStride + n];
        if (spec.relu) sum = Math.max(sum, 0);
        const cIndex = c.offset + r * c.runStride + m * c.stride0 + n * c.stride1;
        if (spec.maskC) sum *= spec.maskC[cIndex];
        c.data[cIndex] = spec.accumulate ? c.data[cIndex] + sum : sum;
      }
    }
  }
}
