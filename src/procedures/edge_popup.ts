/**
 * Edge-popup (Ramanujan et al. 2020) over the cells (width, k, weight init) of the sweeps: for
 * each width h (every hidden dense layer of model.layers set to h; convolutions keep their
 * channels, so a conv list such as Conv-4 sweeps the width of its hidden dense layers):
 * - dense (level 0): the trained dense network (model.init, with the biases of layers that have
 *   them), procedure.dense budget;
 * - <weight init> (level i = the i-th largest k of all sweeps): frozen weights without biases,
 *   scores trained for the procedure's budget, the top k of each layer's |score| kept in every
 *   forward pass; the weights and scores of one (trial, width, init) are shared by every k, so
 *   arms differ only in what they are compared on;
 * - random-mask (control, at every k the width has): signed-constant weights (else the width's
 *   first init) under a uniformly random mask keeping k of each layer, evaluated untrained.
 * Each (width, job) is resumable: it is skipped when every run's DONE marker exists.
 */
import { STREAMS } from "../base/streams.ts";
import { armDirectory } from "../io/paths.ts";
import type { ResultRow } from "../config/types.ts";
import { keepCount } from "../nn/topk_mask.ts";
import { applyMasks, flatMask, randomMask } from "../prune/mod.ts";
import { initParams } from "../model/init.ts";
import {
  allWidths,
  edgePopupConfig,
  edgePopupControls,
  sweepCells,
  sweepLevels,
  type WeightInit,
} from "./edge_popup_spec.ts";
import type { RowKey } from "./result_row.ts";
import { type PlannedRun, runJob } from "./run_job.ts";
import { denseTraining, evaluateGroup, type GroupRun, trainGroup } from "./train_group.ts";
import { configuredModel } from "./configured_model.ts";
import { EdgePopup } from "../model/mod.ts";
import type { ProcedureContext } from "./types.ts";

export async function runEdgePopup(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const p = edgePopupConfig(config);
  const controls = edgePopupControls(config);
  const trials = [...context.trials];
  const rows: ResultRow[] = [];
  const runDir = (key: RowKey) =>
    armDirectory(directory, { trial: key.trial, width: key.width, level: key.level, arm: key.arm });

  const cells = sweepCells(p);
  const levels = sweepLevels(p);
  for (const width of allWidths(p)) {
    const widthCells = cells.filter((cell) => cell.width === width);
    const ks = [...new Set(widthCells.map((cell) => cell.k))];
    const model = configuredModel(config, context.dataset, width);
    const layout = model.layout;
    const plan = (key: Omit<RowKey, "width" | "replicate">, run: GroupRun): PlannedRun => {
      const full = { ...key, width, replicate: 0 };
      return { ...run, key: full, directory: runDir(full) };
    };
    const ones = () => new Float32Array(layout.perRun).fill(1);

    const dense = trials.map((trial) =>
      plan({ trial, level: 0, arm: "dense" }, {
        trial,
        params: initParams(
          layout,
          config.model.init,
          STREAMS.edgePopupDenseInit.rng(config.seed, trial, width),
        ),
        mask: ones(),
      })
    );
    await runJob(
      layout,
      dense,
      async (runs) =>
        (await trainGroup(context, model, p.dense, denseTraining, runs, `h=${width} dense`))
          .map((o) => ({ ...o, trained: true })),
      rows,
    );
    // A dense-only width (procedure.dense.extra_widths) has no subnetworks to search.
    if (widthCells.length === 0) continue;

    const weightsOf = (init: WeightInit, trial: number) =>
      initParams(
        layout,
        init,
        STREAMS.edgePopupWeights.rng(config.seed, init, trial, width),
      );
    const scored = trials.flatMap((trial) => {
      const scores = initParams(
        layout,
        p.score_init,
        STREAMS.edgePopupScores.rng(config.seed, trial, width),
      );
      const weights = new Map<WeightInit, Float32Array>();
      return widthCells.map(({ k, init }) => {
        if (!weights.has(init)) weights.set(init, weightsOf(init, trial));
        return plan({ trial, level: levels.indexOf(k) + 1, arm: init }, {
          trial,
          params: weights.get(init)!,
          mask: ones(),
          scores,
          keep: layout.layers.map(() => k),
        });
      });
    });
    await runJob(layout, scored, async (runs) =>
      (await trainGroup(
        context,
        model,
        p,
        (group) => new EdgePopup(group.map((run) => run.keep!)),
        runs,
        `h=${width} edge-popup`,
      )).map((o) => ({ ...o, trained: true })), rows);

    if (controls.random_mask) {
      const inits = widthCells.map((cell) => cell.init);
      const init = inits.includes("signed-kaiming-constant") ? "signed-kaiming-constant" : inits[0];
      const randomArms = trials.flatMap((trial) => {
        const weights = weightsOf(init, trial);
        return ks.map((k) => {
          const level = levels.indexOf(k) + 1;
          const rng = STREAMS.edgePopupRandomMask.rng(config.seed, trial, width, level);
          const masks = layout.layers.map((layer) => {
            const n = layer.inputs * layer.outputs;
            return randomMask(n, keepCount(k, n), rng);
          });
          return plan({ trial, level, arm: "random-mask" }, {
            trial,
            params: applyMasks(layout, weights, masks),
            mask: flatMask(layout, masks),
          });
        });
      });
      await runJob(layout, randomArms, async (runs) => {
        const points = await evaluateGroup(
          context,
          model,
          runs,
          `h=${width} random-mask`,
        );
        return runs.map((run, r) => ({
          curve: [points[r]],
          params: run.params,
          state: run.state,
          mask: run.mask,
          trained: false,
        }));
      }, rows);
    }
  }
  return rows;
}
