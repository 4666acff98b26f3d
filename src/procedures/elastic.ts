/**
 * Elastic lottery tickets (Chen et al., "The Elastic Lottery Ticket Hypothesis", NeurIPS 2021):
 * IMP runs on every member of one ResNet family (procedure.blocks_per_stage; the imp procedure
 * itself, in `imp-<depth>/`, its rows as arm `imp-<depth>`). Then, for every transfer S -> T and
 * every transfer round L, each trial's IMP ticket of depth S at round L (its masks and its network
 * at the rewind point) is stretched or squeezed to depth T by the Elastic Ticket Transformation
 * (src/prune/elastic.ts) and trained on T from the rewind point to the end of the budget, as the
 * authors' change_depth branch does, beside its controls and baselines, all at the transformed
 * ticket's sparsity and trained alike (`ett-<S>to<T>/`, row level L):
 *   ett-<S>to<T>            the transformed ticket
 *   ett-<S>to<T>-shuffled   the same blocks in a seeded random order within each stage
 *   ett-<S>to<T>-reinit     the transformed mask on a fresh model.init of T
 *   random-<S>to<T>         uniformly random masks with the ticket's per-layer counts
 *   magnitude-<S>to<T>      one-shot global magnitude of T's trained dense weights (its own level
 *                           0 run), keeping the ticket's total count
 *   snip-<S>to<T>           SNIP's global |g * w| at T's rewind point, keeping the ticket's total
 *                           (on the GPU: the trainer's own gradient)
 *   grasp-<S>to<T>          GraSP's global -w * Hg there (lowest kept), on grasp_examples_per_class
 *                           examples of each class in two halves, as Wang et al.'s code
 *   synflow-<S>to<T>        SynFlow's global iterative scores there, synflow_rounds rounds
 *                           (GraSP and SynFlow on the CPU in f64: prune/model_saliency.ts)
 * The baselines start from T's own network at the rewind point (its dense run after k iterations,
 * or its initialisation): "pruning at the rewind point" as the paper compares them. Every row
 * records the overlap (kappa) of its mask with T's own IMP ticket at round L. Each transfer folder
 * holds block-map.md: which source block became which target block, and the target training that
 * the transformation saves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { STREAMS } from "../base/streams.ts";
import type { LayerListModelConfig, ResolvedConfig, ResultRow } from "../config/types.ts";
import { armDirectory, armFiles, CHECKPOINT_FILES } from "../io/paths.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import {
  buildModel,
  featureMapsOf,
  initialNetwork,
  initParams,
  type LayerSpec,
  type Model,
  type Network,
  resnetDepth,
  weightBlock,
  withBlocksPerStage,
} from "../model/mod.ts";
import {
  applyMasks,
  countKept,
  type ElasticBlockMap,
  elasticTicket,
  halves,
  masksKeepingTotal,
  modelGraspScores,
  modelSynflowScores,
  paperBlockMap,
  pruneSmallestGlobally,
  randomMask,
  saliencyBatch,
  shuffledBlockMap,
  synflowMasksKeepingTotal,
} from "../prune/mod.ts";
import { StageClock } from "../train/eta.ts";
import { snipScoresOnGpu } from "../train/snip_scores.ts";
import { configuredLayers } from "./configured_model.ts";
import {
  ELASTIC_ARMS,
  elasticConfig,
  elasticControls,
  type ElasticProcedure,
  type ElasticTransfer,
  transferArms,
} from "./elastic_spec.ts";
import { runImp } from "./imp.ts";
import { type ImpProcedure, rewindIteration } from "./imp_spec.ts";
import type { ImpControls } from "./imp_controls.ts";
import { type RunPlace, type RunPlan, trainLevel } from "./imp_level_job.ts";
import { resultRow } from "./result_row.ts";
import {
  checkpointTensors,
  isDone,
  masksFromCheckpoint,
  networkFromCheckpoint,
  readRow,
  writeRunFiles,
} from "./run_files.ts";
import type { ProcedureContext } from "./types.ts";

/** One depth of the family: its layer list, model, IMP config and folder. */
interface Member {
  blocks: number;
  depth: number;
  specs: LayerSpec[];
  model: Model;
  /** The experiment as an imp experiment on this depth alone. */
  config: ResolvedConfig;
  directory: string;
}

