/**
 * The tangent-space test (issue: Wentworth's version of the lottery ticket conjecture, Kosoy's
 * experiment). Wentworth: the tickets are points of the tangent space at initialisation,
 * f(theta0) + J(theta0)(theta - theta0), and training finds a good point there. For each hidden
 * width (every hidden dense layer of model.layers set to it) and trial, one theta0 (model.init,
 * stream tangentInit) is shared by four arms (level 0, all weights kept):
 * - real: the network itself, cross-entropy, the procedure's budget;
 * - linearized: its linearization at theta0 (src/model/linearized.ts) trained with the same
 *   optimizer, loss, batches and budget (one JVP and one VJP per step);
 * - real-square: the network itself trained with square loss on one-hot targets (procedure.square_loss),
 *   the like-for-like comparison for
 * - tangent-ridge: the tangent-space minimum (J^T J + lambda I) d = J^T (Y - f(theta0)) over the
 *   first procedure.ridge.examples training examples, by conjugate gradients
 *   (src/tangent/ridge_cg.ts), for each lambda of procedure.ridge.lambdas; the lambda with the best
 *   validation accuracy (the first listed on a tie) is reported, its test accuracy and square loss
 *   as the run's one evaluation; ridge.json keeps every lambda's CG residuals and validation
 *   scores, so convergence is visible.
 * Checkpoints: init theta0; final the trained theta (the linearized arm's theta is a point of the
 * tangent space: its network is f(theta0) + J(theta0)(theta - theta0), not f(theta)); the ridge's
 * final is theta0 + d.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { STREAMS } from "../base/streams.ts";
import type { ResultRow } from "../config/types.ts";
import { BufferPool } from "../gpu/mod.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { armDirectory, armFiles } from "../io/paths.ts";
import { initParams, LinearizedWeights, linearizeModel, type Model } from "../model/mod.ts";
import { gatherBatchReference } from "../nn/gather_batch.ts";
import { tangentOutputs, tangentRidgeCg } from "../tangent/mod.ts";
import type { EvalPoint } from "../train/train_runs.ts";
import { configuredModel } from "./configured_model.ts";
import { networkFromCheckpoint } from "./run_files.ts";
import { type JobOutcome, type PlannedRun, runJob } from "./run_job.ts";
import {
  TANGENT_ARMS,
  type TangentRidgeConfig,
  tangentSpaceConfig,
  tangentSpaceWidths,
} from "./tangent_space_spec.ts";
import { denseTraining, type GroupOutcome, type GroupRun, trainGroup } from "./train_group.ts";
import type { ProcedureContext } from "./types.ts";

/** Normalised inputs [rows, features] (as the trainer's gather makes them) and labels. */
interface Examples {
  inputs: Float32Array;
  labels: Uint32Array;
}

function examplesOf(context: ProcedureContext, indices: Uint32Array): Examples {
  const { dataset, config } = context;
  const gathered = gatherBatchReference(
    {
      features: dataset.features,
      batch: indices.length,
      runs: 1,
      steps: 1,
      step: 0,
      mean: config.data.normalize?.mean ?? 0,
      std: config.data.normalize?.std ?? 1,
      shape: dataset.shape,
    },
    dataset.host.pixels,
    dataset.host.labels,
    indices,
  );
  return { inputs: Float32Array.from(gathered.inputs), labels: gathered.labels };
}

/** The argmax of each row (the lowest index on ties, as the kernels). */
function predictions(logits: ArrayLike<number>, classes: number): Uint32Array {
  const out = new Uint32Array(logits.length / classes);
  for (let row = 0; row < out.length; row++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[row * classes + c] > logits[row * classes + best]) best = c;
    }
    out[row] = best;
  }
  return out;
}

/** The fraction of rows whose argmax is the same in both sets of logits. */
export function predictionAgreement(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  classes: number,
): number {
  const pa = predictions(a, classes), pb = predictions(b, classes);
  return pa.reduce((n, p, i) => n + (p === pb[i] ? 1 : 0), 0) / pa.length;
}

