/**
 * Which source block each block of a deeper or shallower ResNet comes from: the Elastic Ticket
 * Transformation (ETT) of Chen et al., "The Elastic Lottery Ticket Hypothesis" (NeurIPS 2021,
 * arXiv 2103.16547), as their code applies it to CIFAR ResNets.
 *
 * Sources (VITA-Group/ElasticLTH @ 4a48d0a, and the authors' experiment scripts in
 * xhchrn/open_lth @ 6b3d04a, the fork the paper's runs came from):
 * - A transformation is a per-stage map "source block -> target blocks", the same for every stage
 *   (lottery/branch/change_depth.py lines 14-38: `--block_mapping "0:0;1:1,2;2:3,4"`, one dict for
 *   CIFAR ResNets; lottery/branch/morphism.py lines 219-229: a block's stage comes from the
 *   projection milestones, its local index maps through the one dict, target id = stage *
 *   target_stage_len + local).
 * - Block 0 of every stage (the down-sampling block) maps to block 0: every script's mapping starts
 *   "0:0", and the paper's Figure 2 caption: "we hide Block 0 who downsamples the input features as
 *   we will always preserve this block, without replicating or dropping".
 * - Stretching, the "inter" mapping the scripts run for every stretch (cifar_large_scale_exp_
 *   src14_20.sh: 20->32 "0:0;1:1,2;2:3,4", 20->44 "0:0;1:1,2,3;2:4,5,6", 20->56
 *   "0:0;1:1,2,3,4;2:5,6,7,8"; _src32.sh: 32->44 inter12x2 "0:0;1:1,2;2:3,4;3:5;4:6";
 *   _src44.sh: 44->56 "0:0;1:1,2;2:3,4;3:5;4:6;5:7;6:8"; _32to56_part1.sh: inter1234x2
 *   "0:0;1:1,2;2:3,4;3:5,6;4:7,8"): with S = n_source - 1 and T = n_target - 1 blocks after
 *   block 0, source block i (1..S) fills floor(T / S) consecutive target blocks, one more for the
 *   first T mod S of them, in source order. Every copy is an exact clone (morphism.py line 239).
 * - Squeezing, the scripts' "inter" mappings (_src32.sh: 32->20 inter13 "0:0;1:1;3:2";
 *   _56to32_part1.sh: inter1357 "0:0;1:1;3:2;5:3;7:4"; _src44.sh: 44->20 "0:0;1:1;4:2", 44->32
 *   "0:0;1:1;2:2;3:3;5:4"; _src56.sh: 56->20 "0:0;1:1;5:2", 56->44 "0:0;1:1;2:2;3:3;4:4;5:5;7:6",
 *   56->14 "0:0;1:1"): the S source blocks after block 0 fall into T consecutive groups of
 *   floor(S / T), the last S mod T groups one larger; the first block of each group is kept, the
 *   rest dropped. So a stretch by a whole factor followed by the squeeze back is the identity.
 *
 * The shuffled-order control keeps the paper's blocks (hence every tensor and the mask count) and
 * permutes their order within each stage, block 0 excepted.
 */
import type { Rng } from "../base/rng.ts";

/** A target block's origin: the source block (local index in its stage) and whether it is the
 * first copy of that block in the target ("kept") or a later one ("replicated"). */
export interface BlockOrigin {
  source: number;
  copy: "kept" | "replicated";
}

/** For every stage, the origin of each target block in order, and the source blocks left out. */
export interface ElasticBlockMap {
  /** Blocks per stage of the source and of the target. */
  sourceBlocks: number[];
  targetBlocks: number[];
  stages: BlockOrigin[][];
  /** Per stage, the source blocks no target block comes from (squeezing), ascending. */
  dropped: number[][];
  /** "paper" for the ETT rule, "shuffled" for the control. */
  order: "paper" | "shuffled";
}

