/**
 * Linear mode connectivity (Frankle, Dziugaite, Roy, Carbin, "Linear Mode Connectivity and the
 * Lottery Ticket Hypothesis", ICML 2020, arXiv 1912.05671): two copies of a network trained from
 * the same point with different batch orders end at w1 and w2; the network on the line between
 * them is w(a) = (1 - a) w1 + a w2 at `points` evenly spaced a in [0, 1] (both ends included),
 * and the instability is the largest test error on the line minus the mean of the two ends'
 * errors. A network is stable when it is below 2 points: the copies end in one linearly connected
 * minimum.
 */
import type { Network } from "../model/mod.ts";

/** The line's points a_j = j / (points - 1), j = 0 .. points - 1. */
export function lineAlphas(points: number): number[] {
  if (!Number.isInteger(points) || points < 2) {
    throw new RangeError(`a line needs at least 2 points (its ends), got ${points}`);
  }
  return Array.from({ length: points }, (_, j) => j / (points - 1));
}

/** (1 - a) w1 + a w2, rounded to f32 entry by entry. */
export function interpolate(w1: Float32Array, w2: Float32Array, a: number): Float32Array {
  if (w1.length !== w2.length) {
    throw new RangeError(`cannot interpolate vectors of ${w1.length} and ${w2.length} entries`);
  }
  const out = new Float32Array(w1.length);
  for (let i = 0; i < w1.length; i++) out[i] = (1 - a) * w1[i] + a * w2[i];
  return out;
}

/**
 * The network at `a` on the line between two networks: the parameters and the batch norms'
 * running statistics interpolated with the same alpha. This is the convention of interpolating
 * two PyTorch state_dicts entry by entry (running_mean and running_var are entries of the
 * state_dict); Frankle et al. 2020 do not say how they treat the statistics, and open_lth has no
 * interpolation code to show it. The other choice, which this tool does not make, is to recompute the running statistics of each interpolated network on training data before
 * evaluating it (Jordan et al. 2022, "REPAIR: REnormalizing Permuted Activations for
 * Interpolation Repair", arXiv 2211.08403), which removes the variance collapse that interpolated
 * statistics can cause and so can report a lower barrier.
 */
export function interpolateNetwork(n1: Network, n2: Network, a: number): Network {
  return {
    params: interpolate(n1.params, n2.params, a),
    state: interpolate(n1.state, n2.state, a),
  };
}

/** max_j error_j - (error_first + error_last) / 2 over the errors along a line. */
export function instability(errors: number[]): number {
  if (errors.length < 2) {
    throw new RangeError(`instability needs the errors of at least 2 points, got ${errors.length}`);
  }
  const ends = (errors[0] + errors[errors.length - 1]) / 2;
  return Math.max(...errors) - ends;
}
