/**
 * Masks from saliency scores at given kept counts (higher score = kept; ties: lower index, then
 * lower layer). per-layer: layer l keeps its own count k_l of its top scores. total: the
 * sum of the counts is kept among all layers' scores ranked together, so each layer's density is
 * whatever the scores give it (how SNIP, GraSP, SynFlow and global magnitude prune in their
 * papers).
 */
import { keepTop, rankByScore } from "./criteria.ts";

export type CountScope = "per-layer" | "total";

export function masksFromScores(
  scores: Float64Array[],
  counts: number[],
  scope: CountScope,
): Float32Array[] {
  if (scores.length !== counts.length) {
    throw new RangeError(`${scores.length} layers of scores but ${counts.length} counts`);
  }
  if (scope === "per-layer") return scores.map((s, l) => keepTop(rankByScore(s), counts[l]));
  return masksKeepingTotal(scores, counts.reduce((a, b) => a + b, 0));
}

/** Keeps the `total` highest scores of all layers ranked together; one mask per layer. */
export function masksKeepingTotal(scores: Float64Array[], total: number): Float32Array[] {
  const size = scores.reduce((n, s) => n + s.length, 0);
  const all = new Float64Array(size);
  let at = 0;
  for (const s of scores) {
    all.set(s, at);
    at += s.length;
  }
  const kept = keepTop(rankByScore(all), total);
  at = 0;
  return scores.map((s) => {
    const mask = kept.slice(at, at + s.length);
    at += s.length;
    return mask;
  });
}
