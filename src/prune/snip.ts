/**
 * SNIP (Lee, Ajanthan, Torr, "SNIP: Single-shot Network Pruning based on Connection
 * Sensitivity", ICLR 2019, arXiv 1810.02340): the saliency of a weight is |g * w|, g the gradient
 * of the batch-mean loss on a mini-batch of training data at the initial weights (the connection
 * sensitivity, before its normalisation, which does not change the ranking). Per layer, weights
 * only; higher is kept.
 */
import type { ParamLayout } from "../model/layout.ts";
import { type Batch, mlpLossGradient } from "./mlp_f64.ts";

export function snipScores(
  layout: ParamLayout,
  params: ArrayLike<number>,
  masks: Float32Array[],
  batch: Batch,
): Float64Array[] {
  const { grads } = mlpLossGradient(layout, params, masks, batch);
  return layout.layers.map((layer, l) =>
    Float64Array.from(
      { length: layer.inputs * layer.outputs },
      (_, i) =>
        Math.abs(grads[layer.weightOffset + i] * params[layer.weightOffset + i] * masks[l][i]),
    )
  );
}
