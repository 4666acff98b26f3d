/**
 * Bernoulli supermask sampling m = [u < sigmoid(score)] with u from the seeded counter-based
 * generator of src/base/rng.ts, on the GPU (kernels/supermask_sample.wgsl), and its reference.
 */
import { counterU32, u32ToUnit } from "../base/rng.ts";
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";
import { flatWorkgroups } from "./flat.ts";

export interface SupermaskSampleSpec {
  /** Entries per run. */
  n: number;
  runs: number;
  /** f32 scores of run r at scoreOffset + r * scoreRunStride. */
  scores: GPUBuffer;
  scoreOffset: number;
  scoreRunStride: number;
  /** f32 0/1 masks of run r at maskOffset + r * maskRunStride. */
  masks: GPUBuffer;
  maskOffset: number;
  maskRunStride: number;
  /** Stream key (a Stream's key(seed, ...) in src/base/streams.ts, e.g. STREAMS.supermaskSample). */
  key: number;
  /** Entry i of run r at step t draws counter base + t * stepStride + r * counterRunStride + i. */
  counterBase: number;
  counterRunStride: number;
  stepStride: number;
  /** The step counters (src/nn/advance_step.ts); the step t is counters[1] when given, else 0. */
  counters?: GPUBuffer;
  /** No draw: the most probable mask, m = [score > 0] (key and counters are not read). */
  expected?: boolean;
}

export async function prepareSupermaskSample(
  gpu: Gpu,
  pool: BufferPool,
  spec: SupermaskSampleSpec,
): Promise<Dispatch> {
  const fromCounter = spec.counters !== undefined;
  const kernel = await loadKernel(
    gpu.device,
    "supermask_sample",
    ["uniform", "read", "read", "read_write"],
    { FROM_COUNTER: fromCounter ? 1 : 0, EXPECTED: spec.expected ? 1 : 0 },
  );
  const params = pool.uniform(
    "supermask_sample params",
    packParams([
      ["u32", spec.n],
      ["u32", spec.scoreOffset],
      ["u32", spec.scoreRunStride],
      ["u32", spec.maskOffset],
      ["u32", spec.maskRunStride],
      ["u32", spec.key >>> 0],
      ["u32", spec.counterBase >>> 0],
      ["u32", spec.counterRunStride >>> 0],
      ["u32", spec.stepStride >>> 0],
    ]),
  );
  // Without counters the binding still needs a buffer; the kernel does not read it.
  const counters = spec.counters ?? pool.storage("supermask_sample no counters", 16);
  const [x, y] = flatWorkgroups(spec.n);
  return prepareDispatch(gpu.device, kernel, [params, counters, spec.scores, spec.masks], [
    x,
    y,
    spec.runs,
  ]);
}

/** sigmoid(s) rounded to f32, as the kernel's probability (up to its exp's few ULP). */
export function sigmoidF32(s: number): number {
  return Math.fround(1 / (1 + Math.exp(-s)));
}

/** The uniform the kernel draws for entry i of run r at step t. */
export function supermaskUniform(
  spec: Pick<SupermaskSampleSpec, "key" | "counterBase" | "counterRunStride" | "stepStride">,
  step: number,
  run: number,
  i: number,
): number {
  const counter = (spec.counterBase + Math.imul(step, spec.stepStride) +
    Math.imul(run, spec.counterRunStride) + i) >>> 0;
  return u32ToUnit(counterU32(spec.key >>> 0, counter));
}

/**
 * Writes masks[maskOffset + r*maskRunStride + i] = u < sigmoid(score) ? 1 : 0 for every run, or
 * score > 0 ? 1 : 0 when `expected`.
 */
export function supermaskSampleReference(
  spec: Omit<SupermaskSampleSpec, "scores" | "masks" | "counters">,
  step: number,
  scores: ArrayLike<number>,
  masks: Float64Array | Float32Array,
): void {
  for (let r = 0; r < spec.runs; r++) {
    for (let i = 0; i < spec.n; i++) {
      const score = scores[spec.scoreOffset + r * spec.scoreRunStride + i];
      const at = spec.maskOffset + r * spec.maskRunStride + i;
      if (spec.expected) {
        masks[at] = score > 0 ? 1 : 0;
        continue;
      }
      masks[at] = supermaskUniform(spec, step, r, i) < sigmoidF32(score) ? 1 : 0;
    }
  }
}