export async function runElastic(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const procedure = elasticConfig(config);
  const rows: ResultRow[] = [];
  const members = new Map<number, Member>();
  for (const blocks of procedure.blocks_per_stage) {
    const member = memberOf(context, blocks);
    members.set(blocks, member);
    const arm = ELASTIC_ARMS.imp(member.depth);
    const impRows = await runImp({
      ...context,
      config: member.config,
      directory: member.directory,
      progress: (line) => context.progress(`${arm}: ${line}`),
    });
    rows.push(...impRows.map((row) => ({ ...row, arm })));
  }

  const rewind = rewindIteration(procedure as unknown as ImpProcedure);
  const trials = [...context.trials];
  const jobs = procedure.transfers.flatMap((transfer) =>
    procedure.transfer_rounds.map((level) => ({ transfer, level }))
  );
  const armsOf = (transfer: ElasticTransfer) =>
    transferArms(
      config,
      members.get(transfer.from)!.depth,
      members.get(transfer.to)!.depth,
    );
  const clock = new StageClock(jobs.map(({ transfer }) => ({
    runs: trials.length * armsOf(transfer).length,
    iterations: procedure.iterations - rewind,
  })));
  const started = performance.now();
  const snipCache = new Map<number, Float64Array[][]>();
  const graspCache = new Map<number, Float64Array[][]>();

  for (const [index, { transfer, level }] of jobs.entries()) {
    const source = members.get(transfer.from)!, target = members.get(transfer.to)!;
    const folder = transferDirectory(directory, source, target);
    const paperMap = paperBlockMap(sideOf(source), sideOf(target));
    writeFileAtomic(
      join(folder, "block-map.md"),
      blockMapTable(source, target, paperMap, procedure, rewind),
    );
    const places: RunPlace[] = trials.flatMap((trial) =>
      armsOf(transfer).map((arm) => ({
        trial,
        arm,
        replicate: 0,
        directory: armDirectory(folder, { trial, level, arm, replicate: 0 }),
      }))
    );
    const pending = places.filter((place) => !isDone(place.directory));
    for (const place of places.filter((place) => isDone(place.directory))) {
      rows.push(readRow(place.directory));
    }
    const label = `ett ${source.depth}->${target.depth} round ${level}`;
    if (pending.length === 0) {
      context.progress(`${label}: finished earlier, loaded from ${folder}`);
      clock.skip(index);
      continue;
    }
    const wants = (method: string) => pending.some((place) => place.arm.startsWith(`${method}-`));
    const snip = wants("snip") ? await snipScoresOf(context, target, trials, snipCache) : null;
    const grasp = wants("grasp") ? graspScoresOf(context, target, trials, graspCache) : null;
    const plans = pending.map((place) =>
      planArm(context, place, { source, target, level, paperMap, snip, grasp, trials })
    );
    const outcomes = await trainLevel(context, target.model, procedure, plans, {
      index,
      level,
      iterations: procedure.iterations - rewind,
      started,
      clock,
      label,
    });
    plans.forEach((plan, i) => {
      const reference = impTicket(target, plan.trial, level).masks;
      const row = resultRow(
        {
          trial: plan.trial,
          width: target.model.layout.layers[0].outputs,
          level,
          arm: plan.arm,
          replicate: 0,
        },
        plan.masks,
        outcomes[i].curve,
        reference,
      );
      const { finalParams, finalState, curve } = outcomes[i];
      const checkpoint = (network: Network) =>
        checkpointTensors(target.model.layout, network, plan.masks);
      writeRunFiles(plan.directory, {
        checkpoints: {
          [CHECKPOINT_FILES.init]: checkpoint({ params: plan.init, state: plan.state }),
          [CHECKPOINT_FILES.final]: checkpoint({ params: finalParams, state: finalState }),
        },
        curve,
        row,
        metadata: { trial: String(plan.trial), arm: plan.arm, replicate: "0" },
      });
      rows.push(row);
    });
  }
  return rows;
}

