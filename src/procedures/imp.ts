/**
 * Iterative magnitude pruning with rewinding to initialisation (Frankle & Carbin 2019), with
 * its controls. Round 0 trains the dense network; each later round removes a fixed fraction of
 * every layer's remaining weights by final magnitude and resets the kept weights to their
 * initial values. At the control rounds the same training also runs:
 * - random-reinit: the ticket's mask with a fresh initialisation (one per replicate);
 * - random-mask: a uniformly random mask with the ticket's per-layer counts, from the ticket's
 *   initialisation, so only the choice of weights differs.
 * All runs of a round (every trial, every arm) train side by side as one batched GPU job.
 * A round is finished when every run's DONE marker exists; a restarted run resumes after the
 * last finished round and recomputes nothing that round wrote.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../base/rng.ts";
import { armDirectory } from "../io/paths.ts";
import type { ResolvedConfig, ResultRow } from "../config/types.ts";
import { mlpLayout, type ParamLayout, weightBlock } from "../model/layout.ts";
import { MlpTrainer } from "../train/trainer.ts";
import {
  applyMasks,
  countKept,
  flatMask,
  keptAfterRound,
  pruneSmallest,
  randomMask,
} from "../prune/mod.ts";
import { BatchOrder } from "../train/batch_order.ts";
import { initParams } from "../model/init.ts";
import { optimizerSpec } from "../train/optimizer_spec.ts";
import { trainRuns } from "../train/train_runs.ts";
import { formatDuration, StageClock } from "../train/eta.ts";
import { resultRow } from "./result_row.ts";
import { impConfig, impControls, type ImpProcedure } from "./imp_spec.ts";
import {
  checkpointTensors,
  isDone,
  paramsFromCheckpoint,
  readRow,
  writeRunFiles,
} from "./run_files.ts";
import { trainedDirectory, trainedKey } from "./trained_cache.ts";
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

const EVAL_BATCH = 1000;
const MAX_CHUNK_STEPS = 500;

export async function runImp(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const procedure = impConfig(config);
  const layout = mlpLayout(config.model.layers);
  const trials = Array.from({ length: config.trials }, (_, t) => t + 1);
  const inits = trials.map((trial) =>
    initParams(layout, config.model.init, new Rng(config.seed, "init", trial))
  );
  let masks: Float32Array[][] = trials.map(() =>
    layout.layers.map((layer) => new Float32Array(layer.inputs * layer.outputs).fill(1))
  );
  const rows: ResultRow[] = [];
  const started = performance.now();
  const clock = new StageClock(roundStages(config, procedure));

  for (let round = 0; round <= procedure.rounds; round++) {
    const plans = planRound(config, layout, round, trials, inits, masks, directory);
    const finished = plans.every((plan) => isDone(plan.directory));
    let tickets: Float32Array[];
    if (finished) {
      context.progress(`round ${round}: finished earlier, loaded from ${directory}`);
      clock.skip(round);
      for (const plan of plans) rows.push(readRow(plan.directory));
      tickets = plans.filter((plan) => plan.arm === "ticket").map((plan) =>
        paramsFromCheckpoint(layout, readFileSync(join(plan.directory, "final.safetensors")))
      );
    } else {
      const outcomes = await trainRound(context, layout, procedure, plans, round, started, clock);
      plans.forEach((plan, i) => {
        const row = resultRow(
          {
            trial: plan.trial,
            width: layout.layers[0].outputs,
            round,
            arm: plan.arm,
            replicate: plan.replicate,
          },
          plan.masks,
          outcomes[i].curve,
        );
        const files = {
          checkpoints: {
            "init.safetensors": checkpointTensors(layout, plan.init, plan.masks),
            "final.safetensors": checkpointTensors(layout, outcomes[i].finalParams, plan.masks),
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
        if (round === 0) {
          // The dense network, for other experiments that train the same one (supermask).
          const key = trainedKey(config, procedure, plan.trial, context.checksums);
          writeRunFiles(trainedDirectory(context.cacheDirectory, key), files);
        }
        rows.push(row);
      });
      tickets = plans.flatMap((plan, i) => plan.arm === "ticket" ? [outcomes[i].finalParams] : []);
    }
    masks = masks.map((layerMasks, t) =>
      layerMasks.map((mask, l) =>
        pruneSmallest(
          weightBlock(layout, tickets[t], l),
          mask,
          keptAfterRound(countKept(mask), procedure.prune_fractions[l]),
        )
      )
    );
  }
  return rows;
}

function planRound(
  config: ResolvedConfig,
  layout: ParamLayout,
  round: number,
  trials: number[],
  inits: Float32Array[],
  masks: Float32Array[][],
  directory: string,
): RunPlan[] {
  const plans: RunPlan[] = [];
  const controls = impControls(config);
  const withControls = round > 0 && controls.rounds.includes(round);
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
        directory: armDirectory(directory, trial, round, arm, replicate),
      });
    plan("ticket", 0, masks[t], inits[t]);
    if (!withControls) return;
    for (let replicate = 1; replicate <= controls.random_reinit; replicate++) {
      const rng = new Rng(config.seed, "reinit", (trial * 1000 + round) * 1000 + replicate);
      plan("random-reinit", replicate, masks[t], initParams(layout, config.model.init, rng));
    }
    if (controls.random_mask) {
      const rng = new Rng(config.seed, "random-mask", trial * 1000 + round);
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

async function trainRound(
  context: ProcedureContext,
  layout: ParamLayout,
  procedure: ImpProcedure,
  plans: RunPlan[],
  round: number,
  started: number,
  clock: StageClock,
) {
  const { config, gpu, dataset } = context;
  const runs = plans.length;
  const trainer = await MlpTrainer.create(gpu, {
    widths: config.model.layers,
    runs,
    batch: procedure.batch_size,
    maxSteps: procedure.iterations,
    chunkSteps: Math.min(procedure.eval_every, MAX_CHUNK_STEPS),
    optimizer: optimizerSpec(procedure.optimizer),
    dataset,
    evalSets: [{ name: "validation", indices: dataset.validation }, {
      name: "test",
      indices: dataset.test,
    }],
    evalBatch: EVAL_BATCH,
    maxEvaluations: Math.ceil(procedure.iterations / procedure.eval_every),
    maskInProducts: false,
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
    clock.start(round);
    return await trainRuns(trainer, orders, {
      iterations: procedure.iterations,
      evalEvery: procedure.eval_every,
      batch: procedure.batch_size,
    }, (progress) => {
      const ticket = progress.latest[0];
      clock.update(round, progress.iteration);
      context.progress(
        `round ${round}/${procedure.rounds} (${
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

/** The runs of every round (trials, and at control rounds their controls), for the ETA. */
function roundStages(config: ResolvedConfig, procedure: ImpProcedure) {
  const controls = impControls(config);
  const perTrialControls = controls.random_reinit + (controls.random_mask ? 1 : 0);
  return Array.from({ length: procedure.rounds + 1 }, (_, round) => ({
    runs: config.trials *
      (1 + (round > 0 && controls.rounds.includes(round) ? perTrialControls : 0)),
    iterations: procedure.iterations,
  }));
}

function totalWeights(layout: ParamLayout): number {
  return layout.layers.reduce((n, layer) => n + layer.inputs * layer.outputs, 0);
}
