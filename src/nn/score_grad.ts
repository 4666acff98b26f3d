/**
 * Straight-through score gradients for edge-popup and Bernoulli supermasks
 * (kernels/score_grad.wgsl), and their f64 reference.
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

export interface ScoreGradSpec {
  /** Entries per run. */
  n: number;
  runs: number;
  /** Unmasked gradient w.r.t. the effective weight, run r at gradOffset + r * gradRunStride. */
  grads: GPUBuffer;
  gradOffset: number;
  gradRunStride: number;
  /** Frozen weights and the scores (same layout). */
  weights: GPUBuffer;
  scores: GPUBuffer;
  weightOffset: number;
  weightRunStride: number;
  /** Output score gradient, run r at outputOffset + r * outputRunStride. */
  scoreGrads: GPUBuffer;
  outputOffset: number;
  outputRunStride: number;
  /** Bernoulli supermask: also multiply by sigmoid'(score). Edge-popup: false. */
  sigmoid: boolean;
}

export async function prepareScoreGrad(
  gpu: Gpu,
  pool: BufferPool,
  spec: ScoreGradSpec,
): Promise<Dispatch> {
  const kernel = await loadKernel(
    gpu.device,
    "score_grad",
    ["uniform", "read", "read", "read", "read_write"],
    { SIGMOID: spec.sigmoid ? 1 : 0 },
  );
  const params = pool.uniform(
    "score_grad params",
    packParams([
      ["u32", spec.n],
      ["u32", spec.gradOffset],
      ["u32", spec.gradRunStride],
      ["u32", spec.weightOffset],
      ["u32", spec.weightRunStride],
      ["u32", spec.outputOffset],
      ["u32", spec.outputRunStride],
    ]),
  );
  const [x, y] = flatWorkgroups(spec.n);
  return prepareDispatch(
    gpu.device,
    kernel,
    [params, spec.grads, spec.weights, spec.scores, spec.scoreGrads],
    [x, y, spec.runs],
  );
}

/** dS = G * W * sign(s) (edge-popup), or G * W * sigmoid(s) * (1 - sigmoid(s)) when `sigmoid`; f64. */
export function scoreGradReference(
  spec: Omit<ScoreGradSpec, "grads" | "weights" | "scores" | "scoreGrads">,
  grads: ArrayLike<number>,
  weights: ArrayLike<number>,
  scores: ArrayLike<number>,
  out: Float64Array,
): void {
  for (let r = 0; r < spec.runs; r++) {
    for (let i = 0; i < spec.n; i++) {
      const w = spec.weightOffset + r * spec.weightRunStride + i;
      let d = grads[spec.gradOffset + r * spec.gradRunStride + i] * weights[w];
      if (spec.sigmoid) {
        const sig = 1 / (1 + Math.exp(-scores[w]));
        d *= sig * (1 - sig);
      } else {
        d *= Math.sign(scores[w]);
      }
      out[spec.outputOffset + r * spec.outputRunStride + i] = d;
    }
  }
}