/** The family member with `blocks` blocks per stage, as its own imp experiment. */
function memberOf(context: ProcedureContext, blocks: number): Member {
  const { config } = context;
  const procedure = elasticConfig(config);
  const specs = withBlocksPerStage(configuredLayers(config), blocks);
  const depth = resnetDepth(specs);
  const { init, batchnorm_init, prune_biases } = config.model;
  const model: LayerListModelConfig = {
    init,
    prune_biases,
    ...(batchnorm_init ? { batchnorm_init } : {}),
    layers: specs,
  };
  const imp: ImpProcedure = {
    name: "imp",
    optimizer: procedure.optimizer,
    batch_size: procedure.batch_size,
    iterations: procedure.iterations,
    eval_every: procedure.eval_every,
    rounds: procedure.rounds,
    prune_fractions: procedure.prune_fractions,
    pruning: procedure.pruning,
    rewind: procedure.rewind,
    ...(procedure.trained_rounds ? { trained_rounds: procedure.trained_rounds } : {}),
  };
  const controls: ImpControls = { random_reinit: 0, random_mask: false, rounds: [] };
  return {
    blocks,
    depth,
    specs,
    model: buildModel(specs, featureMapsOf(context.dataset.shape)),
    config: {
      ...config,
      model,
      procedure: imp as unknown as ResolvedConfig["procedure"],
      controls: controls as unknown as ResolvedConfig["controls"],
    },
    directory: join(context.directory, ELASTIC_ARMS.imp(depth)),
  };
}

const sideOf = (member: Member) => ({ specs: member.specs, layout: member.model.layout });

function transferDirectory(directory: string, source: Member, target: Member): string {
  return join(directory, ELASTIC_ARMS.transformed(source.depth, target.depth));
}

/** A member's IMP ticket of a trial at a level: its masks and the network it trained from. */
function impTicket(member: Member, trial: number, level: number) {
  const run = armDirectory(member.directory, { trial, level, arm: "ticket", replicate: 0 });
  const bytes = readFileSync(armFiles(run).init);
  return {
    masks: masksFromCheckpoint(member.model.layout, bytes),
    network: networkFromCheckpoint(member.model.layout, bytes),
  };
}

/** A member's dense run of a trial: its network at the rewind point and its final one. */
function denseRun(member: Member, trial: number, rewind: number) {
  const run = armDirectory(member.directory, { trial, level: 0, arm: "ticket", replicate: 0 });
  const files = armFiles(run);
  const layout = member.model.layout;
  return {
    atRewind: networkFromCheckpoint(layout, readFileSync(rewind > 0 ? files.rewind : files.init)),
    final: networkFromCheckpoint(layout, readFileSync(files.final)),
  };
}

interface TransferJob {
  source: Member;
  target: Member;
  level: number;
  paperMap: ElasticBlockMap;
  /** SNIP's scores of the target's rewind point, per trial (in `trials` order). */
  snip: Float64Array[][] | null;
  /** GraSP's w * Hg of the target's rewind point, per trial (in `trials` order). */
  grasp: Float64Array[][] | null;
  trials: number[];
}

