/**
 * A run's mask against a reference mask, as results.csv records it: Cohen's kappa of the two
 * masks read as two raters' keep/prune labels of every weight,
 *   kappa = (p_o - p_e) / (1 - p_e),  p_o = fraction of weights both label alike,
 *                                     p_e = d_A d_B + (1 - d_A)(1 - d_B), d = fraction kept,
 * over all layers pooled and per layer. When both masks keep the same count (d_A = d_B = d) it
 * is the chance-corrected overlap (|A & B| / |A| - d) / (1 - d): 0 = chance, 1 = the same mask;
 * with different counts (masks ranked across layers) it stays defined. NaN where chance alone
 * decides every label (p_e = 1: both masks keep everything, or both nothing).
 */
export interface MaskOverlap {
  kappa: number;
  kappa_per_layer: number[];
}

interface Counts {
  n: number;
  keptA: number;
  keptB: number;
  both: number;
}

export function maskOverlap(masks: Float32Array[], reference: Float32Array[]): MaskOverlap {
  if (masks.length !== reference.length) {
    throw new RangeError(`${masks.length} layer masks against ${reference.length} reference masks`);
  }
  const pooled: Counts = { n: 0, keptA: 0, keptB: 0, both: 0 };
  const perLayer = masks.map((mask, l) => {
    const counts = overlapCounts(mask, reference[l], l);
    pooled.n += counts.n;
    pooled.keptA += counts.keptA;
    pooled.keptB += counts.keptB;
    pooled.both += counts.both;
    return cohenKappa(counts);
  });
  return { kappa: cohenKappa(pooled), kappa_per_layer: perLayer };
}

function overlapCounts(a: Float32Array, b: Float32Array, layer: number): Counts {
  if (a.length !== b.length) {
    throw new RangeError(`layer ${layer}: masks of ${a.length} and ${b.length} weights`);
  }
  let keptA = 0, keptB = 0, both = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== 0) keptA++;
    if (b[i] !== 0) keptB++;
    if (a[i] !== 0 && b[i] !== 0) both++;
  }
  return { n: a.length, keptA, keptB, both };
}

export function cohenKappa({ n, keptA, keptB, both }: Counts): number {
  const dA = keptA / n, dB = keptB / n;
  const agree = (n - keptA - keptB + 2 * both) / n;
  const chance = dA * dB + (1 - dA) * (1 - dB);
  return chance === 1 ? NaN : (agree - chance) / (1 - chance);
}
