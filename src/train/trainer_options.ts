/**
 * The trainer options every procedure shares: how a training budget from the experiment file
 * maps to batch, chunking, optimizer and the evaluation sets (validation, then test).
 */
import type { TrainingConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";
import { optimizerSpec } from "./optimizer_spec.ts";
import type { Model } from "../model/mod.ts";
import type { TrainerOptions } from "./trainer.ts";

/** Examples per evaluation dispatch. */
const EVAL_BATCH = 1000;
/** Most training steps per submit: bounds a submit's length, not the results. */
const MAX_CHUNK_STEPS = 500;

type SharedOptions = Omit<TrainerOptions, "model" | "parameterization" | "runs">;

/** Validation first, then test: the history's slot order, which train_runs.ts reads. */
function evalSets(dataset: GpuDataset): TrainerOptions["evalSets"] {
  return [
    { name: "validation", indices: dataset.validation },
    { name: "test", indices: dataset.test },
  ];
}

/**
 * Training for `training.iterations`, evaluating every `training.eval_every`. A run that starts
 * at iteration `firstIteration` of its schedule (IMP rewound to k) trains `training.iterations`
 * more, and its learning-rate schedule spans firstIteration + training.iterations.
 */
export function trainerOptions(
  dataset: GpuDataset,
  training: TrainingConfig,
  firstIteration = 0,
): SharedOptions {
  return {
    batch: training.batch_size,
    maxSteps: training.iterations,
    chunkSteps: Math.min(training.eval_every, MAX_CHUNK_STEPS),
    optimizer: optimizerSpec(training.optimizer, {
      iterations: firstIteration + training.iterations,
      firstIteration,
      // An epoch as PyTorch's DataLoader counts it (the last batch partial).
      stepsPerEpoch: Math.ceil(dataset.train.length / training.batch_size),
    }),
    dataset,
    evalSets: evalSets(dataset),
    evalBatch: EVAL_BATCH,
    maxEvaluations: Math.ceil(training.iterations / training.eval_every),
  };
}

/**
 * The floats one run occupies in the trainer's largest per-run buffer: the parameters (and their
 * masks, moments, scores), or the activations of the widest layer at the training or evaluation
 * batch size. Every buffer holds `runs` of these, within one storage binding.
 */
export function floatsPerRun(
  model: Model,
  options: Pick<TrainerOptions, "batch" | "evalBatch">,
): number {
  const widest = Math.max(model.inputs, ...model.layers.map((layer) => layer.outputs));
  return Math.max(model.layout.perRun, Math.max(options.batch, options.evalBatch) * widest);
}

/** One evaluation, never stepped; of the test set alone with `testOnly`. */
export function evaluationOptions(dataset: GpuDataset, testOnly = false): SharedOptions {
  return {
    batch: 1,
    maxSteps: 1,
    chunkSteps: 1,
    optimizer: { kind: "sgd", learningRate: 0, momentum: 0, weightDecay: 0 },
    dataset,
    evalSets: testOnly ? [{ name: "test", indices: dataset.test }] : evalSets(dataset),
    evalBatch: EVAL_BATCH,
    maxEvaluations: 1,
  };
}
