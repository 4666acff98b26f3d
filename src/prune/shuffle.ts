/**
 * A mask shuffled within its layer (Frankle et al. 2021, "Pruning neural networks at
 * initialization: why are we missing the mark?", Sec. 5): the layer keeps as many weights, at
 * positions drawn uniformly at random, m'[i] = m[pi(i)] for one uniform permutation pi per layer.
 * What survives is the layer's density alone, so a method whose accuracy does not drop when
 * shuffled gets nothing from which weights it picked.
 */
import type { Rng } from "../base/rng.ts";

export function shuffleMask(mask: Float32Array, rng: Rng): Float32Array {
  const permutation = rng.permutation(mask.length);
  const shuffled = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) shuffled[i] = mask[permutation[i]];
  return shuffled;
}