function checkBlocks(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `${what} has ${n} residual blocks in a stage; a ResNet stage needs a whole number >= 1`,
    );
  }
}

/**
 * The ETT's source block for each of `targetBlocks` target blocks of one stage whose source has
 * `sourceBlocks` (local indices, block 0 first).
 */
export function elasticStageOrder(sourceBlocks: number, targetBlocks: number): number[] {
  checkBlocks(sourceBlocks, "the source");
  checkBlocks(targetBlocks, "the target");
  const s = sourceBlocks - 1, t = targetBlocks - 1;
  const order = [0];
  if (t === 0) return order;
  if (s === 0) {
    throw new RangeError(
      `a stage of 1 block cannot be stretched to ${targetBlocks}: after block 0 (never replicated) ` +
        `there is no block to copy; use a source with at least 2 blocks per stage`,
    );
  }
  if (t >= s) {
    // Stretch: source block i fills floor(t/s) consecutive targets, the first t mod s one more.
    const base = Math.floor(t / s), extra = t % s;
    for (let i = 1; i <= s; i++) {
      for (let c = 0; c < base + (i <= extra ? 1 : 0); c++) order.push(i);
    }
  } else {
    // Squeeze: t consecutive groups of floor(s/t) source blocks, the last s mod t groups one
    // larger; keep each group's first block.
    const base = Math.floor(s / t), extra = s % t;
    let first = 1;
    for (let g = 0; g < t; g++) {
      order.push(first);
      first += base + (g >= t - extra ? 1 : 0);
    }
  }
  return order;
}

/** Origins in target order: the first occurrence of a source block is "kept", later ones "replicated". */
function labelled(order: readonly number[]): BlockOrigin[] {
  const seen = new Set<number>();
  return order.map((source) => {
    const copy = seen.has(source) ? "replicated" : "kept";
    seen.add(source);
    return { source, copy };
  });
}

function droppedOf(order: readonly number[], sourceBlocks: number): number[] {
  const used = new Set(order);
  return Array.from({ length: sourceBlocks }, (_, i) => i).filter((i) => !used.has(i));
}

/** The ETT's block map between ResNets with these blocks per stage (same number of stages). */
export function elasticBlockMap(
  sourceBlocks: readonly number[],
  targetBlocks: readonly number[],
): ElasticBlockMap {
  if (sourceBlocks.length !== targetBlocks.length) {
    throw new RangeError(
      `the source has ${sourceBlocks.length} stages and the target ${targetBlocks.length}; ` +
        `an elastic ticket changes depth within stages only, so use two ResNets of the same family`,
    );
  }
  const orders = sourceBlocks.map((n, s) => elasticStageOrder(n, targetBlocks[s]));
  return {
    sourceBlocks: [...sourceBlocks],
    targetBlocks: [...targetBlocks],
    stages: orders.map(labelled),
    dropped: orders.map((order, s) => droppedOf(order, sourceBlocks[s])),
    order: "paper",
  };
}

/**
 * The shuffled-order control: the same target blocks as `map` (so the same tensors and mask
 * count), but within each stage the blocks after block 0 in a uniform random order drawn from
 * `rng` (one Fisher-Yates permutation per stage, stages in order). A permutation may leave a stage
 * as it was (for 20 -> 32, 1 of the 6 distinct orders of {1, 1, 2, 2}).
 */
export function shuffledBlockMap(map: ElasticBlockMap, rng: Rng): ElasticBlockMap {
  const orders = map.stages.map((stage) => {
    const rest = stage.slice(1).map((origin) => origin.source);
    const permutation = rng.permutation(rest.length);
    return [stage[0].source, ...Array.from(permutation, (p) => rest[p])];
  });
  return {
    sourceBlocks: [...map.sourceBlocks],
    targetBlocks: [...map.targetBlocks],
    stages: orders.map(labelled),
    dropped: map.dropped.map((d) => [...d]),
    order: "shuffled",
  };
}
