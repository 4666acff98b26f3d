/**
 * Trained dense networks shared between experiments: weak-lth's dense level 0 and supermask's
 * dense training are the same run when the data, model, training budget, seed and trial agree,
 * so the second one reads the first one's checkpoints instead of training again. The key hashes
 * everything that decides the trained bits (the batch order and initialisation streams derive from
 * seed and trial), including the dataset files' checksums.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../config/hash.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";
import { configuredLayers } from "./configured_model.ts";

export function trainedKey(
  config: ExperimentConfig,
  training: TrainingConfig,
  trial: number,
  checksums: Record<string, string>,
): string {
  const { optimizer, batch_size, iterations, eval_every } = training;
  const identity = {
    data: config.data,
    // The layer list, whichever form the file used: the same network has the same key.
    model: { layers: configuredLayers(config), init: config.model.init },
    training: { optimizer, batch_size, iterations, eval_every },
    seed: config.seed,
    trial,
    checksums,
  };
  return createHash("sha256").update(canonicalJson(identity), "utf8").digest("hex").slice(0, 16);
}
