/**
 * The training and evaluation jobs the sweep procedures (edge-popup, supermask) share: a group of
 * runs with one model trains side by side in one Trainer under one weight parameterization (dense,
 * edge-popup or Bernoulli supermask) for a fixed budget, or is only evaluated. Groups larger than
 * the device's storage binding limit allows are split (run_groups.ts).
 */
import type { TrainingConfig } from "../config/types.ts";
import {
  flatStates,
  initialState,
  MaskedWeights,
  type Model,
  type Parameterization,
  type ParamLayout,
} from "../model/mod.ts";
import { BatchOrder } from "../train/batch_order.ts";
import { STREAMS } from "../base/streams.ts";
import {
  evaluationOptions,
  floatsPerRun,
  trainerOptions,
  withAugmentationKeys,
} from "../train/trainer_options.ts";
import { Trainer, type TrainerOptions } from "../train/trainer.ts";
import { type EvalPoint, trainRuns } from "../train/train_runs.ts";
import { runGroups } from "./run_groups.ts";
import type { ProcedureContext } from "./types.ts";

export interface GroupRun {
  trial: number;
  /** Flat parameters of one run (weights and biases). */
  params: Float32Array;
  /** The run's batch-norm running statistics; absent: the initial ones (means 0, variances 1). */
  state?: Float32Array;
  /** Flat 0/1 mask of one run (1 on biases). */
  mask: Float32Array;
  /** Flat scores, for score-trained modes. */
  scores?: Float32Array;
  /** Flat theta0, the point a linearized network is linearized at (LinearizedWeights). */
  anchor?: Float32Array;
  /** Edge-popup: the kept fraction of each layer. */
  keep?: number[];
}

export interface GroupOutcome {
  curve: EvalPoint[];
  params: Float32Array;
  /** The final running statistics (empty without batch norms). */
  state: Float32Array;
  /** The mask of the last evaluation (edge-popup: top-k of the final scores). */
  mask: Float32Array;
  scores?: Float32Array;
}

/** The parameterization of one group of runs (edge-popup's kept fractions are per run). */
export type GroupParameterization = (group: GroupRun[]) => Parameterization;

/** Dense training: masked weights with every mask 1 (pruned weights, if any, held at 0). */
export const denseTraining: GroupParameterization = () => new MaskedWeights(false);

function groupsOf<T>(
  context: ProcedureContext,
  model: Model,
  options: Pick<TrainerOptions, "batch" | "evalBatch">,
  runs: T[],
): T[][] {
  const limit = context.gpu.device.limits.maxStorageBufferBindingSize;
  return runGroups(runs, floatsPerRun(model, options), limit);
}

/** A stored tensor of a parameterization (its `storedTensors` name) as a run gives it. */
function storedTensorOf(run: GroupRun, name: string): Float32Array {
  const tensors: Record<string, Float32Array | undefined> = {
    scores: run.scores,
    anchor: run.anchor,
  };
  const tensor = tensors[name];
  if (!tensor) {
    throw new Error(
      `the parameterization stores ${name}, which run (trial ${run.trial}) does not give; internal error`,
    );
  }
  return tensor;
}

function flat(runs: GroupRun[], perRun: number, pick: (run: GroupRun) => Float32Array) {
  const out = new Float32Array(runs.length * perRun);
  runs.forEach((run, r) => out.set(pick(run), r * perRun));
  return out;
}

/** The runs' states, flat: each run's own, or the initial one where it has none. */
function flatState(layout: ParamLayout, runs: readonly { state?: Float32Array }[]): Float32Array {
  return flatStates(layout, runs.map((run) => run.state ?? initialState(layout, 1)));
}

