/**
 * Learning-rate schedules: the learning rate of every optimizer step, computed once on the CPU in
 * f64 and rounded to f32 once into a table the optimizer kernels index by the GPU step counter
 * (counters[1]), so K steps in one submit need no upload. With t the 0-based iteration of the
 * whole training run and lr the configured learning rate:
 *
 *   lr_t = lr * warmup(t) * decay(t)
 *   warmup(t) = min(1, t / W) when W = warmup_iterations > 0, else 1
 *     (open_lth's `warmup_steps`, training/optimizers.py: linear from 0 at t = 0 to lr at t = W;
 *     the factors multiply as its LambdaLR lambdas do)
 *   constant: decay(t) = 1
 *   step:     decay(t) = gamma ^ (number of milestones <= t)
 *     (open_lth's `milestone_steps` with bisect_right, = PyTorch's MultiStepLR stepped once per
 *     iteration; ResNet-20: 0.1, x0.1 at 32K and 48K of 64K iterations, He et al. 2016,
 *     Frankle et al. 2020)
 *   cosine:   decay(t) = 0.5 * (1 + cos(pi * u / T)), T = the run's iterations
 *     (PyTorch's CosineAnnealingLR with eta_min = 0, T_max = T, closed form), with u = t when
 *     stepped per iteration, or u = floor(t / E) * E when stepped per epoch of E iterations: the
 *     learning rate is then held for an epoch, as allenai/hidden-networks' cosine_lr
 *     (utils/schedulers.py, called once per epoch in main.py) trains Ramanujan et al. 2020:
 *     0.5 * (1 + cos(pi * e / epochs)) * lr in epoch e, equal to this when T = epochs * E.
 *
 * A run that starts at iteration k of its schedule (IMP rewound to iteration k trains
 * `iterations - k` more) reads the table from k on, as open_lth fast-forwards its schedule to the
 * start step (training/train.py).
 */

export type LrScheduleKind = "constant" | "step" | "cosine";

/** A schedule in iterations of one training run, resolved from the experiment file. */
export interface LrSchedule {
  kind: LrScheduleKind;
  /** Iterations of the whole run, from iteration 0: cosine's T. */
  iterations: number;
  /** Step: iterations at which the rate is multiplied by gamma, strictly increasing. */
  milestones: readonly number[];
  gamma: number;
  /** Linear warm-up from 0 over this many iterations (0: none). */
  warmupIterations: number;
  /** Cosine: iterations per schedule update, 1 (per iteration) or the iterations of an epoch. */
  stepsPerUpdate: number;
  /** The trainer's step s is iteration firstIteration + s of the run. */
  firstIteration: number;
}

/** A constant rate over `iterations`: the schedule of a config without one. */
export function constantSchedule(iterations: number): LrSchedule {
  return {
    kind: "constant",
    iterations,
    milestones: [],
    gamma: 1,
    warmupIterations: 0,
    stepsPerUpdate: 1,
    firstIteration: 0,
  };
}

/** The factor lr_t / lr at iteration t (0-based) of the run, in f64. */
export function learningRateFactor(schedule: LrSchedule, t: number): number {
  const { warmupIterations: warmup } = schedule;
  const warm = warmup > 0 ? Math.min(1, t / warmup) : 1;
  switch (schedule.kind) {
    case "constant":
      return warm;
    case "step": {
      const passed = schedule.milestones.filter((m) => m <= t).length;
      return warm * schedule.gamma ** passed;
    }
    case "cosine": {
      const every = schedule.stepsPerUpdate;
      const u = Math.floor(t / every) * every;
      return warm * 0.5 * (1 + Math.cos(Math.PI * u / schedule.iterations));
    }
  }
}

/** lr_t at iteration t of the run, in f64. */
export function learningRateAt(learningRate: number, schedule: LrSchedule, t: number): number {
  return learningRate * learningRateFactor(schedule, t);
}

/**
 * The rates of trainer steps 0..steps-1 (iterations firstIteration + s), each rounded to f32
 * once: what the optimizer kernels read at counters[1] (the last entry beyond the table).
 */
export function learningRateTable(
  learningRate: number,
  schedule: LrSchedule,
  steps: number,
): Float32Array {
  const table = new Float32Array(Math.max(1, steps));
  for (let s = 0; s < table.length; s++) {
    table[s] = learningRateAt(learningRate, schedule, schedule.firstIteration + s);
  }
  return table;
}
