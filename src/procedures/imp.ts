/**
 * Iterative magnitude pruning with rewinding to initialisation (Frankle & Carbin 2019), with
 * its controls. Level 0 trains the dense network; each later level (an IMP pruning round; the
 * config counts them in procedure.rounds) removes a fixed fraction of every layer's remaining
 * weights by final magnitude and resets the kept weights to their initial values. At the control
 * levels (controls.rounds) the same training also runs:
 * - random-reinit: the ticket's mask with a fresh initialisation (one per replicate);
 * - random-mask: a uniformly random mask with the ticket's per-layer counts, from the ticket's
 *   initialisation, so only the choice of weights differs.
 * All runs of a level (every trial, every arm) train side by side as one batched GPU job.
 * A level is finished when every run's DONE marker exists; a restarted run resumes after the
 * last finished level and recomputes nothing that level wrote.
 */
import { readFileSync } from "node:fs";
import { STREAMS } from "../base/streams.ts";
import { armDirectory, armFiles, CHECKPOINT_FILES, trainedDirectory } from "../io/paths.ts";
import type { ResolvedConfig, ResultRow } from "../config/types.ts";
import { MaskedWeights, type Model, type ParamLayout, weightBlock } from "../model/mod.ts";
import { Trainer } from "../train/trainer.ts";
import { trainerOptions } from "../train/trainer_options.ts";
import { configuredModel } from "./configured_model.ts";
import {
  applyMasks,
  countKept,
  flatMask,
  keptAfterRounds,
  pruneSmallest,
  randomMask,
} from "../prune/mod.ts";
import { BatchOrder } from "../train/batch_order.ts";
import { initParams } from "../model/init.ts";
import { trainRuns } from "../train/train_runs.ts";
import { formatDuration, StageClock } from "../train/eta.ts";
import { resultRow } from "./result_row.ts";
import { impConfig, impControls, type ImpProcedure, trainedRounds } from "./imp_spec.ts";
import {
  checkpointTensors,
  isDone,
  paramsFromCheckpoint,
  readRow,
  writeRunFiles,
} from "./run_files.ts";
import { trainedKey } from "./trained_cache.ts";
import type { ProcedureContext } from "./types.ts";

interface RunPlan {
  trial: number;
  arm: "ticket" | "random-reinit" | "random-mask";
  replicate: number;
  /** Per-layer masks. */
  masks: Float32Array[];
  /** Initial parameters with pruned weights already 0. */
  init: Float32Array;
  directory: string;
}

export async function runImp(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const procedure = impConfig(config);
  const model = configuredModel(config.model, context.dataset.features);
  const layout = model.layout;
  const trials = Array.from({ length: config.trials }, (_, t) => t + 1);
  const inits = trials.map((trial) =>
    initParams(layout, config.model.init, STREAMS.init.rng(config.seed, trial))
  );
  let masks: Float32Array[][] = trials.map(() =>
    layout.layers.map((layer) => new Float32Array(layer.inputs * layer.outputs).fill(1))
  );
  const rows: ResultRow[] = [];
  const started = performance.now();
  const levels = [0, ...trainedRounds(procedure)];
  const clock = new StageClock(levelStages(config, procedure, levels));

  for (const [index, level] of levels.entries()) {
    const plans = planLevel(config, layout, level, trials, inits, masks, directory);
    const finished = plans.every((plan) => isDone(plan.directory));
    let tickets: Float32Array[];
    if (finished) {
      context.progress(`level ${level}: finished earlier, loaded from ${directory}`);
      clock.skip(index);
      for (const plan of plans) rows.push(readRow(plan.directory));
      tickets = plans.filter((plan) => plan.arm === "ticket").map((plan) =>
        paramsFromCheckpoint(layout, readFileSync(armFiles(plan.directory).final))
      );
    } else {
      const outcomes = await trainLevel(
        context,
        model,
        procedure,
        plans,
        index,
        level,
        started,
        clock,
      );
      plans.forEach((plan, i) => {
        const row = resultRow(
          {
            trial: plan.trial,
            width: layout.layers[0].outputs,
            level,
            arm: plan.arm,
            replicate: plan.replicate,
          },
          plan.masks,
          outcomes[i].curve,
        );
        const files = {
          checkpoints: {
            [CHECKPOINT_FILES.init]: checkpointTensors(layout, plan.init, plan.masks),
            [CHECKPOINT_FILES.final]: checkpointTensors(
              layout,
              outcomes[i].finalParams,
              plan.masks,
            ),
          },
          curve: outcomes[i].curve,
          row,
          metadata: {
            trial: String(plan.trial),
            arm: plan.arm,
            replicate: String(plan.replicate),
          },
        };
        writeRunFiles(plan.directory, files);
        if (level === 0) {
          // The dense network, for other experiments that train the same one (supermask).
          const key = trainedKey(config, procedure, plan.trial, context.checksums);
          writeRunFiles(trainedDirectory(context.cacheDirectory, key), files);
        }
        rows.push(row);
      });
      tickets = plans.flatMap((plan, i) => plan.arm === "ticket" ? [outcomes[i].finalParams] : []);
    }
    const next = levels[index + 1];
    if (next === undefined) break;
    masks = masks.map((layerMasks, t) =>
      layerMasks.map((mask, l) => {
        const keep = keptAfterRounds(countKept(mask), procedure.prune_fractions[l], next - level);
        return pruneSmallest(weightBlock(layout, tickets[t], l), mask, keep);
      })
    );
  }
  return rows;
}

