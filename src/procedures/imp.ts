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
import { STREAMS } from "../base/streams.ts";
import { configuredModel } from "./configured_model.ts";
import { armDirectory, trainedDirectory } from "../io/paths.ts";
import type { ResolvedConfig, ResultRow } from "../config/types.ts";
import { initialNetwork, type Model, type Network } from "../model/mod.ts";
import { ablatedInit, applyMasks, countKept, randomMask, shuffleMask } from "../prune/mod.ts";
import { initParams } from "../model/init.ts";
import type { RunOutcome } from "../train/train_runs.ts";
import { instability, interpolateNetwork, lineAlphas } from "../train/mode_connectivity.ts";
import { evaluateGroup } from "./train_group.ts";
import { StageClock } from "../train/eta.ts";
import { impConfig, type ImpProcedure, rewindIteration, trainedRounds } from "./imp_spec.ts";
import { impControls, searchBudgets, singleRunControlArms } from "./imp_controls.ts";
import { AtInitMasks } from "./at_init_masks.ts";
import { searchMasks } from "./mask_search.ts";
import { type LevelJob, type RunPlace, type RunPlan, trainLevel } from "./imp_level_job.ts";
import { ImpLineages } from "./imp_lineages.ts";
import { type Line, runImpLevel } from "./imp_level.ts";
import { writeRunFiles } from "./run_files.ts";
import { trainedKey } from "./trained_cache.ts";
import type { ProcedureContext } from "./types.ts";

/** The IMP lineages: each prunes by its own trained weights; ticket-b differs in batch order. */
type Lineage = "ticket" | "ticket-b" | "ticket-lin";

export async function runImp(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const procedure = impConfig(config);
  const controls = impControls(config);
  const model = configuredModel(config, context.dataset);
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
  const names: Lineage[] = [
    "ticket",
    ...(controls.second_ticket ? ["ticket-b" as const] : []),
    ...(controls.linearized_ticket ? ["ticket-lin" as const] : []),
  ];
  const lineages = new ImpLineages(layout, procedure, names, trials, inits);
  const atInit = controls.at_init
    ? new AtInitMasks(model, controls.at_init, context.dataset, config.seed, config.data.normalize)
    : null;
  const rows: ResultRow[] = [];
  const started = performance.now();
  const levels = [0, ...trainedRounds(procedure)];
  const clock = new StageClock(levelStages(config, procedure, levels, trials.length));

  for (const [index, level] of levels.entries()) {
    const stability = controls.stability?.rounds.includes(level) ? controls.stability : null;
    rows.push(
      ...await runImpLevel({
        context,
        model,
        procedure,
        level,
        places: placeLevel(config, level, trials, names, directory),
        lineages,
        reference: (trial) => lineages.masks("ticket", trial),
        job: { index, started, clock },
        plan: (pending) => planLevel(context, model, level, pending, trials, lineages, atInit),
        lines: stability
          ? (plans, outcomes, job) =>
            stabilityLines(context, model, procedure, plans, outcomes, {
              job,
              points: stability.points,
            })
          : undefined,
        written: (plan, files) => {
          if (level === 0 && plan.arm === "ticket") {
            // The dense network, for other experiments that train the same one (supermask).
            const key = trainedKey(config, procedure, plan.trial, context.checksums);
            writeRunFiles(trainedDirectory(context.cacheDirectory, key), files);
          }
        },
      }),
    );
    const next = levels[index + 1];
    if (next === undefined) break;
    lineages.advance(next - level);
  }
  return rows;
}

/** The runs of a level: every lineage at every level, the control arms at control levels. */
function placeLevel(
  config: ResolvedConfig,
  level: number,
  trials: number[],
  lineages: readonly Lineage[],
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
  lineages: ImpLineages,
  atInit: AtInitMasks | null,
): Promise<RunPlan[]> {
  const { config } = context;
  const controls = impControls(config);
  const layout = model.layout;
  const ticketOf = (trial: number) => lineages.masks("ticket", trial);
  /** What the ticket's arms start from (the initialisation, or the rewind point). */
  const startOf = (trial: number) => lineages.start("ticket", trial);
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
      linearized: false,
    });
    if (lineages.has(arm)) return lineages.plan(place);
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
  at: { job: LevelJob; points: number },
): Promise<Line[]> {
  const { job } = at;
  const rewind = rewindIteration(procedure);
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
function levelStages(
  config: ResolvedConfig,
  procedure: ImpProcedure,
  levels: number[],
  trials: number,
) {
  const controls = impControls(config);
  const lineages = 1 + (controls.second_ticket ? 1 : 0) + (controls.linearized_ticket ? 1 : 0);
  const perTrialControls = controls.random_reinit + singleRunControlArms(controls).length;
  return levels.map((level) => {
    const runs = trials *
      (lineages + (level > 0 && controls.rounds.includes(level) ? perTrialControls : 0));
    // A level with second copies trains every run twice.
    const copies = controls.stability?.rounds.includes(level) ? 2 : 1;
    return { runs: runs * copies, iterations: procedure.iterations };
  });
}
