/** An experiment file's optimizer block -> the trainer's optimizer, with the papers' defaults. */
import type { OptimizerConfig } from "../config/types.ts";
import type { OptimizerSpec } from "./trainer.ts";

export function optimizerSpec(config: OptimizerConfig): OptimizerSpec {
  return config.name === "adam"
    ? {
      kind: "adam",
      learningRate: config.learning_rate,
      beta1: config.beta1 ?? 0.9,
      beta2: config.beta2 ?? 0.999,
      epsilon: config.epsilon ?? 1e-8,
    }
    : {
      kind: "sgd",
      learningRate: config.learning_rate,
      momentum: config.momentum ?? 0,
      weightDecay: config.weight_decay ?? 0,
    };
}
