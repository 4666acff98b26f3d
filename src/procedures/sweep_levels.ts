/** What the sweeping procedures (edge-popup, multi-prize) share about their sweeps' levels. */

/**
 * The distinct fractions kept over every sweep, largest first: level i (1-based) is the i-th of
 * them (level 0 is the dense network).
 */
export function keptLevels(sweeps: readonly { weights_remaining: readonly number[] }[]): number[] {
  return [...new Set(sweeps.flatMap((s) => s.weights_remaining))].sort((a, b) => b - a);
}
