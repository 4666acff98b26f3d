/**
 * Every random stream of the project, in one registry. A stream is (seed, purpose, index) in
 * src/base/rng.ts; each entry below names one purpose, says what it draws and how its index is
 * formed from the entry's arguments. Every draw in src/ goes through this table, so two
 * procedures that must see the same numbers (weak-lth's dense network and supermask's) share one
 * entry by construction, and two entries never share a purpose.
 *
 * The purpose names and index formulas are part of every result: changing one changes the bits
 * of every run that draws from it (and the pinned smoke digests). Each index formula is a
 * mixed-radix number, injective only while every inner digit stays below its radix and the whole
 * index below 2^32 (streamKey reduces the index modulo 2^32): arguments outside those ranges throw
 * a RangeError instead of silently sharing a stream with other arguments.
 */
import { Rng, streamKey } from "./rng.ts";

/** A stream's identity: the purpose name hashed into its key, and its index. */
export interface StreamId {
  readonly purpose: string;
  readonly index: number;
}

/** One registry entry: the stream of given arguments, as an identity, a generator or a key. */
export interface Stream<A extends unknown[]> {
  /** (purpose, index) for these arguments; a RangeError outside the entry's ranges. */
  id(...args: A): StreamId;
  /** A generator at the start of the stream. */
  rng(seed: number, ...args: A): Rng;
  /** The stream's 32-bit key, for draws made by counter (on the GPU). */
  key(seed: number, ...args: A): number;
}

/** Indices are reduced modulo 2^32 when keyed, so larger ones would alias smaller ones. */
const INDEX_LIMIT = 2 ** 32;

function stream<A extends unknown[]>(identify: (...args: A) => StreamId): Stream<A> {
  const id = (...args: A): StreamId => {
    const found = identify(...args);
    if (!Number.isSafeInteger(found.index) || found.index < 0 || found.index >= INDEX_LIMIT) {
      throw new RangeError(
        `stream "${found.purpose}" index ${found.index} (from ${
          JSON.stringify(args)
        }) is not an integer in [0, 2^32); use smaller arguments`,
      );
    }
    return found;
  };
  return {
    id,
    rng: (seed, ...args) => {
      const { purpose, index } = id(...args);
      return new Rng(seed, purpose, index);
    },
    key: (seed, ...args) => {
      const { purpose, index } = id(...args);
      return streamKey(seed, purpose, index);
    },
  };
}

/** One digit of an index: an integer in [0, radix), the range its formula is injective over. */
function digit(name: string, value: number, radix: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= radix) {
    throw new RangeError(
      `${name} ${value} is outside [0, ${radix}), the range its random stream index allows`,
    );
  }
  return value;
}

/** The leading digit of an index (trial): any integer >= 0 that keeps the index below 2^32. */
const lead = (name: string, value: number) => digit(name, value, INDEX_LIMIT);

/** trial * 100,000 + width: edge-popup's streams of one swept width of one trial. */
const trialWidth = (trial: number, width: number) =>
  lead("trial", trial) * 100_000 + digit("width", width, 100_000);

/** Whose batch order a run's augmentation follows (STREAMS.augmentation). */
export type AugmentationLineage = "trial" | "ticket-b" | "copy";

