/**
 * Biprop's per-layer gain alpha = sum_i |W_i| M_i / sum_i M_i (kernels/biprop_gain.wgsl), and
 * its f64 CPU reference. One dispatch covers every segment (a layer's weights) of every run, one
 * workgroup each, so no CPU round trip is needed per step.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

/** One layer's slice of the flat weight and mask buffers (offsets in elements, within a run). */
export interface GainSegment {
  weightOffset: number;
  maskOffset: number;
  length: number;
}

export interface BipropGainSpec {
  runs: number;
  segments: readonly GainSegment[];
  /** f32 weights; segment s of run r starts at weightOffset + r * weightRunStride. */
  weights: GPUBuffer;
  weightRunStride: number;
  /** f32 0/1 masks; segment s of run r starts at maskOffset + r * maskRunStride. */
  masks: GPUBuffer;
  maskRunStride: number;
  /** Output: segment s of run r's gain at gainOffset + r * gainRunStride + s. */
  gains: GPUBuffer;
  gainOffset: number;
  gainRunStride: number;
}

export async function prepareBipropGain(
  gpu: Gpu,
  pool: BufferPool,
  spec: BipropGainSpec,
): Promise<Dispatch> {
  if (spec.segments.length === 0) {
    throw new Error("biprop_gain needs at least one segment (a layer's weights); got none");
  }
  const table = new Uint32Array(4 * spec.segments.length);
  spec.segments.forEach((s, i) => {
    for (const [name, v] of Object.entries(s)) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(`biprop_gain segment ${i}: ${name} must be a u32, got ${v}`);
      }
    }
    table.set([s.weightOffset, s.maskOffset, s.length, 0], 4 * i);
  });
  const kernel = await loadKernel(gpu.device, "biprop_gain", [
    "uniform",
    "read",
    "read",
    "read",
    "read_write",
  ]);
  const params = pool.uniform(
    "biprop_gain params",
    packParams([
      ["u32", spec.weightRunStride],
      ["u32", spec.maskRunStride],
      ["u32", spec.gainOffset],
      ["u32", spec.gainRunStride],
      ["u32", spec.segments.length],
    ]),
  );
  const segments = pool.upload("biprop_gain segments", table);
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, segments, spec.weights, spec.masks, spec.gains],
    [spec.segments.length, 1, spec.runs],
  );
}

/**
 * f64: gains[gainOffset + r * gainRunStride + s] = sum |w| * m / #(m != 0) over segment s of run
 * r, or 0 when the segment keeps nothing. Entries outside the gains written are left.
 */
export function bipropGainReference(
  weights: ArrayLike<number>,
  masks: ArrayLike<number>,
  gains: Float64Array | Float32Array,
  spec: Omit<BipropGainSpec, "weights" | "masks" | "gains">,
): void {
  for (let r = 0; r < spec.runs; r++) {
    spec.segments.forEach((seg, s) => {
      const w0 = seg.weightOffset + r * spec.weightRunStride;
      const m0 = seg.maskOffset + r * spec.maskRunStride;
      let sum = 0, count = 0;
      for (let i = 0; i < seg.length; i++) {
        sum += Math.abs(weights[w0 + i]) * masks[m0 + i];
        if (masks[m0 + i] !== 0) count++;
      }
      gains[spec.gainOffset + r * spec.gainRunStride + s] = count > 0 ? sum / count : 0;
    });
  }
}
