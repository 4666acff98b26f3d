/**
 * The state of IMP lineages from level to level: per lineage and trial, the masks of the current
 * level, the network every later level starts from (the initialisation, or with rewinding to
 * iteration k the lineage's dense network after k iterations: its parameters and its running
 * statistics, as PyTorch's state_dict at k holds both) and the weights the level trained, which
 * decide the next level's masks. A lineage run that finished earlier is read back from its
 * checkpoints, so a resumed procedure continues from the same state as an uninterrupted one.
 */
import { readFileSync } from "node:fs";
import { armFiles } from "../io/paths.ts";
import type { Network, ParamLayout } from "../model/mod.ts";
import { applyMasks } from "../prune/mod.ts";
import type { RunOutcome } from "../train/train_runs.ts";
import type { RunPlace, RunPlan } from "./imp_level_job.ts";
import { pruneLevels } from "./imp_pruning.ts";
import { type ImpSchedule, rewindIteration } from "./imp_spec.ts";
import { networkFromCheckpoint } from "./run_files.ts";

export class ImpLineages {
  /** masks[lineage][trial index]: per-layer masks at the current level. */
  #masks: Map<string, Float32Array[][]>;
  /** starts[lineage][trial index]: what a level >= 1 starts from. */
  readonly #starts: Map<string, Network[]>;
  /** The weights each lineage's run of the current level trained, per trial index. */
  #trained = new Map<string, Float32Array[]>();

  constructor(
    private readonly layout: ParamLayout,
    private readonly procedure: ImpSchedule,
    /** The lineages' arm names (IMP: ticket, and ticket-b with a second lineage). */
    readonly names: readonly string[],
    /** Every trial of the experiment; masks and starts are indexed by position here. */
    private readonly trials: readonly number[],
    /** Each trial's initial network (every lineage of a trial starts from it). */
    inits: readonly Network[],
  ) {
    const full = () =>
      layout.layers.map((layer) => new Float32Array(layer.inputs * layer.outputs).fill(1));
    this.#masks = new Map(names.map((name) => [name, trials.map(full)]));
    this.#starts = new Map(names.map((name) => [name, [...inits]]));
  }

  /** Whether runs of this arm are a lineage's (they prune themselves from level to level). */
  has(arm: string): boolean {
    return this.names.includes(arm);
  }

  /** The lineage's per-layer masks of the trial at the current level. */
  masks(lineage: string, trial: number): Float32Array[] {
    return this.#lookup(this.#masks, lineage)[this.#index(trial)];
  }

  /** The network the lineage's later levels start from (before masking). */
  start(lineage: string, trial: number): Network {
    return this.#lookup(this.#starts, lineage)[this.#index(trial)];
  }

  /**
   * The lineage's run at the current level: its masks over its start, pruned weights 0; the
   * second lineage (ticket-b) in its own batch order, every other in its trial's; ticket-lin
   * trains the network linearized at that masked start.
   */
  plan(place: RunPlace): RunPlan {
    const masks = this.masks(place.arm, place.trial);
    const start = this.start(place.arm, place.trial);
    return {
      ...place,
      masks,
      init: applyMasks(this.layout, start.params, masks),
      state: start.state,
      order: place.arm === "ticket-b" ? "ticket-b" : "trial",
      frozen: false,
      linearized: place.arm === "ticket-lin",
    };
  }

  /**
   * A lineage run of `level` that finished earlier: its trained weights from final.safetensors,
   * and at level 0 with rewinding its start from rewind.safetensors.
   */
  readBack(place: RunPlace, level: number): void {
    if (!this.has(place.arm) || place.replicate !== 0) return;
    const files = armFiles(place.directory);
    this.#setTrained(place, networkFromCheckpoint(this.layout, readFileSync(files.final)).params);
    if (level === 0 && rewindIteration(this.procedure) > 0) {
      this.#lookup(this.#starts, place.arm)[this.#index(place.trial)] = networkFromCheckpoint(
        this.layout,
        readFileSync(files.rewind),
      );
    }
  }

  /**
   * At level 0 with rewinding: the lineage run's network after k iterations becomes its start
   * (its outcome's snapshot, parameters and running statistics).
   */
  rewound(place: RunPlace, outcome: RunOutcome): void {
    if (!this.has(place.arm)) return;
    this.#lookup(this.#starts, place.arm)[this.#index(place.trial)] = {
      params: outcome.snapshot!,
      state: outcome.snapshotState!,
    };
  }

  /** A lineage run of the current level finished training with these weights. */
  trained(place: RunPlace, params: Float32Array): void {
    if (this.has(place.arm) && place.replicate === 0) this.#setTrained(place, params);
  }

  /**
   * Every lineage's masks `rounds` IMP rounds on (the next trained level), pruned by the
   * weights the current level trained; a lineage run of this level without them is an error.
   */
  advance(rounds: number): void {
    this.#masks = new Map(this.names.map((name) => [
      name,
      this.#masks.get(name)!.map((layerMasks, t) => {
        const trained = this.#trained.get(name)?.[t];
        if (!trained) {
          throw new Error(
            `IMP lineage ${name} of trial ${
              this.trials[t]
            } has no trained weights at this level (internal error)`,
          );
        }
        return pruneLevels(this.layout, this.procedure, trained, layerMasks, rounds);
      }),
    ]));
    this.#trained = new Map();
  }

  #setTrained(place: RunPlace, params: Float32Array): void {
    const list = this.#trained.get(place.arm) ?? [];
    list[this.#index(place.trial)] = params;
    this.#trained.set(place.arm, list);
  }

  #index(trial: number): number {
    const t = this.trials.indexOf(trial);
    if (t < 0) {
      throw new Error(`trial ${trial} is not one of ${this.trials.join(", ")} (internal error)`);
    }
    return t;
  }

  #lookup<T>(map: Map<string, T[]>, lineage: string): T[] {
    const found = map.get(lineage);
    if (!found) {
      throw new Error(
        `"${lineage}" is not an IMP lineage here (${this.names.join(", ")}; internal error)`,
      );
    }
    return found;
  }
}
