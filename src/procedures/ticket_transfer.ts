/**
 * Ticket transfer across data sets (Morcos et al., "One ticket to win them all", NeurIPS 2019,
 * arXiv 1906.02773). For the target data set of this call and its source (procedure.transfers),
 * IMP runs on both with the same schedule, seed and initialisation per trial (the `init` stream
 * depends on the trial alone), and at every trained level >= 1 three arms train on the target:
 * - ticket: the target's own IMP lineage (level 0 is its dense network);
 * - transferred: the source lineage's masks at this level over the source's start (its
 *   initialisation, or with late resetting its dense network after k iterations on the source:
 *   parameters and running statistics), trained on the target from k with the target's batch
 *   order, as the target's ticket is;
 * - random-mask (controls.random_mask): Morcos et al.'s random ticket, uniformly random masks with
 *   the transferred ticket's per-layer counts over a fresh draw of model.init (streams
 *   transferRandomMask and transferRandomInit, per target, trial and level), trained alike.
 * Every row's kappa is its mask's chance-corrected overlap with the target ticket's of its trial
 * and level (the transferred row's: how much the two data sets' tickets share).
 *
 * The source's lineage runs lie where the source's own runs do (context.otherDatasets), with the
 * arm `ticket`: an experiment that runs both directions trains each data set's lineage once, in
 * whichever call comes first, and the other call reads it back (a run's bits do not depend on the
 * runs it is batched with). Its rows are the source's, returned by the source's own call when the
 * experiment runs on it, not by this one. Each level resumes like IMP's: the source's runs of a
 * level first, then the target's; a finished run is read back, never redone.
 */
import { STREAMS } from "../base/streams.ts";
import { datasetsOf } from "../config/datasets.ts";
import type { ResultRow } from "../config/types.ts";
import { armDirectory } from "../io/paths.ts";
import { initialNetwork, initParams, type Model } from "../model/mod.ts";
import { applyMasks, countKept, randomMask } from "../prune/mod.ts";
import { StageClock } from "../train/eta.ts";
import { configuredModel } from "./configured_model.ts";
import { runImpLevel } from "./imp_level.ts";
import type { RunPlace, RunPlan } from "./imp_level_job.ts";
import { ImpLineages } from "./imp_lineages.ts";
import { trainedRounds } from "./imp_spec.ts";
import {
  sourceOf,
  TRANSFER_ARMS,
  transferConfig,
  transferControls,
} from "./ticket_transfer_spec.ts";
import type { ProcedureContext } from "./types.ts";

