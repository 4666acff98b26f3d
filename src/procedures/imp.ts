/**
 * Iterative magnitude pruning with rewinding to initialisation (Frankle & Carbin 2019), with
 * its controls. Level 0 trains the dense network; each later level (an IMP pruning round; the
 * config counts them in procedure.rounds) removes a fixed fraction of every layer's remaining
 * weights by final magnitude and resets the kept weights to their initial values. At the control
 * levels (controls.rounds) the control arms of imp_controls.ts train beside the ticket (fresh
 * inits, random masks, masks pruned at initialisation or searched over the frozen initial
 * weights, ablated kept values); with controls.second_ticket a second IMP lineage (ticket-b) runs
 * at every level from the same initialisation with another batch order. Every row records the
 * chance-corrected overlap (kappa) of its mask with the ticket's of its trial and level.
 * All runs of a level (every trial, every arm) train side by side as one batched GPU job.
 * A level is finished when every run's DONE marker exists; a restarted run resumes after the
 * last finished level and recomputes nothing that level wrote.
 */
import { readFileSync } from "node:fs";
import { STREAMS } from "../base/streams.ts";
import { armDirectory, armFiles, CHECKPOINT_FILES, trainedDirectory } from "../io/paths.ts";
import type { ResolvedConfig, ResultRow } from "../config/types.ts";
import {
  initialNetwork,
  type Model,
  type Network,
  type ParamLayout,
  weightBlock,
} from "../model/mod.ts";
import { configuredModel } from "./configured_model.ts";
import {
  ablatedInit,
  applyMasks,
  countKept,
  keptAfterRounds,
  pruneSmallest,
  pruneSmallestGlobally,
  randomMask,
  shuffleMask,
} from "../prune/mod.ts";
import { initParams } from "../model/init.ts";
import type { RunOutcome } from "../train/train_runs.ts";
import { instability, interpolateNetwork, lineAlphas } from "../train/mode_connectivity.ts";
import { evaluateGroup } from "./train_group.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { StageClock } from "../train/eta.ts";
import { resultRow } from "./result_row.ts";
import { impConfig, type ImpProcedure, rewindIteration, trainedRounds } from "./imp_spec.ts";
import { impControls, searchBudgets, singleRunControlArms } from "./imp_controls.ts";
import { AtInitMasks } from "./at_init_masks.ts";
import { searchMasks } from "./mask_search.ts";
import {
  checkpointTensors,
  isDone,
  networkFromCheckpoint,
  readRow,
  writeRunFiles,
} from "./run_files.ts";
import { trainedKey } from "./trained_cache.ts";
import type { ProcedureContext } from "./types.ts";
import { type LevelJob, type RunPlace, type RunPlan, trainLevel } from "./level_training.ts";

/** The IMP lineages: each prunes by its own trained weights; ticket-b differs in batch order. */
type Lineage = "ticket" | "ticket-b";

