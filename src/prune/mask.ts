/** Masks are f32 arrays of exact 0/1, one per prunable layer, in the weight's [out, in] layout. */

export function countKept(mask: Float32Array): number {
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i];
  return kept;
}

/** Throws unless every entry is exactly 0 or 1. */
export function assertBinaryMask(mask: Float32Array, what: string): void {
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0 && mask[i] !== 1) {
      throw new RangeError(`${what}: mask entry ${i} is ${mask[i]}; masks hold only 0 and 1`);
    }
  }
}

/**
 * A layer's weights remaining at the next IMP level: of the `kept` weights, round(kept *
 * pruneFraction) are removed (Math.round: halves round up), the rest stay.
 */
export function keptAtNextLevel(kept: number, pruneFraction: number): number {
  return kept - Math.round(kept * pruneFraction);
}

/** The count kept after `rounds` rounds at once: each removes its fraction of what remains. */
export function keptAfterRounds(kept: number, pruneFraction: number, rounds: number): number {
  let count = kept;
  for (let round = 0; round < rounds; round++) count = keptAtNextLevel(count, pruneFraction);
  return count;
}
