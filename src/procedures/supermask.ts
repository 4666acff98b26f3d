/**
 * Supermasks (Zhou, Lan, Liu, Yosinski 2019) on one network shape:
 * 1. dense (level 0): the network trained with the weak-LTH protocol (procedure.train), from the
 *    same initialisation stream as weak-lth's, read from the trained cache when an experiment
 *    already trained it (trained_cache.ts);
 * 2. untrained supermasks (levels 1..n for weights_remaining): for each criterion (plus the
 *    random control) a mask keeping that fraction of each layer, scored from the initial and final
 *    weights, applied to the untrained network with each kept-values rule: init (w_i), signed
 *    constant (sign(w_i) * the layer's init std), and the random-signs control (a random sign
 *    times the same constant). Biases are 0, as initialised. Only evaluated. Arms are
 *    `<criterion>.<kept values>`; each level's masks are stored once per criterion.
 * 3. learned.<weights> (level n + 1): one arm per kind of frozen weights
 *    (procedure.learned.weights: the initial values or signed constants), one score per weight,
 *    trained through masks sampled from Bernoulli(sigmoid(score)) every step; evaluated with the
 *    most probable mask [score > 0], whose kept fraction is the row's weights remaining.
 * Each step is resumable: a level is skipped when every run's DONE marker exists.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { STREAMS } from "../base/streams.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import {
  armDirectory,
  armFiles,
  levelDirectory,
  masksFile,
  trainedDirectory,
} from "../io/paths.ts";
import { encodeSafetensors } from "../io/safetensors.ts";
import type { ResultRow } from "../config/types.ts";
import {
  BernoulliSupermask,
  type Model,
  type Network,
  type ParamLayout,
  weightBlock,
} from "../model/mod.ts";
import { configuredModel, firstWidth } from "./configured_model.ts";
import { keepCount } from "../nn/topk_mask.ts";
import {
  criterionScores,
  flatMask,
  keepTop,
  keptValues,
  type MaskCriterion,
  rankByScore,
} from "../prune/mod.ts";
import { initParams } from "../model/init.ts";

import { isDone, networkFromCheckpoint, readCurve, readRow, writeRunFiles } from "./run_files.ts";
import { type PlannedRun, runJob } from "./run_job.ts";
import { learnedArm, maskArm, supermaskConfig, untrainedArms } from "./supermask_spec.ts";
import { trainedKey } from "./trained_cache.ts";
import { denseTraining, evaluateGroup, trainGroup } from "./train_group.ts";
import type { ProcedureContext } from "./types.ts";

export async function runSupermask(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const p = supermaskConfig(config);
  const model = configuredModel(config, context.dataset);
  const layout = model.layout;
  const width = firstWidth(config);
  const trials = [...context.trials];
  const rows: ResultRow[] = [];
  const runDir = (trial: number, level: number, arm: string) =>
    armDirectory(directory, { trial, level, arm });

  // 1. The dense training, shared through the trained cache.
  const trained = await denseNetworks(context, model, trials);
  trials.forEach((trial, t) => {
    const dir = runDir(trial, 0, "dense");
    if (!isDone(dir)) {
      mkdirSync(dir, { recursive: true });
      const [from, to] = [armFiles(trained[t].source), armFiles(dir)];
      copyFileSync(from.init, to.init);
      copyFileSync(from.final, to.final);
      writeRunFiles(dir, {
        checkpoints: {},
        curve: readCurve(trained[t].source),
        row: { ...readRow(trained[t].source), arm: "dense", level: 0, replicate: 0 },
        metadata: {},
      });
    }
    rows.push(readRow(dir));
  });

  // 2. Untrained supermasks, level by level.
  const arms = untrainedArms(config);
  const criteria = [...new Set(arms.map(([criterion]) => criterion))];
  const rankings = trials.map((trial, t) =>
    new Map(criteria.map((criterion) => [
      criterion,
      layout.layers.map((_, l) =>
        rankByScore(criterionScores(
          criterion,
          weightBlock(layout, trained[t].init.params, l),
          weightBlock(layout, trained[t].final.params, l),
          STREAMS.supermaskRandomCriterion.rng(config.seed, trial, l),
        ))
      ),
    ]))
  );
  for (const [index, fraction] of p.weights_remaining.entries()) {
    const level = index + 1;
    const runs: PlannedRun[] = [];
    trials.forEach((trial, t) => {
      const masks = new Map(criteria.map((criterion) => [
        criterion,
        layout.layers.map((layer, l) =>
          keepTop(
            rankings[t].get(criterion)![l],
            keepCount(fraction, layer.inputs * layer.outputs),
          )
        ),
      ]));
      for (const [criterion, values] of arms) {
        const layerMasks = masks.get(criterion)!;
        const arm = maskArm(criterion, values);
        runs.push({
          trial,
          params: keptValues(
            layout,
            trained[t].init.params,
            layerMasks,
            values,
            config.model.init,
            STREAMS.supermaskRandomSigns.rng(config.seed, trial),
          ),
          // The untrained network: its initial running statistics.
          state: trained[t].init.state,
          mask: flatMask(layout, layerMasks),
          key: { trial, width, level, arm, replicate: 0 },
          directory: runDir(trial, level, arm),
        });
      }
      writeMasks(levelDirectory(directory, { trial, level }), layout, masks);
    });
    await runJob(
      layout,
      runs,
      async (planned) => {
        const points = await evaluateGroup(
          context,
          model,
          planned,
          `level ${level} (${(100 * fraction).toFixed(1)}% of each layer)`,
        );
        return planned.map((run, r) => ({
          curve: [points[r]],
          params: run.params,
          state: run.state,
          mask: run.mask,
          trained: false,
        }));
      },
      rows,
      { checkpoints: false },
    );
  }

  // 3. The learned supermask.
  const learned = p.learned;
  const level = p.weights_remaining.length + 1;
  const learnedRuns: PlannedRun[] = trials.flatMap((trial, t) =>
    learned.weights.map((weights) => {
      const arm = learnedArm(weights);
      return {
        trial,
        params: weights === "init" ? new Float32Array(trained[t].init.params) : keptValues(
          layout,
          trained[t].init.params,
          null,
          "signed-constant",
          config.model.init,
          null,
        ),
        state: trained[t].init.state,
        mask: new Float32Array(layout.perRun).fill(1),
        // The same starting scores for every kind of weights: only the weights differ.
        scores: initParams(
          layout,
          learned.score_init,
          STREAMS.supermaskScores.rng(config.seed, trial),
        ),
        key: { trial, width, level, arm, replicate: 0 },
        directory: runDir(trial, level, arm),
      };
    })
  );
  await runJob(layout, learnedRuns, async (planned) =>
    (await trainGroup(
      context,
      model,
      learned,
      () => new BernoulliSupermask(STREAMS.supermaskSample.key(config.seed)),
      planned,
      "learned supermask",
    )).map((outcome) => ({ ...outcome, trained: true })), rows);
  return rows;
}

interface DenseNetwork {
  /** The folder holding its checkpoints, row.json and metrics.jsonl. */
  source: string;
  init: Network;
  final: Network;
}

