/**
 * SynFlow (Tanaka, Kunin, Yamins, Ganguli, "Pruning neural networks without any data by
 * iteratively conserving synaptic flow", NeurIPS 2020, arXiv 2006.05467): data-free. Every
 * parameter is replaced by its absolute value (biases included) and the input by ones; the
 * network is then linear (ReLU is the identity on non-negative activations) and
 * R = 1^T a_last with a_0 = 1, a_{l+1} = |W_l * M_l| a_l + |b_l|. With u_last = 1 and
 * u_l = |W_l * M_l|^T u_{l+1}, dR/dW_l[o, i] = u_{l+1}[o] a_l[i], and the score of a weight is
 * |dR/dw * w| on the masked network (0 for pruned weights). Scores are re-computed as weights are
 * removed: synflowMasks prunes over `rounds` rounds, layer l keeping
 * round(n_l (k_l / n_l)^(j / rounds)) after round j (exactly k_l after the last), each round
 * keeping the top scores among the weights still kept (ties: lower index). Per layer, so the
 * result keeps given per-layer counts; the paper ranks globally (synflowMasksKeepingTotal). The
 * rounds take any scorer: this file's dense ReLU network, or any model's (model_saliency.ts).
 */
import type { ParamLayout } from "../model/layout.ts";
import { keepTop, rankByScore } from "./criteria.ts";
import { masksKeepingTotal } from "./score_masks.ts";

/** |dR/dw * w| for every weight of the masked network, per layer. */
export function synflowScores(
  layout: ParamLayout,
  params: ArrayLike<number>,
  masks: Float32Array[],
): Float64Array[] {
  const layers = layout.layers;
  const abs = layers.map((layer, l) =>
    Float64Array.from(
      { length: layer.inputs * layer.outputs },
      (_, i) => Math.abs(params[layer.weightOffset + i] * masks[l][i]),
    )
  );
  // Forward: a_0 = 1, a_{l+1} = |W_l| a_l + |b_l|.
  const acts = [new Float64Array(layout.widths[0]).fill(1)];
  layers.forEach((layer, l) => {
    const next = new Float64Array(layer.outputs);
    for (let o = 0; o < layer.outputs; o++) {
      let sum = Math.abs(params[layer.biasOffset + o]);
      for (let i = 0; i < layer.inputs; i++) sum += abs[l][o * layer.inputs + i] * acts[l][i];
      next[o] = sum;
    }
    acts.push(next);
  });
  // Backward: u_last = 1, u_l = |W_l|^T u_{l+1}; score = u_{l+1}[o] a_l[i] |w[o, i]|.
  const scores: Float64Array[] = new Array(layers.length);
  let u = new Float64Array(layers[layers.length - 1].outputs).fill(1);
  for (let l = layers.length - 1; l >= 0; l--) {
    const { inputs, outputs } = layers[l];
    const score = new Float64Array(inputs * outputs);
    const below = new Float64Array(inputs);
    for (let o = 0; o < outputs; o++) {
      for (let i = 0; i < inputs; i++) {
        const w = abs[l][o * inputs + i];
        score[o * inputs + i] = u[o] * acts[l][i] * w;
        below[i] += w * u[o];
      }
    }
    scores[l] = score;
    u = below;
  }
  return scores;
}

/** SynFlow's scores of the network under `masks` (one array per weight layer). */
export type SynflowScorer = (masks: Float32Array[]) => Float64Array[];

/** The dense ReLU network's scorer: synflowScores of fixed parameters. */
export const mlpSynflow =
  (layout: ParamLayout, params: ArrayLike<number>): SynflowScorer => (masks) =>
    synflowScores(layout, params, masks);

function checkRounds(rounds: number) {
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`SynFlow needs a positive whole number of rounds, got ${rounds}`);
  }
}

/** Scores with every pruned weight at -Infinity, so a round only ranks the kept ones. */
const keptScores = (score: SynflowScorer, masks: Float32Array[]) =>
  score(masks).map((s, l) => s.map((value, i) => (masks[l][i] === 0 ? -Infinity : value)));

/** Iterative SynFlow masks of layers of `sizes` weights, keeping `counts[l]` of layer l. */
export function synflowMasks(
  score: SynflowScorer,
  sizes: number[],
  counts: number[],
  rounds: number,
): Float32Array[] {
  checkRounds(rounds);
  let masks: Float32Array[] = sizes.map((n) => new Float32Array(n).fill(1));
  for (let j = 1; j <= rounds; j++) {
    const scores = keptScores(score, masks);
    masks = masks.map((mask, l) => {
      const n = mask.length;
      const keep = j === rounds ? counts[l] : Math.round(n * (counts[l] / n) ** (j / rounds));
      return keepTop(rankByScore(scores[l]), keep);
    });
  }
  return masks;
}

/**
 * SynFlow as Tanaka et al. run it: the total kept count shrinks exponentially over the rounds,
 * N (K / N)^(j / rounds) after round j, every round keeping the top re-scored weights among
 * the ones still kept, ranked across layers.
 */
export function synflowMasksKeepingTotal(
  score: SynflowScorer,
  sizes: number[],
  total: number,
  rounds: number,
): Float32Array[] {
  checkRounds(rounds);
  const all = sizes.reduce((a, b) => a + b, 0);
  let masks: Float32Array[] = sizes.map((n) => new Float32Array(n).fill(1));
  for (let j = 1; j <= rounds; j++) {
    const keep = j === rounds ? total : Math.round(all * (total / all) ** (j / rounds));
    const kept = masks.reduce((n, m) => n + m.reduce((a, b) => a + b, 0), 0);
    masks = masksKeepingTotal(keptScores(score, masks), Math.min(keep, kept));
  }
  return masks;
}
