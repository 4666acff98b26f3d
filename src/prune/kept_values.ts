/**
 * What the kept weights of an untrained masked network are set to (Zhou et al.'s "mask-1
 * actions"), per layer with std = the standard deviation of the layer's init distribution:
 *   init             w_i
 *   signed-constant  sign(w_i) * std          (w_i = 0 counts as positive)
 *   random-signs     (a uniform random sign) * std: the control that drops the initial signs
 * Pruned weights are +0 exactly, biases 0 and batch norms' gamma and beta as in `init` (1 and 0
 * as initialised).
 */
import type { Rng } from "../base/rng.ts";
import { type ParamLayout, weightBlock } from "../model/layout.ts";
import { type InitName, initStd } from "../model/init.ts";

export type KeptValues = "init" | "signed-constant" | "random-signs";

/**
 * The flat parameters of one untrained network. `masks` null keeps every weight; `signs` draws
 * one sign per weight (masked or not, so the signs of a weight do not depend on the mask) and is
 * required for random-signs.
 */
export function keptValues(
  layout: ParamLayout,
  init: Float32Array,
  masks: Float32Array[] | null,
  values: KeptValues,
  initName: InitName,
  signs: Rng | null,
): Float32Array {
  if (values === "random-signs" && !signs) {
    throw new RangeError("random-signs needs a random stream for the signs");
  }
  const params = new Float32Array(layout.perRun);
  layout.layers.forEach((layer, l) => {
    const std = Math.fround(initStd(initName, layer));
    const source = weightBlock(layout, init, l);
    const target = weightBlock(layout, params, l);
    for (let i = 0; i < source.length; i++) {
      const sign = values === "random-signs" ? (signs!.nextU32() & 1 ? 1 : -1) : 0;
      if (masks && masks[l][i] === 0) continue;
      target[i] = values === "init"
        ? source[i]
        : values === "signed-constant"
        ? (source[i] < 0 ? -std : std)
        : sign * std;
    }
  });
  for (const norm of layout.norms) {
    if (!norm.affine) continue;
    for (const offset of [norm.gammaOffset, norm.betaOffset]) {
      params.set(init.subarray(offset, offset + norm.channels), offset);
    }
  }
  return params;
}