/** Trains every run for `training.iterations` and returns its curve and final state. */
export async function trainGroup(
  context: ProcedureContext,
  model: Model,
  training: TrainingConfig,
  parameterization: GroupParameterization,
  runs: GroupRun[],
  label: string,
): Promise<GroupOutcome[]> {
  const outcomes: GroupOutcome[] = [];
  const perRun = model.layout.perRun;
  const { config } = context;
  const options = trainerOptions(context.dataset, training, config.data);
  for (const group of groupsOf(context, model, options, runs)) {
    const groupParameterization = parameterization(group);
    const scored = groupParameterization.storedTensors.includes("scores");
    const trainer = await Trainer.create(context.gpu, {
      model,
      parameterization: groupParameterization,
      runs: group.length,
      ...options,
      ...withAugmentationKeys(
        options,
        () => group.map((run) => STREAMS.augmentation.key(config.seed, run.trial)),
      ),
    });
    try {
      trainer.reset(
        flat(group, perRun, (run) => run.params),
        flat(group, perRun, (run) => run.mask),
        Object.fromEntries(
          groupParameterization.storedTensors.map((name) => [
            name,
            flat(group, perRun, (run) => storedTensorOf(run, name)),
          ]),
        ),
        flatState(model.layout, group),
      );
      const orders = group.map((run) =>
        new BatchOrder(context.dataset.train, context.config.seed, run.trial)
      );
      const started = performance.now();
      const results = await trainRuns(trainer, orders, {
        iterations: training.iterations,
        evalEvery: training.eval_every,
        batch: training.batch_size,
      }, (progress) => {
        const best = Math.max(...progress.latest.map((p) => p.test_accuracy));
        const seconds = (performance.now() - started) / 1000;
        context.progress(
          `${label} (${group.length} runs) iter ${progress.iteration}/${progress.iterations} ` +
            `best test acc ${(100 * best).toFixed(2)}% ${seconds.toFixed(0)}s`,
        );
      });
      const masks = await trainer.readBuffer("mask");
      const scores = scored ? await trainer.readBuffer("scores") : null;
      results.forEach((result, r) => {
        outcomes.push({
          curve: result.curve,
          params: result.finalParams,
          state: result.finalState,
          mask: masks.slice(r * perRun, (r + 1) * perRun),
          scores: scores ? scores.slice(r * perRun, (r + 1) * perRun) : undefined,
        });
      });
    } finally {
      trainer.destroy();
    }
  }
  return outcomes;
}

/**
 * Evaluates networks without training them (pruned weights already exactly 0 in `params`), with
 * each run's running statistics (`state`; absent: the initial ones): one point per run at
 * iteration 0. With `testOnly` only the test set is evaluated (the validation fields are NaN):
 * a third less work where only test error is read (linear mode connectivity).
 */
export async function evaluateGroup(
  context: ProcedureContext,
  model: Model,
  runs: { params: Float32Array; state?: Float32Array }[],
  label: string,
  testOnly = false,
): Promise<EvalPoint[]> {
  const points: EvalPoint[] = [];
  const perRun = model.layout.perRun;
  const options = evaluationOptions(context.dataset, testOnly, context.config.data);
  for (const group of groupsOf(context, model, options, runs)) {
    const trainer = await Trainer.create(context.gpu, {
      model,
      parameterization: new MaskedWeights(false),
      runs: group.length,
      ...options,
    });
    try {
      const params = new Float32Array(group.length * perRun);
      group.forEach((run, r) => params.set(run.params, r * perRun));
      trainer.reset(
        params,
        new Float32Array(params.length).fill(1),
        {},
        flatState(model.layout, group),
      );
      trainer.evaluate();
      const [sets] = await trainer.readHistory();
      const test = sets[sets.length - 1];
      const validation = testOnly ? null : sets[0];
      for (let r = 0; r < group.length; r++) {
        const point = {
          iteration: 0,
          validation_loss: validation ? validation[r].loss : NaN,
          validation_accuracy: validation ? validation[r].accuracy : NaN,
          test_loss: test[r].loss,
          test_accuracy: test[r].accuracy,
        };
        if (!Number.isFinite(point.test_loss)) {
          throw new Error(`${label}: run ${r} has test loss ${point.test_loss}`);
        }
        points.push(point);
      }
      context.progress(`${label}: evaluated ${points.length}/${runs.length} networks`);
    } finally {
      trainer.destroy();
    }
  }
  return points;
}
