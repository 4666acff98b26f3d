/**
 * Multi-prize tickets (Diffenderfer & Kailkhura, ICLR 2021, arXiv 2103.09377; code
 * github.com/chrundle/biprop) over the (width, k) cells of the sweeps. For each width h (every
 * hidden dense layer of model.layers set to h) and trial, one draw of frozen random weights W
 * (procedure.weight_init, stream multiPrizeWeights) is shared by every k and every searched arm:
 * - dense (level 0): a weight-trained dense network of the same architecture (model.init, its own
 *   draw), procedure.dense budget;
 * Arms (results.csv names; an arm name is a folder name, so MPT-1/32 is `mpt-1-32`):
 * - mpt-1-32, MPT-1/32 (level i = the i-th largest k): Biprop (src/model/biprop.ts), effective weight
 *   alpha * sign(W) * topk(|S|) per layer, real activations (the model as declared), scores from
 *   seed a, procedure budget;
 * - mpt-1-32-b: the same with scores from seed b, a second ticket of the same W; its row's kappa is
 *   its final mask's chance-corrected overlap with mpt-1/32's (src/prune/mask_overlap.ts);
 * - mpt-1-1, MPT-1/1: Biprop on the model with every hidden relu replaced by a non-affine batch norm and a
 *   sign (binaryActivationLayers; the same weight tensors, so the same W), scores seed a,
 *   procedure.binary budget;
 * - edge-popup: full-precision EdgePopup (W * topk(|S|)) on the same W and scores seed a;
 * - random-mask (control, untrained): alpha * sign(W) under a uniformly random mask with
 *   mpt-1/32's per-layer counts, alpha = sum |W| M / sum M over that mask;
 * - random-signs (control, untrained): mpt-1/32's final mask and alpha with the signs of W drawn
 *   at random (a fair coin per weight).
 * Every arm but dense and mpt-1/32 records kappa against mpt-1/32's final mask of its trial and k.
 *
 * Checkpoints: a biprop run's final.safetensors holds `<layer>.weight` (the frozen W),
 * `<layer>.mask` (the top k of |score|) and `<layer>.scores`; the binary weights are
 * alpha * sign(W) * mask with alpha = sum |W| mask / sum mask per layer (0 when nothing is kept),
 * recomputable from those tensors, so alpha is not stored. mpt-1/1's checkpoints also hold the
 * non-affine batch norms' running statistics (bn<i>.running_mean, running_var). A control's
 * init.safetensors holds the binary weights it was evaluated with (alpha * sign * mask).
 *
 * Each (width, job) is resumable: it is skipped when every run's DONE marker exists; the controls
 * and kappas read mpt-1/32's final masks back from its checkpoints.
 */
import { readFileSync } from "node:fs";
import { STREAMS } from "../base/streams.ts";
import type { Rng } from "../base/rng.ts";
import type { ResultRow } from "../config/types.ts";
import { armDirectory, armFiles } from "../io/paths.ts";
import { decodeSafetensors } from "../io/safetensors.ts";
import {
  Biprop,
  buildModel,
  EdgePopup,
  featureMapsOf,
  initParams,
  type Model,
  type ParamLayout,
  withHiddenWidth,
} from "../model/mod.ts";
import { flatMask, randomMask } from "../prune/mod.ts";
import { configuredLayers, configuredModel } from "./configured_model.ts";
import {
  binaryActivationLayers,
  MPT_ARMS,
  multiPrizeCells,
  multiPrizeConfig,
  multiPrizeControls,
  multiPrizeLevels,
  multiPrizeWidths,
} from "./multi_prize_spec.ts";
import type { RowKey } from "./result_row.ts";
import { type JobOutcome, type PlannedRun, runJob } from "./run_job.ts";
import { denseTraining, evaluateGroup, type GroupOutcome, trainGroup } from "./train_group.ts";
import type { GroupRun } from "./train_group.ts";
import type { ProcedureContext } from "./types.ts";

/** The model with binary activations; its weight tensors must sit where the declared model's do. */
export function binaryActivationModel(
  context: Pick<ProcedureContext, "config" | "dataset">,
  width: number,
  real: Model,
): Model {
  const specs = withHiddenWidth(binaryActivationLayers(configuredLayers(context.config)), width);
  const model = buildModel(specs, featureMapsOf(context.dataset.shape));
  const a = real.layout, b = model.layout;
  const same = a.perRun === b.perRun && a.layers.length === b.layers.length &&
    a.layers.every((layer, l) =>
      layer.weightOffset === b.layers[l].weightOffset &&
      layer.biasOffset === b.layers[l].biasOffset && layer.inputs === b.layers[l].inputs &&
      layer.outputs === b.layers[l].outputs
    );
  if (!same) {
    throw new Error(
      `mpt-1/1's model (width ${width}) does not have the declared model's weight tensors ` +
        `(${a.perRun} vs ${b.perRun} parameters per run); internal error`,
    );
  }
  return model;
}