export const STREAMS = {
  /**
   * The permutation of the training set whose first `data.validation` entries are the held-out
   * validation set (data/split.ts). One per seed: every trial sees the same split.
   */
  validationSplit: stream(() => ({ purpose: "validation-split", index: 0 })),

  /**
   * The order in which a run sees its training examples, one permutation per epoch
   * (train/batch_order.ts). Index: trial. Every run of a trial shares it, in every procedure, so
   * the arms of a trial differ only in what the arm changes.
   */
  batchOrder: stream((trial: number) => ({ purpose: "batch-order", index: lead("trial", trial) })),

  /**
   * The dense network's initial weights and biases (model.init), drawn layer by layer
   * (model/init.ts). Index: trial. IMP (weak-lth) trains it at level 0 and rewinds its tickets to
   * it; supermask's dense network is the same draw, so both experiments train the same network
   * and share it through the trained cache (procedures/trained_cache.ts).
   */
  init: stream((trial: number) => ({ purpose: "init", index: lead("trial", trial) })),

  /**
   * IMP's random-reinit control: a fresh model.init for replicate r (1-based) of the ticket at
   * level k. Index: (trial * 1000 + level) * 1000 + replicate, with level and replicate below
   * 1000 (any trial below 4294 fits in 2^32).
   */
  reinit: stream((trial: number, level: number, replicate: number) => ({
    purpose: "reinit",
    index: (lead("trial", trial) * 1000 + digit("level", level, 1000)) * 1000 +
      digit("replicate", replicate, 1000),
  })),

  /**
   * IMP's random-mask control: one uniformly random mask per layer, drawn in layer order from
   * this one stream, with the ticket's per-layer kept counts at level k. Index:
   * trial * 1000 + level, with level below 1000.
   */
  impRandomMask: stream((trial: number, level: number) => ({
    purpose: "random-mask",
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * IMP's second lineage (controls.second_ticket, arm ticket-b): the batch order of the second
   * ticket of a trial, the only thing that makes it differ from the first. Index: trial.
   */
  secondTicketBatchOrder: stream((trial: number) => ({
    purpose: "batch-order ticket-b",
    index: lead("trial", trial),
  })),

  /**
   * The batch order of a run's second copy (controls.stability): the copies of every arm of a
   * trial share it, as the runs themselves share the trial's. Index: trial.
   */
  stabilityCopyBatchOrder: stream((trial: number) => ({
    purpose: "batch-order stability copy",
    index: lead("trial", trial),
  })),

  /**
   * The data augmentation of a run (data.augmentation: random crop offsets and flips), drawn on
   * the GPU by counter from this stream's key, the global step and the example's slot in the
   * batch (nn/gather_batch.ts). One stream per batch-order lineage, so a run's augmentation
   * follows its batch order: the trial's (every arm of a trial shares it), IMP's second ticket's
   * ("ticket-b") or a stability copy's ("copy"), whose SGD noise then differs in both. Index:
   * trial.
   */
  augmentation: stream((trial: number, lineage: AugmentationLineage = "trial") => ({
    purpose: lineage === "trial" ? "augmentation" : `augmentation ${lineage}`,
    index: lead("trial", trial),
  })),

  /**
   * The training examples SNIP's and GraSP's gradients are taken on (the first
   * controls.at_init.examples of one permutation of the training split). Index: trial.
   */
  saliencyExamples: stream((trial: number) => ({
    purpose: "saliency examples",
    index: lead("trial", trial),
  })),

  /**
   * A pruning-at-init method's mask shuffled within each layer (arm <method>-shuffled): one
   * permutation per layer, in layer order. One purpose per method. Index: trial * 1000 + level,
   * with level below 1000.
   */
  atInitShuffle: stream((method: string, trial: number, level: number) => ({
    purpose: `shuffle ${method}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * The weight ablations of a ticket (controls.weight_ablations; one purpose per ablation that
   * draws: random-signs' signs, shuffled-values' permutations), in layer order. Index:
   * trial * 1000 + level, with level below 1000.
   */
  weightAblation: stream((ablation: string, trial: number, level: number) => ({
    purpose: `weight ablation ${ablation}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * The initial scores of a mask search over the frozen initial weights (controls.search; one
   * purpose per method). Index: trial * 1000 + level, with level below 1000.
   */
  searchScores: stream((method: string, trial: number, level: number) => ({
    purpose: `search scores ${method}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * The Bernoulli samples of the supermask search (controls.search.supermask), drawn on the GPU
   * by counter from this key (nn/supermask_sample.ts). Index: level, below 1000.
   */
  searchSupermaskSample: stream((level: number) => ({
    purpose: "search supermask sample",
    index: digit("level", level, 1000),
  })),

  /**
   * Edge-popup's dense arm: the initial weights and biases (model.init) of the dense network of
   * one swept width. Index: trial * 100,000 + width (width below 100,000), so adding a width to
   * the sweep leaves the other widths' runs unchanged.
   */
  edgePopupDenseInit: stream((trial: number, width: number) => ({
    purpose: "dense init",
    index: trialWidth(trial, width),
  })),

  /**
   * Edge-popup's frozen weights of one weight init (a WeightInit of procedures/edge_popup_spec.ts:
   * one purpose per init), shared by every k of the (trial, width). Index: as edgePopupDenseInit.
   */
  edgePopupWeights: stream((init: string, trial: number, width: number) => ({
    purpose: `edge-popup weights ${init}`,
    index: trialWidth(trial, width),
  })),

  /**
   * Edge-popup's initial scores (procedure.score_init), shared by every k and weight init of the
   * (trial, width). Index: as edgePopupDenseInit.
   */
  edgePopupScores: stream((trial: number, width: number) => ({
    purpose: "edge-popup scores",
    index: trialWidth(trial, width),
  })),

  /**
   * Edge-popup's random-mask control: one uniformly random mask per layer, in layer order, keeping
   * k of each layer at level i of the sweep. Index: (trial * 100,000 + width) * 100 + level, with
   * width below 100,000 and level below 100 (any trial below 429 fits in 2^32).
   */
  edgePopupRandomMask: stream((trial: number, width: number, level: number) => ({
    purpose: "random mask",
    index: trialWidth(trial, width) * 100 + digit("level", level, 100),
  })),

  /**
   * Multi-prize's dense arm: the initial weights (model.init) of the weight-trained dense network
   * of one swept width. Index: as edgePopupDenseInit.
   */
  multiPrizeDenseInit: stream((trial: number, width: number) => ({
    purpose: "multi-prize dense init",
    index: trialWidth(trial, width),
  })),

  /**
   * Multi-prize's frozen random weights W (procedure.weight_init) of one (trial, width), shared by
   * every k and every arm (mpt-1/32, mpt-1/32-b, mpt-1/1, edge-popup and the controls). Index: as
   * edgePopupDenseInit.
   */
  multiPrizeWeights: stream((trial: number, width: number) => ({
    purpose: "multi-prize weights",
    index: trialWidth(trial, width),
  })),

  /**
   * Multi-prize's initial scores (procedure.score_init): seed "a" for mpt-1/32, mpt-1/1 and
   * edge-popup, seed "b" for the second ticket mpt-1/32-b (one purpose each), shared by every k.
   * Index: as edgePopupDenseInit.
   */
  multiPrizeScores: stream((seed: "a" | "b", trial: number, width: number) => ({
    purpose: `multi-prize scores ${seed}`,
    index: trialWidth(trial, width),
  })),

  /**
   * Multi-prize's random-mask control: one uniformly random mask per layer, in layer order, with
   * mpt-1/32's per-layer counts at level i of the sweep. Index: as edgePopupRandomMask.
   */
  multiPrizeRandomMask: stream((trial: number, width: number, level: number) => ({
    purpose: "multi-prize random mask",
    index: trialWidth(trial, width) * 100 + digit("level", level, 100),
  })),

  /**
   * Multi-prize's random-signs control: one sign per weight of every layer, in layer order, that
   * replaces sign(W) under mpt-1/32's mask at level i. Index: as edgePopupRandomMask.
   */
  multiPrizeRandomSigns: stream((trial: number, width: number, level: number) => ({
    purpose: "multi-prize random signs",
    index: trialWidth(trial, width) * 100 + digit("level", level, 100),
  })),

  /**
   * The tangent-space test's theta0 (model.init) of one (trial, width): the real network, its
   * linearization, the square-loss network and the tangent-space ridge all start from it.
   * Index: as edgePopupDenseInit.
   */
  tangentInit: stream((trial: number, width: number) => ({
    purpose: "tangent-space init",
    index: trialWidth(trial, width),
  })),

  /**
   * Supermask's random criterion: one uniform score per weight of one layer (prune/criteria.ts),
   * the same ranking at every level. Index: trial * 100 + layer (0-based), with layer below 100.
   */
  supermaskRandomCriterion: stream((trial: number, layer: number) => ({
    purpose: "random criterion",
    index: lead("trial", trial) * 100 + digit("layer", layer, 100),
  })),

  /**
   * Supermask's random-signs kept values: one sign per weight of every layer, masked or not
   * (prune/kept_values.ts), so every criterion and level of a trial gets the same signs.
   * Index: trial.
   */
  supermaskRandomSigns: stream((trial: number) => ({
    purpose: "random signs",
    index: lead("trial", trial),
  })),

  /** Supermask's learned arm: the initial scores (learned.score_init). Index: trial. */
  supermaskScores: stream((trial: number) => ({
    purpose: "supermask scores",
    index: lead("trial", trial),
  })),

  /**
   * Supermask's learned arm: the Bernoulli mask samples of every training step, drawn on the GPU
   * by counter from this stream's key (nn/supermask_sample.ts: the counter separates runs, steps
   * and weights). One stream for every trial.
   */
  supermaskSample: stream(() => ({ purpose: "supermask sample", index: 0 })),
  /**
   * Elastic tickets' shuffled-order control (prune/elastic_map.ts shuffledBlockMap): one
   * permutation per stage, stages in order, of the ticket transformed from depth S to depth T at
   * the source's round. One purpose per (S, T). Index: trial * 1000 + level, level below 1000.
   */
  elasticShuffle: stream((source: number, target: number, trial: number, level: number) => ({
    purpose: `elastic shuffle ${source}to${target}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * Elastic tickets' reinit control: a fresh model.init of the target depth T under the mask
   * transformed from depth S. One purpose per (S, T). Index: trial * 1000 + level.
   */
  elasticReinit: stream((source: number, target: number, trial: number, level: number) => ({
    purpose: `elastic reinit ${source}to${target}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * Elastic tickets' random baseline: one uniformly random mask per layer of the target, in layer
   * order, with the transformed ticket's per-layer counts. One purpose per (S, T). Index: trial *
   * 1000 + level.
   */
  elasticRandomMask: stream((source: number, target: number, trial: number, level: number) => ({
    purpose: `elastic random mask ${source}to${target}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * The training examples of the elastic SNIP baseline's gradient: the first ones of a
   * permutation of the training split, the same for every target of the trial. Index: trial.
   */
  elasticSnipExamples: stream((trial: number) => ({
    purpose: "elastic snip examples",
    index: lead("trial", trial),
  })),
  elasticGraspExamples: stream((trial: number) => ({
    purpose: "elastic grasp examples",
    index: lead("trial", trial),
  })),

  /**
   * Ticket-transfer's random-mask arm (Morcos et al.'s random ticket) on one target data set: one
   * uniformly random mask per layer, in layer order, with the transferred ticket's per-layer
   * counts at level k. One purpose per target. Index: trial * 1000 + level, with level below 1000.
   */
  transferRandomMask: stream((target: string, trial: number, level: number) => ({
    purpose: `transfer random mask ${target}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),

  /**
   * The same arm's fresh initialisation (model.init, drawn layer by layer as `init` is), one per
   * (trial, level) as IMP's reinit. One purpose per target. Index: as transferRandomMask.
   */
  transferRandomInit: stream((target: string, trial: number, level: number) => ({
    purpose: `transfer random init ${target}`,
    index: lead("trial", trial) * 1000 + digit("level", level, 1000),
  })),
} as const;

export type StreamName = keyof typeof STREAMS;