/** Accuracy (argmax, the lowest index on ties, as the kernels) and mean 1/2 ||f - onehot||^2. */
export function squareLossScores(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): { accuracy: number; loss: number } {
  const predicted = predictions(logits, classes);
  let correct = 0, loss = 0;
  for (let row = 0; row < labels.length; row++) {
    for (let c = 0; c < classes; c++) {
      const error = logits[row * classes + c] - (c === labels[row] ? 1 : 0);
      loss += 0.5 * error * error;
    }
    if (predicted[row] === labels[row]) correct++;
  }
  return { accuracy: correct / labels.length, loss: loss / labels.length };
}

/** The logits f(theta0) + J(theta0) v of `examples`. */
async function tangentLogits(
  context: ProcedureContext,
  model: Model,
  theta0: Float32Array,
  v: Float32Array,
  examples: Examples,
  batchRows: number,
): Promise<Float64Array> {
  const { primal, tangent } = await tangentOutputs(context.gpu, {
    model,
    theta0,
    v,
    inputs: examples.inputs,
    batchRows,
  });
  return primal.map((z, i) => z + tangent[i]);
}

interface RidgeSets {
  train: Examples;
  validation: Examples;
  test: Examples;
}

/** The ridge minimum for every lambda; the best on validation is the run's outcome. */
async function tangentRidge(
  context: ProcedureContext,
  model: Model,
  run: PlannedRun,
  ridge: TangentRidgeConfig,
  sets: RidgeSets,
  label: string,
): Promise<JobOutcome> {
  const theta0 = run.params;
  const classes = model.outputs;
  const tried: Record<string, unknown>[] = [];
  let best: { lambda: number; d: Float32Array; accuracy: number; loss: number } | null = null;
  const pool = new BufferPool(context.gpu.device);
  let solutions;
  try {
    solutions = await tangentRidgeCg(context.gpu, pool, {
      model,
      theta0,
      inputs: sets.train.inputs,
      labels: sets.train.labels,
      lambdas: ridge.lambdas,
      iterations: ridge.iterations,
      batchRows: ridge.batch_rows,
    });
  } finally {
    pool.destroy();
  }
  for (const solution of solutions) {
    const d = Float32Array.from(solution.d);
    const logits = await tangentLogits(
      context,
      model,
      theta0,
      d,
      sets.validation,
      ridge.batch_rows,
    );
    const scores = squareLossScores(logits, sets.validation.labels, classes);
    const residual = solution.relativeResiduals[solution.relativeResiduals.length - 1];
    context.progress(
      `${label} trial ${run.trial} lambda ${solution.lambda}: CG residual ${
        residual.toExponential(2)
      } after ${solution.relativeResiduals.length - 1} iterations, validation acc ${
        (100 * scores.accuracy).toFixed(2)
      }%`,
    );
    tried.push({
      lambda: solution.lambda,
      relative_residuals: solution.relativeResiduals,
      validation_accuracy: scores.accuracy,
      validation_square_loss: scores.loss,
    });
    if (!best || scores.accuracy > best.accuracy) {
      best = { lambda: solution.lambda, d, ...scores };
    }
  }
  const chosen = best!;
  const test = squareLossScores(
    await tangentLogits(context, model, theta0, chosen.d, sets.test, ridge.batch_rows),
    sets.test.labels,
    classes,
  );
  mkdirSync(run.directory, { recursive: true });
  writeJsonAtomic(armFiles(run.directory).ridge, {
    chosen_lambda: chosen.lambda,
    examples: ridge.examples,
    iterations: ridge.iterations,
    lambdas: tried,
  });
  const point: EvalPoint = {
    iteration: ridge.iterations,
    validation_loss: chosen.loss,
    validation_accuracy: chosen.accuracy,
    test_loss: test.loss,
    test_accuracy: test.accuracy,
  };
  return {
    curve: [point],
    params: theta0.map((value, i) => value + chosen.d[i]),
    state: new Float32Array(0),
    mask: run.mask,
    trained: true,
  };
}

const trainedOutcome = (o: GroupOutcome): JobOutcome => ({ ...o, trained: true });