/**
 * The binary network alpha * sign * mask of each layer (alpha = sum |W| M / sum M in f64, 0 when
 * nothing is kept), signs from `signs` (default sign(W)); biases copied from W.
 */
export function binarizedParams(
  layout: ParamLayout,
  weights: Float32Array,
  masks: Float32Array[],
  signs?: Float32Array,
): Float32Array {
  const out = weights.slice();
  layout.layers.forEach((layer, l) => {
    const n = layer.inputs * layer.outputs, at = layer.weightOffset, mask = masks[l];
    let sum = 0, kept = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i] !== 0) {
        sum += Math.abs(weights[at + i]);
        kept++;
      }
    }
    const alpha = kept > 0 ? sum / kept : 0;
    for (let i = 0; i < n; i++) {
      const sign = signs ? signs[at + i] : Math.sign(weights[at + i]);
      out[at + i] = mask[i] !== 0 ? alpha * sign : 0;
    }
  });
  return out;
}

/** A fair random sign for every weight of every layer, in layer order (biases: 0). */
function randomSigns(layout: ParamLayout, rng: Rng): Float32Array {
  const signs = new Float32Array(layout.perRun);
  for (const layer of layout.layers) {
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let i = layer.weightOffset; i < end; i++) signs[i] = rng.nextU32() & 1 ? 1 : -1;
  }
  return signs;
}

/** A finished run's final masks, one per layer, from its final.safetensors. */
function finalMasks(layout: ParamLayout, directory: string): Float32Array[] {
  const path = armFiles(directory).final;
  const tensors = new Map(decodeSafetensors(readFileSync(path)).map((t) => [t.name, t.data]));
  return layout.layers.map((layer) => {
    const mask = tensors.get(`${layer.name}.mask`);
    if (!mask || mask.length !== layer.inputs * layer.outputs) {
      throw new Error(
        `${path} has no ${layer.name}.mask of ${
          layer.inputs * layer.outputs
        } entries; re-run with --fresh`,
      );
    }
    return mask;
  });
}

const trainedOutcome = (o: GroupOutcome): JobOutcome => ({ ...o, trained: true });