/** The masks and starting network of one arm of one trial. */
function planArm(context: ProcedureContext, place: RunPlace, job: TransferJob): RunPlan {
  const { config } = context;
  const { source, target, level, paperMap } = job;
  const { trial, arm } = place;
  const S = source.depth, T = target.depth;
  const layout = target.model.layout;
  const procedure = elasticConfig(config);
  const rewind = rewindIteration(procedure as unknown as ImpProcedure);
  const sourceTicket = impTicket(source, trial, level);
  const transform = (map: ElasticBlockMap) =>
    elasticTicket(
      {
        specs: source.specs,
        layout: source.model.layout,
        network: sourceTicket.network,
        masks: sourceTicket.masks,
      },
      { specs: target.specs, layout },
      map,
    );
  const plan = (masks: Float32Array[], network: Network): RunPlan => ({
    ...place,
    masks,
    init: applyMasks(layout, network.params, masks),
    state: network.state,
    order: "trial",
    frozen: false,
    linearized: false,
  });
  const transformed = transform(paperMap);
  if (arm === ELASTIC_ARMS.transformed(S, T)) return plan(transformed.masks, transformed.network);
  if (arm === ELASTIC_ARMS.shuffled(S, T)) {
    const rng = STREAMS.elasticShuffle.rng(config.seed, S, T, trial, level);
    const shuffled = transform(shuffledBlockMap(paperMap, rng));
    return plan(shuffled.masks, shuffled.network);
  }
  if (arm === ELASTIC_ARMS.reinit(S, T)) {
    const rng = STREAMS.elasticReinit.rng(config.seed, S, T, trial, level);
    const fresh = initialNetwork(
      layout,
      initParams(layout, config.model.init, rng, config.model.batchnorm_init),
    );
    return plan(transformed.masks, fresh);
  }
  const dense = denseRun(target, trial, rewind);
  const total = transformed.masks.reduce((n, mask) => n + countKept(mask), 0);
  if (arm === ELASTIC_ARMS.atRewind("random", S, T)) {
    const rng = STREAMS.elasticRandomMask.rng(config.seed, S, T, trial, level);
    const masks = transformed.masks.map((mask) => randomMask(mask.length, countKept(mask), rng));
    return plan(masks, dense.atRewind);
  }
  if (arm === ELASTIC_ARMS.atRewind("magnitude", S, T)) {
    const weights = layout.layers.map((_, l) => weightBlock(layout, dense.final.params, l));
    const full = layout.layers.map((layer) =>
      new Float32Array(layer.inputs * layer.outputs).fill(1)
    );
    return plan(pruneSmallestGlobally(weights, full, total), dense.atRewind);
  }
  if (arm === ELASTIC_ARMS.atRewind("snip", S, T) && job.snip) {
    return plan(masksKeepingTotal(job.snip[job.trials.indexOf(trial)], total), dense.atRewind);
  }
  if (arm === ELASTIC_ARMS.atRewind("grasp", S, T) && job.grasp) {
    return plan(masksKeepingTotal(job.grasp[job.trials.indexOf(trial)], total), dense.atRewind);
  }
  if (arm === ELASTIC_ARMS.atRewind("synflow", S, T)) {
    const rounds = elasticControls(config).synflow_rounds!;
    const sizes = layout.layers.map((layer) => layer.inputs * layer.outputs);
    const score = (masks: Float32Array[]) =>
      modelSynflowScores(target.model, dense.atRewind, masks);
    return plan(synflowMasksKeepingTotal(score, sizes, total, rounds), dense.atRewind);
  }
  throw new Error(`the elastic procedure has no arm "${arm}" (internal error)`);
}

/** SNIP's scores of the target's network at the rewind point, every trial in one GPU job. */
async function snipScoresOf(
  context: ProcedureContext,
  target: Member,
  trials: number[],
  cache: Map<number, Float64Array[][]>,
): Promise<Float64Array[][]> {
  const found = cache.get(target.blocks);
  if (found) return found;
  const { config, dataset } = context;
  const rewind = rewindIteration(elasticConfig(config) as unknown as ImpProcedure);
  const count = Math.min(elasticControls(config).snip_examples!, dataset.train.length);
  const examples = trials.map((trial) => {
    const order = STREAMS.elasticSnipExamples.rng(config.seed, trial).permutation(
      dataset.train.length,
    );
    return Uint32Array.from(order.subarray(0, count), (i) => dataset.train[i]);
  });
  const scores = await snipScoresOnGpu(
    context.gpu,
    target.model,
    dataset,
    trials.map((trial) => denseRun(target, trial, rewind).atRewind),
    examples,
    config.data.normalize,
  );
  cache.set(target.blocks, scores);
  return scores;
}

