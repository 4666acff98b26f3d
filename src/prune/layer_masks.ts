/**
 * Masks between their two layouts: one [out, in] array per layer (what pruning works on and
 * checkpoints store) and one flat array over a run's parameters (what the trainer reads, with 1 on
 * biases and padding), and applying them to flat parameters.
 */
import { type ParamLayout, weightBlock } from "../model/layout.ts";

/** Per-layer weight masks, copied out of a flat mask. */
export function layerMasks(layout: ParamLayout, flat: Float32Array): Float32Array[] {
  return layout.layers.map((layer) =>
    flat.slice(layer.weightOffset, layer.weightOffset + layer.inputs * layer.outputs)
  );
}

/** A flat mask [perRun] from per-layer masks: 1 everywhere else (biases, padding). */
export function flatMask(layout: ParamLayout, masks: Float32Array[]): Float32Array {
  const flat = new Float32Array(layout.perRun).fill(1);
  layout.layers.forEach((layer, l) => flat.set(masks[l], layer.weightOffset));
  return flat;
}

/** A copy of flat parameters with every pruned weight set to +0. */
export function applyMasks(
  layout: ParamLayout,
  params: Float32Array,
  masks: Float32Array[],
): Float32Array {
  const out = new Float32Array(params);
  masks.forEach((mask, l) => {
    const block = weightBlock(layout, out, l);
    // Assigned, not multiplied: a pruned weight is +0, never -0, so checkpoints are canonical.
    for (let i = 0; i < block.length; i++) if (mask[i] === 0) block[i] = 0;
  });
  return out;
}

/** The flat vector that is `flat` on the weights and 0 elsewhere (biases, norms, padding). */
export function weightsOnly(layout: ParamLayout, flat: ArrayLike<number>): Float64Array {
  const out = new Float64Array(layout.perRun);
  for (const layer of layout.layers) {
    for (let i = 0; i < layer.inputs * layer.outputs; i++) {
      out[layer.weightOffset + i] = flat[layer.weightOffset + i];
    }
  }
  return out;
}
