/**
 * Which entries of the trained tensor weight decay applies to: a 0/1 vector in the parameter
 * layout that the optimizer kernels multiply the decay coefficient by. `all` decays every entry,
 * as PyTorch's optimizers do with `model.parameters()` (open_lth, hidden-networks); `weights`
 * decays the weight tensors only, not biases. Pruned entries stay 0 whatever this says: the
 * optimizer's mask wins.
 */
import type { ParamLayout, WeightBlock } from "../model/mod.ts";

export type WeightDecayScope = "all" | "weights";

/**
 * The [start, end) ranges of one layer's parameter block, within a run, that count as weights
 * for `weights`: a dense layer's matrix or a convolution's kernel (both one block [out, in*k*k]).
 * A layer kind with other tensors (a norm's scale) adds its case here.
 */
export function weightRanges(layer: WeightBlock): [number, number][] {
  return [[layer.weightOffset, layer.weightOffset + layer.inputs * layer.outputs]];
}

/** The 0/1 decay vector of `runs` runs, flat [runs * perRun]. */
export function weightDecayMask(
  layout: ParamLayout,
  runs: number,
  appliesTo: WeightDecayScope,
): Float32Array {
  const decay = new Float32Array(runs * layout.perRun);
  if (appliesTo === "all") return decay.fill(1);
  for (let r = 0; r < runs; r++) {
    for (const layer of layout.layers) {
      for (const [start, end] of weightRanges(layer)) {
        decay.fill(1, r * layout.perRun + start, r * layout.perRun + end);
      }
    }
  }
  return decay;
}
