/**
 * The kept values a ticket's mask is retrained from in Zhou et al.'s ablations ("Deconstructing
 * Lottery Tickets: Zeros, Signs, and the Supermask", NeurIPS 2019, Sec. 3-4), per layer, with
 * w0 the initial weights, m the mask and std the layer's init standard deviation:
 *   signed-constant  m * sign(w0) * std                  (w0 = 0 counts as positive)
 *   random-signs     m * s * |w0|, s a uniform random sign per weight
 *   shuffled-values  m * sign(w0) * |w0[pi(i)]|, pi a uniform permutation of the layer's kept
 *                    positions: the same multiset of magnitudes, each weight's sign kept
 *   frozen-pruned    w0 everywhere: the pruned weights keep their initial values (the trainer's
 *                    optimizer mask freezes them) instead of being set to 0
 * Biases keep their initial values.
 */
import type { Rng } from "../base/rng.ts";
import { type ParamLayout, weightBlock } from "../model/layout.ts";
import { type InitName, initStd } from "../model/init.ts";

export type WeightAblationName =
  | "signed-constant"
  | "random-signs"
  | "shuffled-values"
  | "frozen-pruned";

/** The flat initial parameters of an ablation; `rng` draws random-signs' and shuffled-values'. */
export function ablatedInit(
  ablation: WeightAblationName,
  layout: ParamLayout,
  init: Float32Array,
  masks: Float32Array[],
  initName: InitName,
  rng: Rng,
): Float32Array {
  const params = init.slice();
  if (ablation === "frozen-pruned") return params;
  layout.layers.forEach((layer, l) => {
    const source = weightBlock(layout, init, l);
    const target = weightBlock(layout, params, l);
    const mask = masks[l];
    const std = Math.fround(initStd(initName, layer));
    const kept: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) kept.push(i);
    const permutation = ablation === "shuffled-values" ? rng.permutation(kept.length) : null;
    target.fill(0);
    kept.forEach((i, j) => {
      const sign = source[i] < 0 ? -1 : 1;
      if (ablation === "signed-constant") target[i] = sign * std;
      else if (ablation === "random-signs") {
        target[i] = (rng.nextU32() & 1 ? 1 : -1) * Math.abs(source[i]);
      } else target[i] = sign * Math.abs(source[kept[permutation![j]]]);
    });
  });
  return params;
}
