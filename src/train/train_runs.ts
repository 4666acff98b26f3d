/**
 * Trains the S runs loaded into an Trainer for a fixed budget, evaluating every `evalEvery`
 * iterations, and returns each run's evaluation curve, final parameters and final state (the
 * batch norms' running statistics, which an evaluation of the network needs as much as its
 * parameters: PyTorch's state_dict holds both). The budget always runs in full; early stopping is
 * found afterwards from the curve (Frankle & Carbin).
 */
import type { Trainer } from "./trainer.ts";
import type { BatchOrder } from "./batch_order.ts";

export interface EvalPoint {
  iteration: number;
  validation_loss: number;
  validation_accuracy: number;
  test_loss: number;
  test_accuracy: number;
}

export interface RunOutcome {
  curve: EvalPoint[];
  finalParams: Float32Array;
  /** The running statistics at the end ([statePerRun]; empty without batch norms). */
  finalState: Float32Array;
  /** The parameters after `snapshotAt` iterations, when the budget asks for them. */
  snapshot?: Float32Array;
  /** The running statistics after `snapshotAt` iterations, beside `snapshot`. */
  snapshotState?: Float32Array;
}

export interface Progress {
  iteration: number;
  iterations: number;
  /** The latest evaluation of every run. */
  latest: EvalPoint[];
}

export async function trainRuns(
  trainer: Trainer,
  orders: BatchOrder[],
  budget: {
    iterations: number;
    evalEvery: number;
    batch: number;
    /**
     * Also keep the parameters after this many iterations (0 < snapshotAt < iterations): a
     * chunk ends there, which changes no arithmetic (steps are the same dispatches whichever
     * submit holds them, and the step counter lives on the GPU).
     */
    snapshotAt?: number;
  },
  onEvaluation: (progress: Progress) => void,
): Promise<RunOutcome[]> {
  const { iterations, evalEvery, batch, snapshotAt } = budget;
  if (snapshotAt !== undefined && !(snapshotAt > 0 && snapshotAt < iterations)) {
    throw new RangeError(
      `a snapshot at iteration ${snapshotAt} is outside 1..${
        iterations - 1
      }; rewind to 0 is the initialisation`,
    );
  }
  let snapshot: Float32Array | null = null;
  let snapshotState: Float32Array | null = null;
  const runs = trainer.runs;
  const chunkSteps = trainer.options.chunkSteps;
  if (orders.length !== runs) {
    throw new RangeError(`${runs} runs need ${runs} batch orders, got ${orders.length}`);
  }
  const indices = new Uint32Array(runs * chunkSteps * batch);
  const curves: EvalPoint[][] = Array.from({ length: runs }, () => []);
  let done = 0;
  while (done < iterations) {
    const untilEval = evalEvery - (done % evalEvery);
    const untilSnapshot = snapshotAt !== undefined && snapshotAt > done
      ? snapshotAt - done
      : Infinity;
    const steps = Math.min(chunkSteps, untilEval, iterations - done, untilSnapshot);
    for (let r = 0; r < runs; r++) orders[r].fill(indices, r * chunkSteps * batch, steps * batch);
    const evaluate = (done + steps) % evalEvery === 0 || done + steps === iterations;
    trainer.train(indices, steps, evaluate);
    done += steps;
    if (done === snapshotAt) {
      snapshot = await trainer.readParams();
      snapshotState = await readState(trainer);
    }
    if (evaluate) {
      const history = await trainer.readHistory();
      const last = history[history.length - 1];
      for (let r = 0; r < runs; r++) {
        curves[r].push({
          iteration: done,
          validation_loss: last[0][r].loss,
          validation_accuracy: last[0][r].accuracy,
          test_loss: last[1][r].loss,
          test_accuracy: last[1][r].accuracy,
        });
        const point = curves[r][curves[r].length - 1];
        if (!Number.isFinite(point.validation_loss) || !Number.isFinite(point.test_loss)) {
          throw new Error(
            `run ${r} diverged at iteration ${done}: validation loss ${point.validation_loss}; lower the learning rate`,
          );
        }
      }
      onEvaluation({ iteration: done, iterations, latest: curves.map((c) => c[c.length - 1]) });
    }
  }
  const params = await trainer.readParams();
  const state = await readState(trainer);
  const { perRun, statePerRun } = trainer.layout;
  const ofRun = (flat: Float32Array, r: number, n: number) => flat.slice(r * n, (r + 1) * n);
  return curves.map((curve, r) => ({
    curve,
    finalParams: ofRun(params, r, perRun),
    finalState: ofRun(state, r, statePerRun),
    ...(snapshot
      ? {
        snapshot: ofRun(snapshot, r, perRun),
        snapshotState: ofRun(snapshotState!, r, statePerRun),
      }
      : {}),
  }));
}

/** Every run's running statistics: one GPU wait with batch norms, none without. */
function readState(trainer: Trainer): Promise<Float32Array> {
  return trainer.layout.statePerRun > 0
    ? trainer.readState()
    : Promise.resolve(new Float32Array(0));
}

/** Early stop = the evaluation with the minimum validation loss (the first one on ties). */
export function earlyStop(curve: EvalPoint[]): EvalPoint {
  let best = curve[0];
  for (const point of curve) if (point.validation_loss < best.validation_loss) best = point;
  return best;
}
