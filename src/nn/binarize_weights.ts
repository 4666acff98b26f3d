/**
 * Biprop's binarised weights: alpha[segment] * sign(W) inside each segment (a layer's weights),
 * W copied outside them (kernels/binarize_weights.wgsl), and the f64 CPU reference.
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

/** Entries [start, start + length) of a run (offsets in elements, within a run). */
export interface BinarizeSegment {
  start: number;
  length: number;
}

export interface BinarizeWeightsSpec {
  /** Entries per run. */
  n: number;
  runs: number;
  /** Sorted by start, not overlapping, within [0, n); at least one. */
  segments: readonly BinarizeSegment[];
  /** Input, run r at weightOffset + r * weightRunStride. */
  weights: GPUBuffer;
  weightOffset: number;
  weightRunStride: number;
  /** Segment s of run r's gain at gainOffset + r * gainRunStride + s (biprop_gain's output). */
  gains: GPUBuffer;
  gainOffset: number;
  gainRunStride: number;
  /** Output, run r at outputOffset + r * outputRunStride; must not alias `weights`. */
  output: GPUBuffer;
  outputOffset: number;
  outputRunStride: number;
}

function checkSegments(spec: Pick<BinarizeWeightsSpec, "n" | "segments">): void {
  if (spec.segments.length === 0) {
    throw new Error("binarize_weights needs at least one segment (a layer's weights); got none");
  }
  let end = 0;
  spec.segments.forEach((s, i) => {
    const ok = Number.isInteger(s.start) && Number.isInteger(s.length) && s.length >= 0 &&
      s.start >= end && s.start + s.length <= spec.n;
    if (!ok) {
      throw new RangeError(
        `binarize_weights segment ${i} (start ${s.start}, length ${s.length}) must start at or after the previous segment's end ${end} and end within the ${spec.n} entries per run; sort the segments by start`,
      );
    }
    end = s.start + s.length;
  });
}

export async function prepareBinarizeWeights(
  gpu: Gpu,
  pool: BufferPool,
  spec: BinarizeWeightsSpec,
): Promise<Dispatch> {
  checkSegments(spec);
  if (spec.weights === spec.output) {
    throw new Error(
      "binarize_weights: output is the weights buffer; the frozen weights would be overwritten by alpha * sign(W), give a separate buffer",
    );
  }
  const table = new Uint32Array(2 * spec.segments.length);
  spec.segments.forEach((s, i) => table.set([s.start, s.length], 2 * i));
  const kernel = await loadKernel(gpu.device, "binarize_weights", [
    "uniform",
    "read",
    "read",
    "read",
    "read_write",
  ]);
  const params = pool.uniform(
    "binarize_weights params",
    packParams([
      ["u32", spec.n],
      ["u32", spec.weightOffset],
      ["u32", spec.weightRunStride],
      ["u32", spec.outputOffset],
      ["u32", spec.outputRunStride],
      ["u32", spec.gainOffset],
      ["u32", spec.gainRunStride],
      ["u32", spec.segments.length],
    ]),
  );
  const segments = pool.upload("binarize_weights segments", table);
  const [x, y] = flatWorkgroups(spec.n);
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, segments, spec.weights, spec.gains, spec.output],
    [x, y, spec.runs],
  );
}

/** f64: out = gain[s] * sign(w) inside segment s (sign(0) = 0), w elsewhere, for n entries. */
export function binarizeWeightsReference(
  weights: ArrayLike<number>,
  gains: ArrayLike<number>,
  out: Float64Array | Float32Array,
  spec: Omit<BinarizeWeightsSpec, "weights" | "gains" | "output">,
): void {
  checkSegments(spec);
  for (let r = 0; r < spec.runs; r++) {
    const w0 = spec.weightOffset + r * spec.weightRunStride;
    const y0 = spec.outputOffset + r * spec.outputRunStride;
    for (let i = 0; i < spec.n; i++) out[y0 + i] = weights[w0 + i];
    spec.segments.forEach((seg, s) => {
      const gain = gains[spec.gainOffset + r * spec.gainRunStride + s];
      for (let i = seg.start; i < seg.start + seg.length; i++) {
        // Math.sign(-0) is -0; torch.sign(-0.) compares equal to 0 either way: write +0.
        const sign = weights[w0 + i] > 0 ? 1 : weights[w0 + i] < 0 ? -1 : 0;
        out[y0 + i] = gain * sign;
      }
    });
  }
}