/**
 * GraSP's scores of the target's network at the rewind point, per trial: the first
 * grasp_examples_per_class examples of each class in a seeded permutation of the training split,
 * ordered by class and cut in two halves (Wang et al.'s GraSP_fetch_data and its two passes).
 */
function graspScoresOf(
  context: ProcedureContext,
  target: Member,
  trials: number[],
  cache: Map<number, Float64Array[][]>,
): Float64Array[][] {
  const found = cache.get(target.blocks);
  if (found) return found;
  const { config, dataset } = context;
  const controls = elasticControls(config);
  const rewind = rewindIteration(elasticConfig(config) as unknown as ImpProcedure);
  const scores = trials.map((trial) => {
    const order = STREAMS.elasticGraspExamples.rng(config.seed, trial).permutation(
      dataset.train.length,
    );
    const chosen = classBalanced(
      Array.from(order, (k) => dataset.train[k]),
      dataset.host.labels,
      target.model.outputs,
      controls.grasp_examples_per_class!,
    );
    const batch = saliencyBatch(dataset, chosen, config.data.normalize);
    return modelGraspScores(
      target.model,
      denseRun(target, trial, rewind).atRewind,
      halves(batch, target.model.inputs),
      controls.grasp_temperature!,
    );
  });
  cache.set(target.blocks, scores);
  return scores;
}

/**
 * The first `perClass` examples of each class in `examples`' order, class 0's first: a class
 * with fewer examples gives what it has.
 */
export function classBalanced(
  examples: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  perClass: number,
): Uint32Array {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < examples.length; i++) {
    const list = byClass[labels[examples[i]]];
    if (list && list.length < perClass) list.push(examples[i]);
  }
  return Uint32Array.from(byClass.flat());
}

/**
 * block-map.md: per stage, which source block each target block copies (kept or replicated) and
 * which source blocks were dropped, and the target training the transformation stands in for.
 */
function blockMapTable(
  source: Member,
  target: Member,
  map: ElasticBlockMap,
  procedure: ElasticProcedure,
  rewind: number,
): string {
  const lines = [
    `# ResNet-${source.depth} -> ResNet-${target.depth}: the Elastic Ticket Transformation`,
    "",
    `${
      target.blocks > source.blocks ? "Stretch" : "Squeeze"
    }: ${source.blocks} -> ${target.blocks} residual blocks per stage. Block 0 of every stage ` +
    "(the down-sampling block) maps to block 0; the stem and the classifier are copied as they " +
    "are. Block indices are local to their stage.",
    "",
    "| stage | target block | source block | copy |",
    "|---|---|---|---|",
  ];
  map.stages.forEach((stage, s) => {
    stage.forEach((origin, b) =>
      lines.push(`| ${s + 1} | ${b} | ${origin.source} | ${origin.copy} |`)
    );
    if (map.dropped[s].length > 0) {
      lines.push(`| ${s + 1} | (none) | ${map.dropped[s].join(", ")} | dropped |`);
    }
  });
  lines.push(
    "",
    "## Target training saved",
    "",
    "| source round | target IMP to that round (iterations) | transformed ticket (iterations) | saved |",
    "|---|---|---|---|",
  );
  const perRound = procedure.iterations - rewind;
  for (const round of procedure.transfer_rounds) {
    // IMP on the target: the dense run, then `round` rounds from the rewind point.
    const imp = procedure.iterations + round * perRound;
    const saved = imp - perRound;
    lines.push(
      `| ${round} | ${imp} | ${perRound} | ${saved} (${(100 * saved / imp).toFixed(1)}%) |`,
    );
  }
  lines.push(
    "",
    "IMP counts every round as one run of the budget from the rewind point, as the paper's " +
      "protocol trains them (a profile that skips rounds trains fewer). The source's own IMP is " +
      "not counted: the transformation reuses a ticket that exists.",
    "",
  );
  return lines.join("\n");
}
