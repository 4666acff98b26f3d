/** An experiment file's optimizer block -> the trainer's optimizer, with the papers' defaults. */
import type { OptimizerConfig, ScheduleConfig } from "../config/types.ts";
import { constantSchedule, type LrSchedule } from "./lr_schedule.ts";
import type { OptimizerSpec } from "./trainer.ts";

/** Where a trainer's steps lie in the training run its schedule spans. */
export interface TrainingSpan {
  /** Iterations of the whole run, from iteration 0 (the schedule's length). */
  iterations: number;
  /** The run's iteration of the trainer's first step (a run rewound to k continues at k). */
  firstIteration: number;
  /** Iterations of one epoch, for a schedule stepped per epoch without steps_per_epoch. */
  stepsPerEpoch: number;
}

/** The schedule of a config's `schedule` block over `span` (absent: constant). */
export function lrSchedule(config: ScheduleConfig | undefined, span: TrainingSpan): LrSchedule {
  const constant = constantSchedule(span.iterations);
  if (!config) return constant;
  return {
    ...constant,
    kind: config.kind,
    milestones: config.milestones ?? [],
    gamma: config.gamma ?? 0.1,
    warmupIterations: config.warmup_iterations ?? 0,
    stepsPerUpdate: config.per === "epoch" ? config.steps_per_epoch ?? span.stepsPerEpoch : 1,
    firstIteration: span.firstIteration,
  };
}

export function optimizerSpec(config: OptimizerConfig, span: TrainingSpan): OptimizerSpec {
  const shared = {
    learningRate: config.learning_rate,
    weightDecay: config.weight_decay ?? 0,
    weightDecayAppliesTo: config.weight_decay_applies_to ?? "all",
    schedule: lrSchedule(config.schedule, span),
  };
  return config.name === "adam"
    ? {
      kind: "adam",
      ...shared,
      beta1: config.beta1 ?? 0.9,
      beta2: config.beta2 ?? 0.999,
      epsilon: config.epsilon ?? 1e-8,
    }
    : {
      kind: "sgd",
      ...shared,
      momentum: config.momentum ?? 0,
      nesterov: config.nesterov ?? false,
    };
}
