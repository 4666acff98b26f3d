/**
 * IMP's pruning step: the masks a lineage keeps after some rounds, from the magnitudes of its
 * last trained weights. Each round removes its fraction of what remains, of every layer
 * (layerwise: procedure.prune_fractions[l] of layer l) or of the network (global: the one
 * fraction of all remaining weights, ranked together by |w|).
 */
import { type ParamLayout, weightBlock } from "../model/mod.ts";
import { countKept, keptAfterRounds, pruneSmallest, pruneSmallestGlobally } from "../prune/mod.ts";
import type { ImpSchedule } from "./imp_spec.ts";

/** The masks `rounds` IMP rounds on from `layerMasks`, by the magnitudes of `trained`. */
export function pruneLevels(
  layout: ParamLayout,
  procedure: ImpSchedule,
  trained: Float32Array,
  layerMasks: Float32Array[],
  rounds: number,
): Float32Array[] {
  const weights = layout.layers.map((_, l) => weightBlock(layout, trained, l));
  if (procedure.pruning === "global") {
    const kept = layerMasks.reduce((n, mask) => n + countKept(mask), 0);
    const keep = keptAfterRounds(kept, procedure.prune_fractions[0], rounds);
    return pruneSmallestGlobally(weights, layerMasks, keep);
  }
  return layerMasks.map((mask, l) => {
    const keep = keptAfterRounds(countKept(mask), procedure.prune_fractions[l], rounds);
    return pruneSmallest(weights[l], mask, keep);
  });
}
