/**
 * Top-k masks by |score| per (run, layer segment), for edge-popup (kernels/topk_mask.wgsl), and
 * their CPU reference. One dispatch covers every segment of every run, so no CPU round trip is
 * needed per step.
 */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

/** One layer's slice of the flat score and mask buffers (offsets in elements, within a run). */
export interface TopkSegment {
  scoreOffset: number;
  maskOffset: number;
  length: number;
  /** Entries to keep; clamped to `length`. */
  k: number;
}

export interface TopkMaskSpec {
  runs: number;
  segments: readonly TopkSegment[];
  /** f32 scores; segment s of run r starts at scoreOffset + r * scoreRunStride. */
  scores: GPUBuffer;
  scoreRunStride: number;
  /** f32 0/1 masks; segment s of run r starts at maskOffset + r * maskRunStride. */
  masks: GPUBuffer;
  maskRunStride: number;
}

/** k = round(fraction * length), the count a fraction of weights remaining keeps. */
export function keepCount(fraction: number, length: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction ${fraction} not in [0, 1]`);
  return Math.round(fraction * length);
}

export async function prepareTopkMask(
  gpu: Gpu,
  pool: BufferPool,
  spec: TopkMaskSpec,
): Promise<Dispatch> {
  if (spec.segments.length === 0) throw new Error("topk_mask needs at least one segment");
  const table = new Uint32Array(4 * spec.segments.length);
  spec.segments.forEach((s, i) => {
    for (const [name, v] of Object.entries(s)) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(`topk_mask segment ${i}: ${name} must be a u32, got ${v}`);
      }
    }
    table.set([s.scoreOffset, s.maskOffset, s.length, Math.min(s.k, s.length)], 4 * i);
  });
  const kernel = await loadKernel(gpu.device, "topk_mask", [
    "uniform",
    "read",
    "read",
    "read_write",
  ]);
  const params = pool.uniform(
    "topk_mask params",
    packParams([
      ["u32", spec.scoreRunStride],
      ["u32", spec.maskRunStride],
      ["u32", spec.segments.length],
    ]),
  );
  const segments = pool.upload("topk_mask segments", table);
  return prepareDispatch(gpu.device, kernel, [params, segments, spec.scores, spec.masks], [
    spec.segments.length,
    1,
    spec.runs,
  ]);
}

/**
 * Writes the masks: per (run, segment), sort the indices by (|score| descending, index
 * ascending) and set the first k to 1, the rest to 0. Entries outside every segment are left.
 */
export function topkMaskReference(
  scores: ArrayLike<number>,
  masks: Float64Array | Float32Array,
  spec: Pick<TopkMaskSpec, "runs" | "segments" | "scoreRunStride" | "maskRunStride">,
): void {
  for (let r = 0; r < spec.runs; r++) {
    for (const seg of spec.segments) {
      const s0 = seg.scoreOffset + r * spec.scoreRunStride;
      const m0 = seg.maskOffset + r * spec.maskRunStride;
      const order = Array.from({ length: seg.length }, (_, i) => i);
      const mag = (i: number) => Math.abs(scores[s0 + i]);
      order.sort((a, b) => mag(b) - mag(a) || a - b);
      const k = Math.min(seg.k, seg.length);
      for (let j = 0; j < seg.length; j++) masks[m0 + order[j]] = j < k ? 1 : 0;
    }
  }
}