export async function runTicketTransfer(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const procedure = transferConfig(config);
  const controls = transferControls(config);
  // The harness calls a procedure once per data set, with data.dataset narrowed to it.
  const target = datasetsOf(config.data)[0];
  const source = sourceOf(config, target);
  const other = context.otherDatasets.get(source);
  if (!other) {
    throw new Error(
      `ticket-transfer on ${target} was given no ${source} data (its source in procedure.transfers); the harness reads it from ProcedureSpec.otherDatasets (internal error)`,
    );
  }
  const model = configuredModel(config, context.dataset);
  sameModel(model, configuredModel(config, other.dataset), source, target);
  const layout = model.layout;
  const trials = [...context.trials];
  const inits = trials.map((trial) =>
    initialNetwork(
      layout,
      initParams(
        layout,
        config.model.init,
        STREAMS.init.rng(config.seed, trial),
        config.model.batchnorm_init,
      ),
    )
  );
  const targetLineage = new ImpLineages(layout, procedure, [TRANSFER_ARMS.ticket], trials, inits);
  const sourceLineage = new ImpLineages(layout, procedure, [TRANSFER_ARMS.ticket], trials, inits);
  const sourceContext: ProcedureContext = {
    ...context,
    dataset: other.dataset,
    directory: other.directory,
    checksums: other.checksums,
    progress: (line) => context.progress(`source ${source}: ${line}`),
  };
  const arms = (level: number) =>
    level === 0 ? [TRANSFER_ARMS.ticket] : [
      TRANSFER_ARMS.ticket,
      TRANSFER_ARMS.transferred,
      ...(controls.random_mask ? [TRANSFER_ARMS.randomMask] : []),
    ];
  const places = (root: string, level: number, names: string[]): RunPlace[] =>
    trials.flatMap((trial) =>
      names.map((arm) => ({
        trial,
        arm,
        replicate: 0,
        directory: armDirectory(root, { trial, level, arm }),
      }))
    );
  const levels = [0, ...trainedRounds(procedure)];
  // Two jobs per level: the source's lineage, then the target's arms.
  const clock = new StageClock(levels.flatMap((level) => [
    { runs: trials.length, iterations: procedure.iterations },
    { runs: trials.length * arms(level).length, iterations: procedure.iterations },
  ]));
  const started = performance.now();

  /** A target arm's run: the lineage's own, the source's ticket, or a random ticket. */
  const plan = (level: number) => (place: RunPlace): RunPlan => {
    const { trial, arm } = place;
    if (arm === TRANSFER_ARMS.ticket) return targetLineage.plan(place);
    const sourceMasks = sourceLineage.masks(TRANSFER_ARMS.ticket, trial);
    if (arm === TRANSFER_ARMS.transferred) {
      const start = sourceLineage.start(TRANSFER_ARMS.ticket, trial);
      return {
        ...place,
        masks: sourceMasks,
        init: applyMasks(layout, start.params, sourceMasks),
        state: start.state,
        order: "trial",
        frozen: false,
        linearized: false,
      };
    }
    if (arm !== TRANSFER_ARMS.randomMask) {
      throw new Error(`ticket-transfer has no arm "${arm}" (internal error)`);
    }
    // Random masks drawn layer by layer from one stream, each keeping the transferred count.
    const maskRng = STREAMS.transferRandomMask.rng(config.seed, target, trial, level);
    const masks = sourceMasks.map((mask) => randomMask(mask.length, countKept(mask), maskRng));
    const fresh = initialNetwork(
      layout,
      initParams(
        layout,
        config.model.init,
        STREAMS.transferRandomInit.rng(config.seed, target, trial, level),
        config.model.batchnorm_init,
      ),
    );
    return {
      ...place,
      masks,
      init: applyMasks(layout, fresh.params, masks),
      state: fresh.state,
      order: "trial",
      frozen: false,
      linearized: false,
    };
  };

  const rows: ResultRow[] = [];
  for (const [index, level] of levels.entries()) {
    // The source's IMP at this level, in its own folder; its rows are the source's.
    await runImpLevel({
      context: sourceContext,
      model,
      procedure,
      level,
      places: places(other.directory, level, [TRANSFER_ARMS.ticket]),
      lineages: sourceLineage,
      reference: (trial) => sourceLineage.masks(TRANSFER_ARMS.ticket, trial),
      job: { index: 2 * index, started, clock },
      plan: (pending) => Promise.resolve(pending.map((place) => sourceLineage.plan(place))),
    });
    rows.push(
      ...await runImpLevel({
        context,
        model,
        procedure,
        level,
        places: places(directory, level, arms(level)),
        lineages: targetLineage,
        reference: (trial) => targetLineage.masks(TRANSFER_ARMS.ticket, trial),
        job: { index: 2 * index + 1, started, clock },
        plan: (pending) => Promise.resolve(pending.map(plan(level))),
      }),
    );
    const next = levels[index + 1];
    if (next === undefined) break;
    targetLineage.advance(next - level);
    sourceLineage.advance(next - level);
  }
  return rows;
}

/**
 * The source's network must be the target's (same tensors, same shapes), which the schema's
 * rule on procedure.transfers guarantees; a mismatch here is a bug, not bad input.
 */
function sameModel(target: Model, source: Model, sourceName: string, targetName: string): void {
  const a = target.layout, b = source.layout;
  const same = a.perRun === b.perRun && a.statePerRun === b.statePerRun &&
    a.layers.length === b.layers.length &&
    a.layers.every((layer, l) =>
      layer.inputs === b.layers[l].inputs && layer.outputs === b.layers[l].outputs
    );
  if (!same) {
    throw new Error(
      `the model on ${sourceName} has ${b.perRun} parameters per run and on ${targetName} ${a.perRun}: a ticket cannot move between them (internal error: procedure.transfers' rule should have refused this config)`,
    );
  }
}