function planLevel(
  config: ResolvedConfig,
  layout: ParamLayout,
  level: number,
  trials: number[],
  inits: Float32Array[],
  masks: Float32Array[][],
  directory: string,
): RunPlan[] {
  const plans: RunPlan[] = [];
  const controls = impControls(config);
  const withControls = level > 0 && controls.rounds.includes(level);
  trials.forEach((trial, t) => {
    const plan = (
      arm: RunPlan["arm"],
      replicate: number,
      runMasks: Float32Array[],
      init: Float32Array,
    ) =>
      plans.push({
        trial,
        arm,
        replicate,
        masks: runMasks,
        init: applyMasks(layout, init, runMasks),
        directory: armDirectory(directory, { trial, level, arm, replicate }),
      });
    plan("ticket", 0, masks[t], inits[t]);
    if (!withControls) return;
    for (let replicate = 1; replicate <= controls.random_reinit; replicate++) {
      const rng = STREAMS.reinit.rng(config.seed, trial, level, replicate);
      plan("random-reinit", replicate, masks[t], initParams(layout, config.model.init, rng));
    }
    if (controls.random_mask) {
      const rng = STREAMS.impRandomMask.rng(config.seed, trial, level);
      plan(
        "random-mask",
        0,
        masks[t].map((mask) => randomMask(mask.length, countKept(mask), rng)),
        inits[t],
      );
    }
  });
  return plans;
}

async function trainLevel(
  context: ProcedureContext,
  model: Model,
  procedure: ImpProcedure,
  plans: RunPlan[],
  /** The level's position among the trained levels (the clock's stage). */
  index: number,
  level: number,
  started: number,
  clock: StageClock,
) {
  const { config, gpu, dataset } = context;
  const runs = plans.length;
  const layout = model.layout;
  const trainer = await Trainer.create(gpu, {
    model,
    // Pruned weights are exactly 0 after rewinding and stay 0 under the optimizer.
    parameterization: new MaskedWeights(false),
    runs,
    ...trainerOptions(dataset, procedure),
  });
  try {
    const params = new Float32Array(runs * layout.perRun);
    const masks = new Float32Array(runs * layout.perRun);
    plans.forEach((plan, r) => {
      params.set(plan.init, r * layout.perRun);
      masks.set(flatMask(layout, plan.masks), r * layout.perRun);
    });
    trainer.reset(params, masks);
    const orders = plans.map((plan) => new BatchOrder(dataset.train, config.seed, plan.trial));
    const remaining = plans[0].masks.reduce((n, m) => n + countKept(m), 0) / totalWeights(layout);
    clock.start(index);
    return await trainRuns(trainer, orders, {
      iterations: procedure.iterations,
      evalEvery: procedure.eval_every,
      batch: procedure.batch_size,
    }, (progress) => {
      const ticket = progress.latest[0];
      clock.update(index, progress.iteration);
      context.progress(
        `level ${level}/${procedure.rounds} (${
          (100 * remaining).toFixed(2)
        }% remaining, ${runs} runs) ` +
          `iter ${progress.iteration}/${progress.iterations} ` +
          `val loss ${ticket.validation_loss.toFixed(4)} acc ${
            (100 * ticket.validation_accuracy).toFixed(2)
          }% ` +
          `test acc ${(100 * ticket.test_accuracy).toFixed(2)}% ` +
          `elapsed ${formatDuration((performance.now() - started) / 1000)} ` +
          `time left ~${formatDuration(clock.remainingSeconds())}`,
      );
    });
  } finally {
    trainer.destroy();
  }
}

/** The runs of every trained level (trials, and at control levels their controls), for the ETA. */
function levelStages(config: ResolvedConfig, procedure: ImpProcedure, levels: number[]) {
  const controls = impControls(config);
  const perTrialControls = controls.random_reinit + (controls.random_mask ? 1 : 0);
  return levels.map((level) => ({
    runs: config.trials *
      (1 + (level > 0 && controls.rounds.includes(level) ? perTrialControls : 0)),
    iterations: procedure.iterations,
  }));
}

function totalWeights(layout: ParamLayout): number {
  return layout.layers.reduce((n, layer) => n + layer.inputs * layer.outputs, 0);
}