/** Each trial's trained dense network: from the cache, else trained now (all trials at once). */
async function denseNetworks(
  context: ProcedureContext,
  model: Model,
  trials: number[],
): Promise<DenseNetwork[]> {
  const { config } = context;
  const layout = model.layout;
  const training = supermaskConfig(config).train;
  const sources = trials.map((trial) =>
    trainedDirectory(
      context.cacheDirectory,
      trainedKey(config, training, trial, context.checksums),
    )
  );
  const missing = trials.filter((_, t) => !isDone(sources[t]));
  if (missing.length > 0) {
    const runs: PlannedRun[] = missing.map((trial) => ({
      trial,
      // The stream weak-lth's IMP initialises from, so both experiments train the same network.
      params: initParams(
        layout,
        config.model.init,
        STREAMS.init.rng(config.seed, trial),
        config.model.batchnorm_init,
      ),
      mask: new Float32Array(layout.perRun).fill(1),
      key: { trial, width: firstWidth(config), level: 0, arm: "dense", replicate: 0 },
      directory: sources[trials.indexOf(trial)],
    }));
    await runJob(
      layout,
      runs,
      async (planned) =>
        (await trainGroup(context, model, training, denseTraining, planned, "dense"))
          .map((outcome) => ({ ...outcome, trained: true })),
      [],
    );
  } else {
    context.progress(`dense networks: read from ${context.cacheDirectory}`);
  }
  return sources.map((source) => ({
    source,
    init: networkFromCheckpoint(layout, readFileSync(armFiles(source).init)),
    final: networkFromCheckpoint(layout, readFileSync(armFiles(source).final)),
  }));
}

/** Each criterion's masks of one level, once (every kept-values arm of it shares them). */
function writeMasks(
  directory: string,
  layout: ParamLayout,
  masks: Map<MaskCriterion, Float32Array[]>,
): void {
  for (const [criterion, layerMasks] of masks) {
    const file = masksFile(directory, criterion);
    if (existsSync(file)) continue;
    writeFileAtomic(
      file,
      encodeSafetensors(
        layout.layers.map((layer, l) => ({
          name: `${layer.name}.mask`,
          shape: layer.shape,
          data: layerMasks[l],
        })),
        { criterion },
      ),
    );
  }
}