export async function runTangentSpace(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory, dataset } = context;
  const p = tangentSpaceConfig(config);
  const trials = [...context.trials];
  const rows: ResultRow[] = [];
  const sets: RidgeSets = {
    train: examplesOf(context, dataset.train.subarray(0, p.ridge.examples)),
    validation: examplesOf(context, dataset.validation),
    test: examplesOf(context, dataset.test),
  };
  if (sets.train.labels.length < p.ridge.examples) {
    throw new Error(
      `procedure.ridge.examples is ${p.ridge.examples} but the training split has ${sets.train.labels.length} examples; lower it`,
    );
  }

  for (const width of tangentSpaceWidths(p)) {
    const model = configuredModel(config, dataset, width);
    const layout = model.layout;
    const theta0 = (trial: number) =>
      initParams(layout, config.model.init, STREAMS.tangentInit.rng(config.seed, trial, width));
    const plan = (trial: number, arm: string, run: Partial<GroupRun> = {}): PlannedRun => ({
      trial,
      params: theta0(trial),
      mask: new Float32Array(layout.perRun).fill(1),
      ...run,
      key: { trial, width, level: 0, arm, replicate: 0 },
      directory: armDirectory(directory, { trial, width, level: 0, arm }),
    });
    const label = (arm: string) => `h=${width} ${arm}`;

    await runJob(
      layout,
      trials.map((trial) => plan(trial, TANGENT_ARMS.real)),
      async (runs) =>
        (await trainGroup(context, model, p, denseTraining, runs, label(TANGENT_ARMS.real)))
          .map(trainedOutcome),
      rows,
    );
    await runJob(
      layout,
      trials.map((trial) => plan(trial, TANGENT_ARMS.linearized, { anchor: theta0(trial) })),
      async (runs) => {
        const outcomes = await trainGroup(
          context,
          linearizeModel(model),
          p,
          () => new LinearizedWeights(),
          runs,
          label(TANGENT_ARMS.linearized),
        );
        const agreements: JobOutcome[] = [];
        for (const [r, run] of runs.entries()) {
          // The real network of the same trial, from its checkpoint (so a resumed run reads the same).
          const realFinal = armFiles(
            armDirectory(directory, { trial: run.trial, width, level: 0, arm: TANGENT_ARMS.real }),
          ).final;
          const real = networkFromCheckpoint(layout, readFileSync(realFinal)).params;
          const realLogits = (await tangentOutputs(context.gpu, {
            model,
            theta0: real,
            v: new Float32Array(layout.perRun),
            inputs: sets.test.inputs,
            batchRows: p.ridge.batch_rows,
          })).primal;
          const step = outcomes[r].params.map((value, i) => value - run.params[i]);
          const linearLogits = await tangentLogits(
            context,
            model,
            run.params,
            step,
            sets.test,
            p.ridge.batch_rows,
          );
          const agreement = predictionAgreement(linearLogits, realLogits, model.outputs);
          context.progress(
            `${
              label(TANGENT_ARMS.linearized)
            } trial ${run.trial}: agrees with the real network on ${
              (100 * agreement).toFixed(2)
            }% of test predictions`,
          );
          agreements.push({ ...trainedOutcome(outcomes[r]), agreement });
        }
        return agreements;
      },
      rows,
    );
    await runJob(
      layout,
      trials.map((trial) => plan(trial, TANGENT_ARMS.realSquare)),
      async (runs) =>
        (await trainGroup(
          context,
          model,
          { ...p.square_loss, loss: "square" },
          denseTraining,
          runs,
          label(TANGENT_ARMS.realSquare),
        )).map(trainedOutcome),
      rows,
    );
    await runJob(
      layout,
      trials.map((trial) => plan(trial, TANGENT_ARMS.ridge)),
      async (runs) => {
        const outcomes: JobOutcome[] = [];
        for (const run of runs) {
          outcomes.push(
            await tangentRidge(context, model, run, p.ridge, sets, label(TANGENT_ARMS.ridge)),
          );
        }
        return outcomes;
      },
      rows,
    );
  }
  return rows;
}
