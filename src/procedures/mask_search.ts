/**
 * Masks found without training the weights, at given per-layer kept counts, over each trial's
 * frozen initial weights (IMP's controls.search):
 * - edge-popup (Ramanujan et al. 2020): one score per weight; every forward pass uses the top
 *   k_l of layer l's |score|; the scores train straight through. The mask is the top k_l of the
 *   final |scores|, which is exactly the counts asked for.
 * - supermask (Zhou et al. 2019): masks sampled from Bernoulli(sigmoid(score)) every step,
 *   scores trained straight through. Its learned density is its own, so the mask at the given
 *   counts is the top k_l of the final scores per layer (sigmoid is monotone: the k_l weights the
 *   supermask is most sure of).
 * All trials of one method train side by side as one batched job.
 */
import { STREAMS } from "../base/streams.ts";
import { BernoulliSupermask, EdgePopup, type Model, weightBlock } from "../model/mod.ts";
import { initParams } from "../model/init.ts";
import { keepTop, layerMasks, rankByScore } from "../prune/mod.ts";
import type { SearchBudget, SearchMethod } from "./imp_controls.ts";
import { type GroupRun, trainGroup } from "./train_group.ts";
import type { ProcedureContext } from "./types.ts";

export interface SearchRequest {
  trial: number;
  /** The frozen weights and biases (the trial's initialisation). */
  weights: Float32Array;
  /** The running statistics the search starts from (absent: the initial ones). */
  state?: Float32Array;
  /** Weights each layer keeps. */
  counts: number[];
}

/** The found masks, per request, per layer. */
export async function searchMasks(
  context: ProcedureContext,
  model: Model,
  method: SearchMethod,
  budget: SearchBudget,
  level: number,
  requests: SearchRequest[],
): Promise<Float32Array[][]> {
  const { config } = context;
  const layout = model.layout;
  const runs: GroupRun[] = requests.map((request) => ({
    trial: request.trial,
    params: request.weights,
    state: request.state,
    mask: new Float32Array(layout.perRun).fill(1),
    scores: initParams(
      layout,
      budget.score_init,
      STREAMS.searchScores.rng(config.seed, method, request.trial, level),
    ),
    keep: layout.layers.map((layer, l) => request.counts[l] / (layer.inputs * layer.outputs)),
  }));
  const parameterization = method === "edge-popup"
    ? (group: GroupRun[]) => new EdgePopup(group.map((run) => run.keep!))
    : () => new BernoulliSupermask(STREAMS.searchSupermaskSample.key(config.seed, level));
  const outcomes = await trainGroup(
    context,
    model,
    budget,
    parameterization,
    runs,
    `level ${level} ${method} search`,
  );
  return outcomes.map((outcome, r) => {
    if (method === "edge-popup") {
      const masks = layerMasks(layout, outcome.mask);
      masks.forEach((mask, l) => {
        const kept = mask.reduce((n, m) => n + m, 0);
        if (kept !== requests[r].counts[l]) {
          throw new Error(
            `edge-popup search kept ${kept} weights of ${layout.layers[l].name}, not the ${
              requests[r].counts[l]
            } asked for; the fraction-to-count rounding disagrees (nn/topk_mask.ts keepCount)`,
          );
        }
      });
      return masks;
    }
    return layout.layers.map((_, l) => {
      const scores = Float64Array.from(weightBlock(layout, outcome.scores!, l));
      return keepTop(rankByScore(scores), requests[r].counts[l]);
    });
  });
}
