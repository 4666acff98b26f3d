/**
 * What the score-trained parameterizations (edge-popup, Bernoulli supermask) share: the weights
 * stay frozen, one real score per weight is trained, the products read W * M with M formed from
 * the scores, and the weight gradient reaches the scores straight through the mask:
 * dScore = dWeff * W * g(score), g = sign (edge-popup) or sigmoid' (supermask)
 * (kernels/score_grad.wgsl). The optimizer updates scores only (its mask is 1 on weights).
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

export async function bindScored(
  store: ParameterStore,
  formMask: (scores: GPUBuffer) => Promise<{ step: Dispatch[]; evaluation: Dispatch[] }>,
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
    operands: { weights: store.params, mask: store.mask },
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
