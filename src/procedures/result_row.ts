/** A results.csv row from a run's evaluation curve and mask (config/types.ts ResultRow). */
import type { ResultRow } from "../config/types.ts";
import { earlyStop, type EvalPoint } from "../train/train_runs.ts";
import { maskOverlap } from "../prune/mod.ts";

export interface RowKey {
  trial: number;
  width: number;
  level: number;
  arm: string;
  replicate: number;
}

/**
 * `reference`: the masks this run's are compared with (IMP: the ticket's of the same trial and
 * level); the row then records their chance-corrected overlap, overall and per layer.
 */
export function resultRow(
  key: RowKey,
  masks: Float32Array[],
  curve: EvalPoint[],
  reference?: Float32Array[],
): ResultRow {
  const best = earlyStop(curve);
  const kept = masks.map((mask) => mask.reduce((n, m) => n + m, 0));
  const total = masks.reduce((n, mask) => n + mask.length, 0);
  return {
    ...key,
    weights_remaining: kept.reduce((a, b) => a + b, 0) / total,
    weights_remaining_per_layer: kept.map((k, l) => k / masks[l].length),
    early_stop_iteration: best.iteration,
    // An untrained arm's single evaluation is no early stop at the end of a budget.
    early_stop_censored: curve.length > 1 && best === curve[curve.length - 1],
    test_accuracy_at_early_stop: best.test_accuracy,
    final_test_accuracy: curve[curve.length - 1].test_accuracy,
    min_validation_loss: best.validation_loss,
    ...(reference ? maskOverlap(masks, reference) : {}),
  };
}