export async function runMultiPrize(context: ProcedureContext): Promise<ResultRow[]> {
  const { config, directory } = context;
  const p = multiPrizeConfig(config);
  const controls = multiPrizeControls(config);
  const trials = [...context.trials];
  const rows: ResultRow[] = [];
  const levels = multiPrizeLevels(p);
  const cells = multiPrizeCells(p);
  const levelOf = (k: number) => levels.indexOf(k) + 1;

  for (const width of multiPrizeWidths(p)) {
    const ks = cells.filter((cell) => cell.width === width).map((cell) => cell.k);
    const model = configuredModel(config, context.dataset, width);
    const binaryModel = binaryActivationModel(context, width, model);
    const layout = model.layout;
    const runDir = (key: Omit<RowKey, "width" | "replicate">) =>
      armDirectory(directory, { trial: key.trial, width, level: key.level, arm: key.arm });
    const plan = (key: Omit<RowKey, "width" | "replicate">, run: GroupRun): PlannedRun => ({
      ...run,
      key: { ...key, width, replicate: 0 },
      directory: runDir(key),
    });
    const ones = () => new Float32Array(layout.perRun).fill(1);
    const label = (arm: string) => `h=${width} ${arm}`;

    // The weight-trained dense target.
    const dense = trials.map((trial) =>
      plan({ trial, level: 0, arm: MPT_ARMS.dense }, {
        trial,
        params: initParams(
          layout,
          config.model.init,
          STREAMS.multiPrizeDenseInit.rng(config.seed, trial, width),
        ),
        mask: ones(),
      })
    );
    await runJob(
      layout,
      dense,
      async (runs) =>
        (await trainGroup(context, model, p.dense, denseTraining, runs, label("dense")))
          .map(trainedOutcome),
      rows,
    );

    // One W and two score draws per trial, shared by every k and arm.
    const weights = new Map<number, Float32Array>();
    const scores = new Map<string, Float32Array>();
    const weightsOf = (trial: number) => {
      if (!weights.has(trial)) {
        weights.set(
          trial,
          initParams(
            layout,
            p.weight_init,
            STREAMS.multiPrizeWeights.rng(config.seed, trial, width),
          ),
        );
      }
      return weights.get(trial)!;
    };
    const scoresOf = (seed: "a" | "b", trial: number) => {
      const id = `${seed} ${trial}`;
      if (!scores.has(id)) {
        scores.set(
          id,
          initParams(
            layout,
            p.score_init,
            STREAMS.multiPrizeScores.rng(config.seed, seed, trial, width),
          ),
        );
      }
      return scores.get(id)!;
    };
    const searched = (arm: string, seed: "a" | "b", trial: number, k: number) =>
      plan({ trial, level: levelOf(k), arm }, {
        trial,
        params: weightsOf(trial),
        mask: ones(),
        scores: scoresOf(seed, trial),
        keep: layout.layers.map(() => k),
      });
    const biprop = (group: GroupRun[]) => new Biprop(group.map((run) => run.keep!));

    // mpt-1/32 and its second ticket, side by side: b at index 2i + 1, its a at 2i.
    const pairs = trials.flatMap((trial) =>
      ks.flatMap((k) => [
        searched(MPT_ARMS.mpt32, "a", trial, k),
        searched(MPT_ARMS.mpt32b, "b", trial, k),
      ])
    );
    await runJob(layout, pairs, async (runs) => {
      const outcomes = await trainGroup(context, model, p, biprop, runs, label("mpt-1/32"));
      return outcomes.map((o, i) => ({
        ...trainedOutcome(o),
        reference: i % 2 === 1 ? outcomes[i - 1].mask : undefined,
      }));
    }, rows);

    // mpt-1/32's final masks (from its checkpoints, so a resumed run reads the same), by trial and k.
    const ticket = (trial: number, k: number) =>
      finalMasks(layout, runDir({ trial, level: levelOf(k), arm: MPT_ARMS.mpt32 }));
    const withReference = (run: PlannedRun) =>
      flatMask(layout, ticket(run.trial, levels[run.key.level - 1]));

    const binary = trials.flatMap((trial) => ks.map((k) => searched(MPT_ARMS.mpt1, "a", trial, k)));
    await runJob(
      binaryModel.layout,
      binary,
      async (runs) =>
        (await trainGroup(context, binaryModel, p.binary, biprop, runs, label("mpt-1/1")))
          .map((o, i) => ({ ...trainedOutcome(o), reference: withReference(runs[i]) })),
      rows,
    );

    const edgePopup = trials.flatMap((trial) =>
      ks.map((k) => searched(MPT_ARMS.edgePopup, "a", trial, k))
    );
    await runJob(layout, edgePopup, async (runs) =>
      (await trainGroup(
        context,
        model,
        p,
        (group) => new EdgePopup(group.map((run) => run.keep!)),
        runs,
        label("edge-popup"),
      )).map((o, i) => ({ ...trainedOutcome(o), reference: withReference(runs[i]) })), rows);

    // Untrained controls on the declared (real-activation) model.
    const controlRuns: PlannedRun[] = [];
    for (const trial of trials) {
      for (const k of ks) {
        const level = levelOf(k);
        const found = ticket(trial, k);
        if (controls.random_mask) {
          const rng = STREAMS.multiPrizeRandomMask.rng(config.seed, trial, width, level);
          const masks = found.map((mask) =>
            randomMask(mask.length, mask.reduce((n, m) => n + m, 0), rng)
          );
          controlRuns.push(plan({ trial, level, arm: MPT_ARMS.randomMask }, {
            trial,
            params: binarizedParams(layout, weightsOf(trial), masks),
            mask: flatMask(layout, masks),
          }));
        }
        if (controls.random_signs) {
          const rng = STREAMS.multiPrizeRandomSigns.rng(config.seed, trial, width, level);
          controlRuns.push(plan({ trial, level, arm: MPT_ARMS.randomSigns }, {
            trial,
            params: binarizedParams(layout, weightsOf(trial), found, randomSigns(layout, rng)),
            mask: flatMask(layout, found),
          }));
        }
      }
    }
    if (controlRuns.length > 0) {
      await runJob(layout, controlRuns, async (runs) => {
        const points = await evaluateGroup(context, model, runs, label("controls"));
        return runs.map((run, r) => ({
          curve: [points[r]],
          params: run.params,
          state: run.state,
          mask: run.mask,
          trained: false,
          reference: withReference(run),
        }));
      }, rows);
    }
  }
  return rows;
}
