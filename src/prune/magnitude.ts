/**
 * Magnitude pruning, layerwise or global. Layerwise: among the weights a mask still keeps, keep the `keep` largest by
 * |w| and prune the rest, smallest first. Ties in |w| are broken by flat index (lower index pruned
 * first), so the result is exact and deterministic: every kept |w| >= every newly pruned |w| of
 * the layer. Weights the mask already pruned stay pruned.
 */
import { assertBinaryMask, countKept } from "./mask.ts";
import { masksKeepingTotal } from "./score_masks.ts";

export function pruneSmallest(
  weights: Float32Array,
  mask: Float32Array,
  keep: number,
): Float32Array {
  if (weights.length !== mask.length) {
    throw new RangeError(`weights (${weights.length}) and mask (${mask.length}) differ in length`);
  }
  assertBinaryMask(mask, "magnitude pruning input");
  const kept = countKept(mask);
  if (!Number.isInteger(keep) || keep < 0 || keep > kept) {
    throw new RangeError(`cannot keep ${keep} weights of a layer that keeps ${kept}`);
  }
  const candidates = new Uint32Array(kept);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) candidates[k++] = i;
  candidates.sort((a, b) => Math.abs(weights[a]) - Math.abs(weights[b]) || a - b);
  const next = new Float32Array(mask);
  for (let j = 0; j < kept - keep; j++) next[candidates[j]] = 0;
  return next;
}

/**
 * Global magnitude pruning (open_lth's sparse_global, Frankle et al.'s ResNets): every layer's
 * kept weights ranked together by |w|, the `keep` largest stay (ties: lower layer, then lower
 * index, kept first, as masksKeepingTotal ranks), so each layer's density is what the magnitudes
 * give it. Weights a mask already pruned stay pruned.
 */
export function pruneSmallestGlobally(
  weights: readonly Float32Array[],
  masks: readonly Float32Array[],
  keep: number,
): Float32Array[] {
  if (weights.length !== masks.length) {
    throw new RangeError(`${weights.length} weight layers but ${masks.length} masks`);
  }
  const kept = masks.reduce((n, mask) => n + countKept(mask), 0);
  if (!Number.isInteger(keep) || keep < 0 || keep > kept) {
    throw new RangeError(`cannot keep ${keep} weights of a network that keeps ${kept}`);
  }
  const scores = masks.map((mask, l) => {
    if (weights[l].length !== mask.length) {
      throw new RangeError(
        `layer ${l}: weights (${weights[l].length}) and mask (${mask.length}) differ in length`,
      );
    }
    assertBinaryMask(mask, `global magnitude pruning input, layer ${l}`);
    // A pruned weight ranks below every kept one, so it is never kept again.
    return Float64Array.from(mask, (m, i) => (m === 1 ? Math.abs(weights[l][i]) : -Infinity));
  });
  return masksKeepingTotal(scores, keep);
}
