/**
 * GraSP (Wang, Zhang, Grosse, "Picking Winning Tickets Before Training by Preserving Gradient
 * Flow", ICLR 2020, arXiv 2002.07376): S = -w * (H g), with g the gradient of the batch-mean loss
 * with respect to the weights and H g the Hessian-gradient product, both at the initial weights
 * and with the logits divided by a temperature (200 in the authors' code). GraSP removes the
 * weights with the highest S (whose removal reduces gradient flow least... or increases it), so
 * it keeps the lowest: the scores returned are -S = w * (H g), higher kept, like every saliency
 * here. Weights only: g and H g are taken over the weights, biases fixed (the authors' code).
 */
import type { ParamLayout } from "../model/layout.ts";
import { weightsOnly } from "./layer_masks.ts";
import { type Batch, mlpHessianVectorProduct, mlpLossGradient } from "./mlp_f64.ts";

export function graspScores(
  layout: ParamLayout,
  params: ArrayLike<number>,
  masks: Float32Array[],
  batch: Batch,
  temperature: number,
): Float64Array[] {
  const { grads } = mlpLossGradient(layout, params, masks, batch, temperature);
  // The direction: g over the weights, 0 on the biases.
  const direction = weightsOnly(layout, grads);
  const hg = mlpHessianVectorProduct(layout, params, masks, batch, direction, temperature);
  return layout.layers.map((layer, l) =>
    Float64Array.from(
      { length: layer.inputs * layer.outputs },
      (_, i) => params[layer.weightOffset + i] * masks[l][i] * hg[layer.weightOffset + i],
    )
  );
}
