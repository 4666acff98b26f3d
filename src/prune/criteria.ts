/**
 * Zhou et al.'s mask criteria: each weight of a layer is scored from its initial value w_i and
 * its final (trained) value w_f, and the mask keeps the k highest scores (ties: lower index first):
 *   large_final             |w_f|
 *   large_final_same_sign   |w_f| where sign(w_f) = sign(w_i); weights whose sign flipped rank
 *                           below every same-sign weight (kept only when k exceeds their count)
 *   magnitude_increase      |w_f| - |w_i|
 *   movement                |w_f - w_i|
 *   random                  a uniform draw (the control; w_i and w_f are not read)
 */
import type { Rng } from "../base/rng.ts";

export const MASK_CRITERIA = [
  "large_final",
  "large_final_same_sign",
  "magnitude_increase",
  "movement",
  "random",
] as const;
export type MaskCriterion = typeof MASK_CRITERIA[number];

/** The criterion's score of every weight of one layer. */
export function criterionScores(
  criterion: MaskCriterion,
  initial: Float32Array,
  final: Float32Array,
  rng: Rng,
): Float64Array {
  if (initial.length !== final.length) {
    throw new RangeError(
      `initial (${initial.length}) and final (${final.length}) differ in length`,
    );
  }
  const scores = new Float64Array(final.length);
  for (let i = 0; i < final.length; i++) {
    const wi = initial[i], wf = final[i];
    switch (criterion) {
      case "large_final":
        scores[i] = Math.abs(wf);
        break;
      case "large_final_same_sign":
        scores[i] = Math.sign(wf) === Math.sign(wi) && wf !== 0 ? Math.abs(wf) : -Infinity;
        break;
      case "magnitude_increase":
        scores[i] = Math.abs(wf) - Math.abs(wi);
        break;
      case "movement":
        scores[i] = Math.abs(wf - wi);
        break;
      case "random":
        scores[i] = rng.nextUnit();
        break;
    }
  }
  return scores;
}

/** Indices ordered by score, highest first; equal scores by index, lowest first. */
export function rankByScore(scores: Float64Array): Uint32Array {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i);
  // Comparing, not subtracting: -Infinity - -Infinity is NaN.
  return order.sort((a, b) => scores[a] > scores[b] ? -1 : scores[a] < scores[b] ? 1 : a - b);
}

/** The 0/1 mask that keeps the first `keep` indices of a ranking. */
export function keepTop(ranking: Uint32Array, keep: number): Float32Array {
  if (!Number.isInteger(keep) || keep < 0 || keep > ranking.length) {
    throw new RangeError(`cannot keep ${keep} of ${ranking.length} weights`);
  }
  const mask = new Float32Array(ranking.length);
  for (let j = 0; j < keep; j++) mask[ranking[j]] = 1;
  return mask;
}
