/**
 * The training and evaluation jobs the sweep procedures (edge-popup, supermask) share: a group of
 * runs with one network shape trains side by side in one MlpTrainer (dense, edge-popup or
 * Bernoulli-supermask mode) for a fixed budget, or is only evaluated. Groups larger than the
 * device's storage binding limit allows are split (run_groups.ts).
 */
import type { TrainingConfig } from "../config/types.ts";
import type { ParamLayout } from "../model/layout.ts";
import { MlpTrainer, type MlpTrainerOptions } from "../train/trainer.ts";
import { BatchOrder } from "../train/batch_order.ts";
import { optimizerSpec } from "../train/optimizer_spec.ts";
import { type EvalPoint, trainRuns } from "../train/train_runs.ts";
import { runGroups } from "./run_groups.ts";
import type { ProcedureContext } from "./types.ts";

const EVAL_BATCH = 1000;
const MAX_CHUNK_STEPS = 500;

export interface GroupRun {
  trial: number;
  /** Flat parameters of one run (weights and biases). */
  params: Float32Array;
  /** Flat 0/1 mask of one run (1 on biases). */
  mask: Float32Array;
  /** Flat scores, for score-trained modes. */
  scores?: Float32Array;
  /** Edge-popup: the kept fraction of each layer. */
  keep?: number[];
}

export interface GroupOutcome {
  curve: EvalPoint[];
  params: Float32Array;
  /** The mask of the last evaluation (edge-popup: top-k of the final scores). */
  mask: Float32Array;
  scores?: Float32Array;
}

export type ScoreMode = "dense" | "edge-popup" | "supermask";

function evalSets(context: ProcedureContext) {
  return [
    { name: "validation", indices: context.dataset.validation },
    { name: "test", indices: context.dataset.test },
  ];
}

function groupsOf<T>(context: ProcedureContext, layout: ParamLayout, runs: T[]): T[][] {
  return runGroups(runs, layout.perRun, context.gpu.device.limits.maxStorageBufferBindingSize);
}

function flat(runs: GroupRun[], perRun: number, pick: (run: GroupRun) => Float32Array) {
  const out = new Float32Array(runs.length * perRun);
  runs.forEach((run, r) => out.set(pick(run), r * perRun));
  return out;
}

/** Trains every run for `training.iterations` and returns its curve and final state. */
export async function trainGroup(
  context: ProcedureContext,
  layout: ParamLayout,
  widths: number[],
  training: TrainingConfig,
  mode: ScoreMode,
  runs: GroupRun[],
  label: string,
  supermaskKey = 0,
): Promise<GroupOutcome[]> {
  const outcomes: GroupOutcome[] = [];
  for (const group of groupsOf(context, layout, runs)) {
    const modeOptions: Partial<MlpTrainerOptions> = mode === "edge-popup"
      ? { edgePopup: { keep: group.map((run) => run.keep!) } }
      : mode === "supermask"
      ? { supermask: { key: supermaskKey } }
      : {};
    const trainer = await MlpTrainer.create(context.gpu, {
      widths,
      runs: group.length,
      batch: training.batch_size,
      maxSteps: training.iterations,
      chunkSteps: Math.min(training.eval_every, MAX_CHUNK_STEPS),
      optimizer: optimizerSpec(training.optimizer),
      dataset: context.dataset,
      evalSets: evalSets(context),
      evalBatch: EVAL_BATCH,
      maxEvaluations: Math.ceil(training.iterations / training.eval_every),
      maskInProducts: mode !== "dense",
      ...modeOptions,
    });
    try {
      const perRun = layout.perRun;
      trainer.reset(
        flat(group, perRun, (run) => run.params),
        flat(group, perRun, (run) => run.mask),
        mode === "dense" ? undefined : flat(group, perRun, (run) => run.scores!),
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
      const scores = mode === "dense" ? null : await trainer.readBuffer("scores");
      results.forEach((result, r) => {
        outcomes.push({
          curve: result.curve,
          params: result.finalParams,
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
 * Evaluates untrained networks (pruned weights already exactly 0 in `params`): one point per run
 * at iteration 0.
 */
export async function evaluateGroup(
  context: ProcedureContext,
  layout: ParamLayout,
  widths: number[],
  runs: { params: Float32Array }[],
  label: string,
): Promise<EvalPoint[]> {
  const points: EvalPoint[] = [];
  for (const group of groupsOf(context, layout, runs)) {
    const trainer = await MlpTrainer.create(context.gpu, {
      widths,
      runs: group.length,
      batch: 1,
      maxSteps: 1,
      chunkSteps: 1,
      // Never stepped: evaluation only.
      optimizer: { kind: "sgd", learningRate: 0, momentum: 0, weightDecay: 0 },
      dataset: context.dataset,
      evalSets: evalSets(context),
      evalBatch: EVAL_BATCH,
      maxEvaluations: 1,
      maskInProducts: false,
    });
    try {
      const params = new Float32Array(group.length * layout.perRun);
      group.forEach((run, r) => params.set(run.params, r * layout.perRun));
      trainer.reset(params, new Float32Array(params.length).fill(1));
      trainer.evaluate();
      const [[validation, test]] = await trainer.readHistory();
      for (let r = 0; r < group.length; r++) {
        const point = {
          iteration: 0,
          validation_loss: validation[r].loss,
          validation_accuracy: validation[r].accuracy,
          test_loss: test[r].loss,
          test_accuracy: test[r].accuracy,
        };
        if (!Number.isFinite(point.validation_loss)) {
          throw new Error(`${label}: run ${r} has validation loss ${point.validation_loss}`);
        }
        points.push(point);
      }
      context.progress(`${label}: evaluated ${points.length}/${runs.length} untrained networks`);
    } finally {
      trainer.destroy();
    }
  }
  return points;
}
