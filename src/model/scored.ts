/**
 * What the score-trained parameterizations (edge-popup, Bernoulli supermask, biprop) share: the
 * weights stay frozen, one real score per weight is trained, the products read V * M with M
 * formed from the scores (V = W, or biprop's alpha * sign(W) written before each use), and the
 * weight gradient reaches the scores straight through the mask:
 * dScore = dWeff * W * g(score), g = sign (edge-popup, biprop) or sigmoid' (supermask)
 * (kernels/score_grad.wgsl), W the frozen weights. The optimizer updates scores only (its mask is
 * 1 on weights).
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareScoreGrad } from "../nn/score_grad.ts";
import {
  type BoundParameterization,
  type ParameterStore,
  weightsOnlyMask,
} from "./parameterization.ts";

export interface ScoreBuffers {
  scores: GPUBuffer;
  scoreGrads: GPUBuffer;
}

/**
 * What `formMask` prepares: the dispatches run before each step and each evaluation, and the
 * buffer the products read weights and biases from (default: the frozen parameters).
 */
export interface FormedWeights {
  step: Dispatch[];
  evaluation: Dispatch[];
  productWeights?: GPUBuffer;
}

export async function bindScored(
  store: ParameterStore,
  formMask: (scores: GPUBuffer) => Promise<FormedWeights>,
  sigmoid: boolean,
): Promise<BoundParameterization> {
  const { gpu, pool, runs, layout } = store;
  const floats = runs * layout.perRun;
  const scores = pool.storage("scores", floats * 4);
  const scoreGrads = pool.storage("score grads", floats * 4);
  const scoreMask = pool.upload("score mask", weightsOnlyMask(layout, runs));
  const masks = await formMask(scores);
  return {
    // Scores need the unmasked gradient of the effective weight: no gradMask.
    operands: { weights: masks.productWeights ?? store.params, mask: store.mask },
    beforeStep: masks.step,
    beforeEvaluation: masks.evaluation,
    afterBackward: [
      await prepareScoreGrad(gpu, pool, {
        n: layout.perRun,
        runs,
        grads: store.grads,
        gradOffset: 0,
        gradRunStride: layout.perRun,
        weights: store.params,
        scores,
        weightOffset: 0,
        weightRunStride: layout.perRun,
        scoreGrads,
        outputOffset: 0,
        outputRunStride: layout.perRun,
        sigmoid,
      }),
    ],
    trained: { values: scores, grads: scoreGrads, optimizerMask: scoreMask },
    stored: new Map([["scores", scores]]),
  };
}
