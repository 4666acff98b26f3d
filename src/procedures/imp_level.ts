/**
 * One level of IMP-style runs, resumable: the runs that finished earlier (their DONE marker
 * exists) are read back, lineage runs into their lineages' state; the rest are planned, trained
 * side by side in one job (level 0 keeps the rewind point k) and written: checkpoints (init,
 * final, rewind at level 0, a stability copy's), the curve, the row (kappa against the level's
 * reference masks) and DONE last. A level cut short resumes with only its unfinished runs: a
 * run's results do not depend on which runs share its job.
 */
import type { ResultRow } from "../config/types.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { armFiles, CHECKPOINT_FILES } from "../io/paths.ts";
import type { Model, Network } from "../model/mod.ts";
import type { RunOutcome } from "../train/train_runs.ts";
import { type LevelJob, type RunPlace, type RunPlan, trainLevel } from "./imp_level_job.ts";
import type { ImpLineages } from "./imp_lineages.ts";
import { type ImpSchedule, rewindIteration } from "./imp_spec.ts";
import { resultRow } from "./result_row.ts";
import { checkpointTensors, isDone, readRow, type RunFiles, writeRunFiles } from "./run_files.ts";
import type { ProcedureContext } from "./types.ts";

/** A run's line to its second copy (IMP's controls.stability). */
export interface Line {
  instability: number;
  /** The second copy's final network. */
  copy: Network;
  /** What line.json holds: the points and the test error there. */
  points: { alpha: number[]; test_error: number[] };
}

export interface ImpLevel {
  context: ProcedureContext;
  model: Model;
  procedure: ImpSchedule;
  level: number;
  /** Every run of the level; finished ones' rows come first, in this order, then the trained. */
  places: RunPlace[];
  lineages: ImpLineages;
  /** The masks a run's kappa is taken against (IMP: its trial's ticket at this level). */
  reference: (trial: number) => Float32Array[];
  /** The job's clock stage, start time and label (its level, budget and snapshot come here). */
  job: Pick<LevelJob, "index" | "started" | "clock" | "label">;
  /** Masks and initial values of the runs that have not finished. */
  plan: (pending: RunPlace[]) => Promise<RunPlan[]>;
  /** After training, before any file is written: each run's line to a second copy, if any. */
  lines?: (plans: RunPlan[], outcomes: RunOutcome[], job: LevelJob) => Promise<Line[] | null>;
  /** Each trained run's files, once written (IMP: the trained cache of the dense network). */
  written?: (plan: RunPlan, files: RunFiles) => void;
}

/** Runs (or reads back) one level; returns its rows. */
export async function runImpLevel(spec: ImpLevel): Promise<ResultRow[]> {
  const { context, model, procedure, level, lineages } = spec;
  const layout = model.layout;
  const rows: ResultRow[] = [];
  const pending = spec.places.filter((place) => !isDone(place.directory));
  for (const place of spec.places.filter((place) => isDone(place.directory))) {
    rows.push(readRow(place.directory));
    lineages.readBack(place, level);
  }
  if (pending.length === 0) {
    context.progress(`level ${level}: finished earlier, loaded from ${context.directory}`);
    spec.job.clock.skip(spec.job.index);
    return rows;
  }
  const plans = await spec.plan(pending);
  const rewind = rewindIteration(procedure);
  // Level 0 trains the whole budget (keeping the rewind point); later levels from k on.
  const job: LevelJob = {
    ...spec.job,
    level,
    iterations: level === 0 ? procedure.iterations : procedure.iterations - rewind,
  };
  const snapshotAt = level === 0 && rewind > 0 ? rewind : undefined;
  const outcomes = await trainLevel(context, model, procedure, plans, { ...job, snapshotAt });
  if (snapshotAt !== undefined) plans.forEach((plan, i) => lineages.rewound(plan, outcomes[i]));
  const lines = await spec.lines?.(plans, outcomes, job) ?? null;
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
      spec.reference(plan.trial),
    );
    const line = lines?.[i];
    if (line) {
      row.instability = line.instability;
      writeJsonAtomic(armFiles(plan.directory).line, line.points);
    }
    const { snapshot, snapshotState, finalParams, finalState } = outcomes[i];
    const checkpoint = (network: Network) => checkpointTensors(layout, network, plan.masks);
    const files: RunFiles = {
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
    spec.written?.(plan, files);
    rows.push(row);
    lineages.trained(plan, finalParams);
  });
  return rows;
}
