/**
 * The trainer options every procedure shares: how a training budget from the experiment file
 * maps to batch, chunking, optimizer and the evaluation sets (validation, then test).
 */
import type { DataConfig, TrainingConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";
import { optimizerSpec } from "./optimizer_spec.ts";
import type { Model } from "../model/mod.ts";
import type { Augmentation, TrainerOptions } from "./trainer.ts";

/** Examples per evaluation dispatch. */
const EVAL_BATCH = 1000;
/** Most training steps per submit: bounds a submit's length, not the results. */
const MAX_CHUNK_STEPS = 500;

/**
 * What the runs of a job share. The augmentation has no keys yet: each group of runs adds its
 * runs' (withAugmentationKeys), so a Trainer cannot be built from these options alone.
 */
export type SharedOptions =
  & Omit<
    TrainerOptions,
    "model" | "parameterization" | "runs" | "augmentation"
  >
  & { augmentation?: Omit<Augmentation, "key"> };

/** An evaluation job's options: nothing is augmented. */
export type EvaluationOptions = Omit<
  TrainerOptions,
  "model" | "parameterization" | "runs" | "augmentation"
>;

/** The data config's input handling: `data.normalize` and `data.augmentation`. */
export type DataInput = Pick<DataConfig, "normalize" | "augmentation">;

/** The normalisation of `data.normalize` (absent: the trainer's default, byte / 255). */
function normalization(data: DataInput): Pick<TrainerOptions, "inputMean" | "inputStd"> {
  return data.normalize ? { inputMean: data.normalize.mean, inputStd: data.normalize.std } : {};
}

/** Validation first, then test: the history's slot order, which train_runs.ts reads. */
function evalSets(dataset: GpuDataset): TrainerOptions["evalSets"] {
  return [
    { name: "validation", indices: dataset.validation },
    { name: "test", indices: dataset.test },
  ];
}

/**
 * Training for `training.iterations`, evaluating every `training.eval_every`, with the data
 * config's normalisation and augmentation (absent: byte / 255, no augmentation). A run that starts
 * at iteration `firstIteration` of its schedule (IMP rewound to k) trains `training.iterations`
 * more, and its learning-rate schedule spans firstIteration + training.iterations.
 */
export function trainerOptions(
  dataset: GpuDataset,
  training: TrainingConfig,
  data: DataInput = {},
  firstIteration = 0,
): SharedOptions {
  const augmentation = data.augmentation;
  return {
    ...normalization(data),
    ...(augmentation
      ? {
        augmentation: {
          padding: augmentation.random_crop_padding,
          flip: augmentation.horizontal_flip,
        },
      }
      : {}),
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
    ...(training.loss ? { loss: training.loss } : {}),
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

/**
 * The trainer's augmentation for a group of runs: the shared settings with each run's stream key
 * (STREAMS.augmentation of its trial and lineage), computed only when there is augmentation.
 */
export function withAugmentationKeys(
  options: SharedOptions,
  keys: () => readonly number[],
): { augmentation: Augmentation | undefined } {
  const shared = options.augmentation;
  return { augmentation: shared && { ...shared, key: keys() } };
}

/**
 * One evaluation, never stepped, with the data config's normalisation; of the test set alone
 * with `testOnly`.
 */
export function evaluationOptions(
  dataset: GpuDataset,
  testOnly = false,
  data: DataInput = {},
): EvaluationOptions {
  return {
    ...normalization(data),
    // Never stepped, but the training pass is still prepared, and a batch norm's refuses a batch
    // of one value per channel (as PyTorch does): the smallest batch it takes.
    batch: 2,
    maxSteps: 1,
    chunkSteps: 1,
    optimizer: { kind: "sgd", learningRate: 0, momentum: 0, weightDecay: 0 },
    dataset,
    evalSets: testOnly ? [{ name: "test", indices: dataset.test }] : evalSets(dataset),
    evalBatch: EVAL_BATCH,
    maxEvaluations: 1,
  };
}