export async function runImp(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const procedure = impConfig(config);
  const controls = impControls(config);
  const model = configuredModel(config, context.dataset);
  const layout = model.layout;
  const trials = Array.from({ length: config.trials }, (_, t) => t + 1);
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
  const lineages: Lineage[] = controls.second_ticket ? ["ticket", "ticket-b"] : ["ticket"];
  const fullMasks = () =>
    layout.layers.map((layer) => new Float32Array(layer.inputs * layer.outputs).fill(1));
  /** masks[lineage][trial index]: per-layer masks at the current level. */
  let masks = new Map<Lineage, Float32Array[][]>(
    lineages.map((lineage) => [lineage, trials.map(fullMasks)]),
  );
  const atInit = controls.at_init
    ? new AtInitMasks(layout, controls.at_init, context.dataset, config.seed, config.data.normalize)
    : null;
  const rewind = rewindIteration(procedure);
  /**
   * starts[lineage][trial index]: what a level >= 1 starts from, the initialisation or, when
   * rewinding to iteration k, the lineage's dense network after k iterations (its parameters and
   * its running statistics, as PyTorch's state_dict at k holds both).
   */
  const starts = new Map<Lineage, Network[]>(
    lineages.map((lineage) => [lineage, [...inits]]),
  );
  const rows: ResultRow[] = [];
  const started = performance.now();
  const levels = [0, ...trainedRounds(procedure)];
  const clock = new StageClock(levelStages(config, procedure, levels));

  for (const [index, level] of levels.entries()) {
    const places = placeLevel(config, level, trials, lineages, directory);
    /** The lineages' trained parameters, by lineage, per trial. */
    const trained = new Map<Lineage, Float32Array[]>();
    const lineageParams = (place: RunPlace, params: Float32Array) => {
      if (!lineages.includes(place.arm as Lineage) || place.replicate !== 0) return;
      const list = trained.get(place.arm as Lineage) ?? [];
      list[trials.indexOf(place.trial)] = params;
      trained.set(place.arm as Lineage, list);
    };
    // Runs that finished earlier are read back; the rest train (a level cut short resumes
    // with only its unfinished runs: a run's results do not depend on which runs share its job).
    const pending = places.filter((place) => !isDone(place.directory));
    for (const place of places.filter((place) => isDone(place.directory))) {
      rows.push(readRow(place.directory));
      if (lineages.includes(place.arm as Lineage)) {
        const files = armFiles(place.directory);
        lineageParams(place, networkFromCheckpoint(layout, readFileSync(files.final)).params);
        if (level === 0 && rewind > 0) {
          starts.get(place.arm as Lineage)![trials.indexOf(place.trial)] = networkFromCheckpoint(
            layout,
            readFileSync(files.rewind),
          );
        }
      }
    }
    if (pending.length === 0) {
      context.progress(`level ${level}: finished earlier, loaded from ${directory}`);
      clock.skip(index);
    } else {
      const plans = await planLevel(context, model, level, pending, trials, starts, masks, atInit);
      // Level 0 trains the whole budget (keeping the rewind point); later levels from k on.
      const budget = level === 0 ? procedure.iterations : procedure.iterations - rewind;
      const job: LevelJob = {
        index,
        level,
        iterations: budget,
        started,
        clock,
        label: `level ${level}/${procedure.rounds}`,
      };
      const outcomes = await trainLevel(context, model, procedure, plans, {
        ...job,
        snapshotAt: level === 0 && rewind > 0 ? rewind : undefined,
      });
      if (level === 0 && rewind > 0) {
        plans.forEach((plan, i) => {
          starts.get(plan.arm as Lineage)![trials.indexOf(plan.trial)] = {
            params: outcomes[i].snapshot!,
            state: outcomes[i].snapshotState!,
          };
        });
      }
      const lines = controls.stability?.rounds.includes(level)
        ? await stabilityLines(context, model, procedure, plans, outcomes, {
          job,
          rewind,
          points: controls.stability.points,
        })
        : null;
      plans.forEach((plan, i) => {
        const ticketMasks = masks.get("ticket")![trials.indexOf(plan.trial)];
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
          ticketMasks,
        );
        const line = lines?.[i];
        if (line) {
          row.instability = line.instability;
          writeJsonAtomic(armFiles(plan.directory).line, line.points);
        }
        const { snapshot, snapshotState, finalParams, finalState } = outcomes[i];
        const checkpoint = (network: Network) => checkpointTensors(layout, network, plan.masks);
        const files = {
          checkpoints: {
            [CHECKPOINT_FILES.init]: checkpoint({ params: plan.init, state: plan.state }),
            [CHECKPOINT_FILES.final]: checkpoint({ params: finalParams, state: finalState }),
            ...(snapshot
              ? {
                [CHECKPOINT_FILES.rewind]: checkpoint({ params: snapshot, state: snapshotState! }),
              }
              : {}),
            ...(line ? { [CHECKPOINT_FILES.copy]: checkpoint(line.copy) } : {}),
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
        if (level === 0 && plan.arm === "ticket") {
          // The dense network, for other experiments that train the same one (supermask).
          const key = trainedKey(config, procedure, plan.trial, context.checksums);
          writeRunFiles(trainedDirectory(context.cacheDirectory, key), files);
        }
        rows.push(row);
        lineageParams(plan, outcomes[i].finalParams);
      });
    }
    const next = levels[index + 1];
    if (next === undefined) break;
    masks = new Map<Lineage, Float32Array[][]>(lineages.map((lineage) => [
      lineage,
      masks.get(lineage)!.map((layerMasks, t) =>
        pruneLevels(layout, procedure, trained.get(lineage)![t], layerMasks, next - level)
      ),
    ]));
  }
  return rows;
}

/**
 * The masks `rounds` IMP rounds on from `layerMasks`, by the magnitudes of `trained`: each round
 * removes its fraction of what remains, of every layer (layerwise) or of the network (global).
 */
function pruneLevels(
  layout: ParamLayout,
  procedure: ImpProcedure,
  trained: Float32Array,
  layerMasks: Float32Array[],
  rounds: number,
): Float32Array[] {
  const weights = layout.layers.map((_, l) => weightBlock(layout, trained, l));
  if (procedure.pruning === "global") {
    const kept = layerMasks.reduce((n, mask) => n + countKept(mask), 0);
    const keep = keptAfterRounds(kept, procedure.prune_fractions[0], rounds);
    return pruneSmallestGlobally(weights, layerMasks, keep);
  }
  return layerMasks.map((mask, l) => {
    const keep = keptAfterRounds(countKept(mask), procedure.prune_fractions[l], rounds);
    return pruneSmallest(weights[l], mask, keep);
  });
}

/** The runs of a level: every lineage at every level, the control arms at control levels. */
function placeLevel(
  config: ResolvedConfig,
  level: number,
  trials: number[],
  lineages: Lineage[],
  directory: string,
): RunPlace[] {
  const controls = impControls(config);
  const withControls = level > 0 && controls.rounds.includes(level);
  return trials.flatMap((trial) => {
    const place = (arm: string, replicate = 0) => ({
      trial,
      arm,
      replicate,
      directory: armDirectory(directory, { trial, level, arm, replicate }),
    });
    const places = lineages.map((lineage) => place(lineage));
    if (!withControls) return places;
    for (let replicate = 1; replicate <= controls.random_reinit; replicate++) {
      places.push(place("random-reinit", replicate));
    }
    for (const arm of singleRunControlArms(controls)) places.push(place(arm));
    return places;
  });
}

/** Masks and initial parameters of every run of a level (the searches run here, on the GPU). */
async function planLevel(
  context: ProcedureContext,
  model: Model,
  level: number,
  places: RunPlace[],
  /** Every trial of the experiment (masks and starts are indexed by their position here). */
  trials: number[],
  starts: Map<Lineage, Network[]>,
  masks: Map<Lineage, Float32Array[][]>,
  atInit: AtInitMasks | null,
): Promise<RunPlan[]> {
  const { config } = context;
  const controls = impControls(config);
  const layout = model.layout;
  const ticketOf = (trial: number) => masks.get("ticket")![trials.indexOf(trial)];
  /** What the ticket's arms start from (the initialisation, or the rewind point). */
  const startOf = (trial: number) => starts.get("ticket")![trials.indexOf(trial)];
  const countsOf = (trial: number) => ticketOf(trial).map(countKept);

  const searched = new Map<string, Float32Array[]>();
  if (places.some((place) => searchBudgets(controls).some(([method]) => method === place.arm))) {
    for (const [method, budget] of searchBudgets(controls)) {
      const found = await searchMasks(
        context,
        model,
        method,
        budget,
        level,
        trials.map((trial) => ({
          trial,
          weights: startOf(trial).params,
          state: startOf(trial).state,
          counts: countsOf(trial),
        })),
      );
      trials.forEach((trial, t) => searched.set(`${method} ${trial}`, found[t]));
    }
  }

  return places.map((place): RunPlan => {
    const { trial, arm, replicate } = place;
    const start = startOf(trial);
    const init = start.params;
    // Every arm starts from the start's running statistics, but a fresh init from the initial ones.
    const plan = (
      runMasks: Float32Array[],
      params = init,
      frozen = false,
      state = start.state,
    ): RunPlan => ({
      ...place,
      masks: runMasks,
      init: frozen ? params.slice() : applyMasks(layout, params, runMasks),
      state,
      order: arm === "ticket-b" ? "ticket-b" : "trial",
      frozen,
    });
    if (arm === "ticket" || arm === "ticket-b") {
      const t = trials.indexOf(trial);
      const lineageStart = starts.get(arm)![t];
      return plan(masks.get(arm)![t], lineageStart.params, false, lineageStart.state);
    }
    const ticket = ticketOf(trial);
    if (arm === "random-reinit") {
      const rng = STREAMS.reinit.rng(config.seed, trial, level, replicate);
      const fresh = initialNetwork(
        layout,
        initParams(layout, config.model.init, rng, config.model.batchnorm_init),
      );
      return plan(ticket, fresh.params, false, fresh.state);
    }
    if (arm === "random-mask") {
      const rng = STREAMS.impRandomMask.rng(config.seed, trial, level);
      return plan(ticket.map((mask) => randomMask(mask.length, countKept(mask), rng)));
    }
    const searchedMasks = searched.get(`${arm} ${trial}`);
    if (searchedMasks) return plan(searchedMasks);
    const ablation = controls.weight_ablations?.find((name) => name === arm);
    if (ablation) {
      const rng = STREAMS.weightAblation.rng(config.seed, ablation, trial, level);
      const params = ablatedInit(ablation, layout, init, ticket, config.model.init, rng);
      return plan(ticket, params, ablation === "frozen-pruned");
    }
    const method = controls.at_init?.methods.find((name) =>
      arm === name || arm === `${name}-shuffled`
    );
    if (!method || !atInit) throw new Error(`IMP has no control arm "${arm}" (internal error)`);
    const methodMasks = atInit.masks(method, trial, init, countsOf(trial));
    if (arm === method) return plan(methodMasks);
    const rng = STREAMS.atInitShuffle.rng(config.seed, method, trial, level);
    return plan(methodMasks.map((mask) => shuffleMask(mask, rng)));
  });
}

interface Line {
  instability: number;
  /** The second copy's final network. */
  copy: Network;
  /** What line.json holds: the points and the test error there. */
  points: { alpha: number[]; test_error: number[] };
}

/**
 * Linear mode connectivity of every run of a level (train/mode_connectivity.ts): each run's
 * second copy starts where the run started (at level 0 with rewinding, from the run's own
 * parameters at iteration k) and trains from there to the end of the budget with the copies'
 * batch order; then the networks on the line between the run's and the copy's final parameters
 * are evaluated side by side.
 */
async function stabilityLines(
  context: ProcedureContext,
  model: Model,
  procedure: ImpProcedure,
  plans: RunPlan[],
  outcomes: RunOutcome[],
  at: { job: LevelJob; rewind: number; points: number },
): Promise<Line[]> {
  const { job, rewind } = at;
  const fromSnapshot = job.level === 0 && rewind > 0;
  const copies = plans.map((plan, i): RunPlan => ({
    ...plan,
    init: fromSnapshot ? outcomes[i].snapshot! : plan.init,
    state: fromSnapshot ? outcomes[i].snapshotState! : plan.state,
    order: "copy",
  }));
  const copyOutcomes = await trainLevel(context, model, procedure, copies, {
    ...job,
    iterations: procedure.iterations - rewind,
    snapshotAt: undefined,
    label: `level ${job.level} second copies`,
  });
  const alphas = lineAlphas(at.points);
  const final = (outcome: RunOutcome): Network => ({
    params: outcome.finalParams,
    state: outcome.finalState,
  });
  // Parameters and running statistics interpolated alike (mode_connectivity.ts says why).
  const networks = plans.flatMap((_, i) =>
    alphas.map((a) => interpolateNetwork(final(outcomes[i]), final(copyOutcomes[i]), a))
  );
  const evaluated = await evaluateGroup(
    context,
    model,
    networks,
    `level ${job.level} lines`,
    true,
  );
  return plans.map((_, i) => {
    const line = evaluated.slice(i * alphas.length, (i + 1) * alphas.length);
    const test = line.map((point) => 1 - point.test_accuracy);
    return {
      instability: instability(test),
      copy: final(copyOutcomes[i]),
      points: { alpha: alphas, test_error: test },
    };
  });
}

/** The runs of every trained level (trials, and at control levels their controls), for the ETA. */
function levelStages(config: ResolvedConfig, procedure: ImpProcedure, levels: number[]) {
  const controls = impControls(config);
  const lineages = controls.second_ticket ? 2 : 1;
  const perTrialControls = controls.random_reinit + singleRunControlArms(controls).length;
  return levels.map((level) => {
    const runs = config.trials *
      (lineages + (level > 0 && controls.rounds.includes(level) ? perTrialControls : 0));
    // A level with second copies trains every run twice.
    const copies = controls.stability?.rounds.includes(level) ? 2 : 1;
    return { runs: runs * copies, iterations: procedure.iterations };
  });
}
