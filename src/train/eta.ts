/**
 * Remaining time of a sequence of stages (IMP rounds), each training `runs` networks side by
 * side for `iterations` steps. An estimate from the elapsed time over all stages treats a
 * control round (several runs) like a plain one and counts rounds loaded from disk as if they
 * had been trained in no time, so after a resume or before a control round it is far too
 * short. Here each stage is costed from the measured seconds per iteration of stages with the
 * same number of runs; a run count not measured yet is scaled linearly from the nearest one
 * measured (an upper bound: batching runs never makes a step slower per run). Loaded stages
 * cost nothing and teach nothing.
 */
export interface Stage {
  runs: number;
  iterations: number;
}

interface Measured {
  runs: number;
  seconds: number;
  iterations: number;
}

export class StageClock {
  readonly #stages: Stage[];
  readonly #done = new Set<number>();
  readonly #measured: Measured[] = [];
  #current: { stage: number; started: number; iteration: number; now: number } | null = null;

  constructor(stages: Stage[]) {
    this.#stages = stages;
  }

  /** Stage `stage` was loaded from disk: nothing left to do there, nothing learned. */
  skip(stage: number): void {
    this.#done.add(stage);
  }

  /** Stage `stage` starts training now (milliseconds, performance.now()). */
  start(stage: number, now: number = performance.now()): void {
    this.#finishCurrent();
    this.#current = { stage, started: now, iteration: 0, now };
  }

  /** Stage `stage` has trained `iteration` of its iterations at time `now` (milliseconds). */
  update(stage: number, iteration: number, now: number = performance.now()): void {
    if (this.#current?.stage !== stage) this.start(stage, now);
    this.#current!.iteration = iteration;
    this.#current!.now = now;
    if (iteration >= this.#stages[stage].iterations) this.#finishCurrent();
  }

  /** Seconds left, or null until some training has been timed. */
  remainingSeconds(): number | null {
    const current = this.#current;
    const currentRate = current && current.iteration > 0
      ? (current.now - current.started) / 1000 / current.iteration
      : null;
    let total = 0;
    for (let stage = 0; stage < this.#stages.length; stage++) {
      if (this.#done.has(stage)) continue;
      const { runs, iterations } = this.#stages[stage];
      if (current?.stage === stage) {
        const rate = currentRate ?? this.#rate(runs);
        if (rate === null) return null;
        total += rate * (iterations - current.iteration);
        continue;
      }
      const rate = this.#rate(runs) ??
        (currentRate !== null ? currentRate * runs / this.#stages[current!.stage].runs : null);
      if (rate === null) return null;
      total += rate * iterations;
    }
    return total;
  }

  /** Seconds per iteration for `runs` runs side by side, from finished stages. */
  #rate(runs: number): number | null {
    const same = this.#measured.filter((m) => m.runs === runs);
    if (same.length > 0) {
      return same.reduce((s, m) => s + m.seconds, 0) / same.reduce((s, m) => s + m.iterations, 0);
    }
    if (this.#measured.length === 0) return null;
    const nearest = this.#measured.reduce((best, m) =>
      Math.abs(m.runs - runs) < Math.abs(best.runs - runs) ? m : best
    );
    return nearest.seconds / nearest.iterations * runs / nearest.runs;
  }

  #finishCurrent(): void {
    const current = this.#current;
    if (!current) return;
    if (current.iteration > 0) {
      this.#measured.push({
        runs: this.#stages[current.stage].runs,
        seconds: (current.now - current.started) / 1000,
        iterations: current.iteration,
      });
    }
    if (current.iteration >= this.#stages[current.stage].iterations) this.#done.add(current.stage);
    this.#current = null;
  }
}

/** "42s", "3m07s", "1h05m": short enough for a progress line. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}
