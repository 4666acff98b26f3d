/** A uniformly random mask keeping exactly `keep` of `size` weights (the random-pruning control). */
import type { Rng } from "../base/rng.ts";

export function randomMask(size: number, keep: number, rng: Rng): Float32Array {
  if (!Number.isInteger(keep) || keep < 0 || keep > size) {
    throw new RangeError(`cannot keep ${keep} of ${size} weights`);
  }
  const order = rng.permutation(size);
  const mask = new Float32Array(size);
  for (let j = 0; j < keep; j++) mask[order[j]] = 1;
  return mask;
}
