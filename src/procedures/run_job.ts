/**
 * One job of a sweep procedure: a set of planned runs (each with its row key and results folder)
 * that is executed together, unless every run finished earlier (its DONE marker exists), in which
 * case the rows are read back. Each finished run gets its init (and, if trained, final)
 * checkpoint, its curve and its row, DONE last.
 */
import type { ResultRow } from "../config/types.ts";
import { initialState, type ParamLayout } from "../model/layout.ts";
import type { EvalPoint } from "../train/train_runs.ts";
import { layerMasks } from "../prune/mod.ts";
import { resultRow, type RowKey } from "./result_row.ts";
import { checkpointTensors, isDone, readRow, writeRunFiles } from "./run_files.ts";
import { CHECKPOINT_FILES } from "../io/paths.ts";
import type { GroupRun } from "./train_group.ts";

export interface PlannedRun extends GroupRun {
  key: RowKey;
  directory: string;
}

export interface JobOutcome {
  curve: EvalPoint[];
  params: Float32Array;
  /** The running statistics after training (needed when `trained`; empty without batch norms). */
  state?: Float32Array;
  mask: Float32Array;
  scores?: Float32Array;
  trained: boolean;
  /** A flat mask the row's kappa compares this run's with (absent: no kappa). */
  reference?: Float32Array;
  /** The row's agreement with a reference network's test predictions (ResultRow.agreement). */
  agreement?: number;
}

/** Runs a job unless every run of it finished earlier; writes each run's files and row. */
export async function runJob(
  layout: ParamLayout,
  runs: PlannedRun[],
  execute: (runs: PlannedRun[]) => Promise<JobOutcome[]>,
  rows: ResultRow[],
  /** checkpoints: false writes no per-run checkpoint (the caller stores what defines the run). */
  options: { checkpoints?: boolean } = {},
): Promise<void> {
  if (runs.every((run) => isDone(run.directory))) {
    for (const run of runs) rows.push(readRow(run.directory));
    return;
  }
  const outcomes = await execute(runs);
  runs.forEach((run, i) => {
    const outcome = outcomes[i];
    const masks = layerMasks(layout, outcome.mask);
    const reference = outcome.reference ? layerMasks(layout, outcome.reference) : undefined;
    const row = {
      ...resultRow(run.key, masks, outcome.curve, reference),
      ...(outcome.agreement === undefined ? {} : { agreement: outcome.agreement }),
    };
    writeRunFiles(run.directory, {
      checkpoints: options.checkpoints === false ? {} : {
        [CHECKPOINT_FILES.init]: checkpointTensors(
          layout,
          { params: run.params, state: run.state ?? initialState(layout, 1) },
          layerMasks(layout, run.mask),
          run.scores,
        ),
        ...(outcome.trained
          ? {
            [CHECKPOINT_FILES.final]: checkpointTensors(
              layout,
              { params: outcome.params, state: trainedState(layout, outcome) },
              masks,
              outcome.scores,
            ),
          }
          : {}),
      },
      curve: outcome.curve,
      row,
      metadata: {
        trial: String(run.key.trial),
        width: String(run.key.width),
        level: String(run.key.level),
        arm: run.key.arm,
      },
    });
    rows.push(row);
  });
}

function trainedState(layout: ParamLayout, outcome: JobOutcome): Float32Array {
  if (!outcome.state) {
    throw new Error(
      `a trained run's outcome has no running statistics (${layout.norms.length} batch norms; internal error)`,
    );
  }
  return outcome.state;
}
