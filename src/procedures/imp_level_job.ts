/**
 * One IMP level's training job: the planned runs of a level (lineages and control arms, every
 * trial) train side by side in one Trainer, each from its own masks, initial parameters and
 * running statistics, with its batch order (its trial's, IMP's second lineage's, or a stability
 * copy's). A job from the rewind point k on continues the learning-rate schedule at k.
 */
import { STREAMS } from "../base/streams.ts";
import {
  flatStates,
  FrozenPrunedWeights,
  LinearizedWeights,
  linearizeModel,
  MaskedWeights,
  type Model,
} from "../model/mod.ts";
import type { ParamLayout } from "../model/mod.ts";
import { countKept, flatMask } from "../prune/mod.ts";
import { BatchOrder } from "../train/batch_order.ts";
import { formatDuration, type StageClock } from "../train/eta.ts";
import { type RunOutcome, trainRuns } from "../train/train_runs.ts";
import { Trainer } from "../train/trainer.ts";
import { floatsPerRun, trainerOptions, withAugmentationKeys } from "../train/trainer_options.ts";
import type { ImpSchedule } from "./imp_spec.ts";
import { runGroups } from "./run_groups.ts";
import type { ProcedureContext } from "./types.ts";

/** Where a run is and what it is called; enough to find out whether it finished. */
export interface RunPlace {
  trial: number;
  arm: string;
  replicate: number;
  directory: string;
}

/** Whose batch order a run sees: its trial's, the second lineage's, or a stability copy's. */
export type Order = "trial" | "ticket-b" | "copy";

export interface RunPlan extends RunPlace {
  /** Per-layer masks. */
  masks: Float32Array[];
  /** Initial parameters (pruned weights 0, except for an arm that freezes them). */
  init: Float32Array;
  /**
   * Initial running statistics of the batch norms: those of the network the run rewinds to (the
   * initial ones, or the dense run's at iteration k), the initial ones for a fresh init.
   */
  state: Float32Array;
  order: Order;
  /** Pruned weights keep their initial values (the frozen-pruned ablation). */
  frozen: boolean;
  /**
   * The run trains the network linearized at its init (masked: pruned entries 0), which is the
   * LinearizedWeights anchor (IMP's ticket-lin lineage).
   */
  linearized: boolean;
}

export interface LevelJob {
  /** The job's stage on the clock (IMP: the level's position among the trained levels). */
  index: number;
  level: number;
  iterations: number;
  snapshotAt?: number;
  started: number;
  clock: StageClock;
  /** Progress label of the job (default: the level's). */
  label?: string;
}

/**
 * Trains the plans of one job on `context.dataset` and returns their outcomes in plan order (the
 * results of a run do not depend on which runs share its dispatches).
 */
export async function trainLevel(
  context: ProcedureContext,
  model: Model,
  procedure: ImpSchedule,
  plans: RunPlan[],
  job: LevelJob,
): Promise<RunOutcome[]> {
  const { gpu, dataset } = context;
  const training = { ...procedure, iterations: job.iterations };
  // A job from the rewind point k on continues the learning-rate schedule at k.
  const options = trainerOptions(
    dataset,
    training,
    context.config.data,
    procedure.iterations - job.iterations,
  );
  // A level with many arms may not fit one trainer's storage bindings: train it in groups (the
  // results of a run do not depend on which runs share its dispatches).
  // Runs with frozen pruned weights, or linearized ones, need another parameterization (and the
  // linearized ones another model), so they train apart.
  const limit = gpu.device.limits.maxStorageBufferBindingSize;
  const outcomes: RunOutcome[] = new Array(plans.length);
  const kinds = [
    { frozen: false, linearized: false },
    { frozen: true, linearized: false },
    { frozen: false, linearized: true },
  ];
  for (const kind of kinds) {
    const indices = plans.flatMap((plan, i) =>
      plan.frozen === kind.frozen && plan.linearized === kind.linearized ? [i] : []
    );
    if (indices.length === 0) continue;
    const kindModel = kind.linearized ? linearizeModel(model) : model;
    for (const group of runGroups(indices, floatsPerRun(kindModel, options), limit)) {
      const results = await trainGroupOfLevel(
        context,
        kindModel,
        procedure,
        group.map((i) => plans[i]),
        job,
        options,
      );
      group.forEach((i, g) => (outcomes[i] = results[g]));
    }
  }
  return outcomes;
}

async function trainGroupOfLevel(
  context: ProcedureContext,
  model: Model,
  procedure: ImpSchedule,
  plans: RunPlan[],
  job: LevelJob,
  options: ReturnType<typeof trainerOptions>,
): Promise<RunOutcome[]> {
  const { config, gpu, dataset } = context;
  const { index, level, started, clock } = job;
  const runs = plans.length;
  const layout = model.layout;
  const trainer = await Trainer.create(gpu, {
    model,
    // Pruned weights are exactly 0 after rewinding and stay 0 under the optimizer, or keep
    // their initial values (the groups are all frozen or none, all linearized or none).
    parameterization: plans[0].linearized
      ? new LinearizedWeights()
      : plans[0].frozen
      ? new FrozenPrunedWeights()
      : new MaskedWeights(false),
    runs,
    ...options,
    // A run's augmentation follows its batch order's lineage (the trial's, ticket-b's, a copy's).
    ...withAugmentationKeys(
      options,
      () => plans.map((plan) => STREAMS.augmentation.key(config.seed, plan.trial, plan.order)),
    ),
  });
  try {
    const params = new Float32Array(runs * layout.perRun);
    const masks = new Float32Array(runs * layout.perRun);
    plans.forEach((plan, r) => {
      params.set(plan.init, r * layout.perRun);
      masks.set(flatMask(layout, plan.masks), r * layout.perRun);
    });
    // A linearized run is linearized at its init: theta0 is the (masked) params it starts from.
    trainer.reset(
      params,
      masks,
      plans[0].linearized ? { anchor: params } : {},
      flatStates(layout, plans.map((plan) => plan.state)),
    );
    const stream = (plan: RunPlan) =>
      plan.order === "ticket-b"
        ? STREAMS.secondTicketBatchOrder.rng(config.seed, plan.trial)
        : plan.order === "copy"
        ? STREAMS.stabilityCopyBatchOrder.rng(config.seed, plan.trial)
        : undefined;
    const orders = plans.map((plan) =>
      new BatchOrder(dataset.train, config.seed, plan.trial, stream(plan))
    );
    const remaining = plans[0].masks.reduce((n, m) => n + countKept(m), 0) / totalWeights(layout);
    const label = job.label ?? `level ${level}/${procedure.rounds}`;
    clock.start(index);
    return await trainRuns(trainer, orders, {
      iterations: job.iterations,
      evalEvery: procedure.eval_every,
      batch: procedure.batch_size,
      snapshotAt: job.snapshotAt,
    }, (progress) => {
      const ticket = progress.latest[0];
      clock.update(index, progress.iteration);
      context.progress(
        `${label} (${(100 * remaining).toFixed(2)}% remaining, ${runs} runs) ` +
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

function totalWeights(layout: ParamLayout): number {
  return layout.layers.reduce((n, layer) => n + layer.inputs * layer.outputs, 0);
}
