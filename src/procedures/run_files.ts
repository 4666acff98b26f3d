/**
 * One run's files in the results folder: its checkpoints (safetensors with PyTorch's
 * names: fc1.weight [out, in], fc1.bias [out] (unless bias: false), fc1.mask [out, in], and fc1.scores [out, in] for
 * score-trained runs; bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var [channels] for batch
 * norms), metrics.jsonl, row.json, and the DONE marker written last (their paths:
 * armFiles in src/io/paths.ts). A run whose DONE exists is never redone; its row is read back.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { armFiles } from "../io/paths.ts";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../io/safetensors.ts";
import type { ResultRow } from "../config/types.ts";
import {
  biasBlock,
  type Network,
  type NormBlock,
  type ParamLayout,
  weightBlock,
} from "../model/layout.ts";
import type { EvalPoint } from "../train/train_runs.ts";

/**
 * The state dict of one run: per weight layer weight, bias, mask (and scores when given), then per
 * batch norm `bnK.weight` and `bnK.bias` (gamma and beta, affine only), `bnK.running_mean` and
 * `bnK.running_var`. A model without batch norms has exactly the weight layers' tensors.
 */
export function checkpointTensors(
  layout: ParamLayout,
  network: Network,
  masks: Float32Array[],
  scores?: Float32Array,
): SafetensorsTensor[] {
  const { params, state } = network;
  if (params.length !== layout.perRun || state.length !== layout.statePerRun) {
    throw new RangeError(
      `a checkpoint needs ${layout.perRun} parameters and ${layout.statePerRun} running statistics, got ${params.length} and ${state.length}`,
    );
  }
  const layers = layout.layers.flatMap((layer, l) => {
    const shape = layer.shape;
    const tensors: SafetensorsTensor[] = [
      { name: `${layer.name}.weight`, shape, data: weightBlock(layout, params, l) },
      ...(layer.bias
        ? [{
          name: `${layer.name}.bias`,
          shape: [layer.outputs],
          data: biasBlock(layout, params, l),
        }]
        : []),
      { name: `${layer.name}.mask`, shape, data: masks[l] },
    ];
    if (scores) {
      tensors.push({ name: `${layer.name}.scores`, shape, data: weightBlock(layout, scores, l) });
    }
    return tensors;
  });
  const norms = layout.norms.flatMap((norm) =>
    normTensors(norm, network).map(([part, data]) => ({
      name: `${norm.name}.${part}`,
      shape: [norm.channels],
      data,
    }))
  );
  return [...layers, ...norms];
}

/** A batch norm's tensors by PyTorch name, as views into the network's vectors. */
function normTensors(norm: NormBlock, { params, state }: Network): [string, Float32Array][] {
  const view = (flat: Float32Array, offset: number) =>
    flat.subarray(offset, offset + norm.channels);
  return [
    ...(norm.affine
      ? [["weight", view(params, norm.gammaOffset)], ["bias", view(params, norm.betaOffset)]] as [
        string,
        Float32Array,
      ][]
      : []),
    ["running_mean", view(state, norm.meanOffset)],
    ["running_var", view(state, norm.varOffset)],
  ];
}

/**
 * The network of a checkpoint: the flat parameters (weights, biases, batch norms' gamma and beta)
 * and the state (running statistics). A missing tensor is an error naming it: a checkpoint written
 * by an older version of this tool (before batch norms were stored) cannot be resumed from.
 */
export function networkFromCheckpoint(layout: ParamLayout, bytes: Uint8Array): Network {
  const tensors = new Map(decodeSafetensors(bytes).map((t) => [t.name, t.data]));
  const network: Network = {
    params: new Float32Array(layout.perRun),
    state: new Float32Array(layout.statePerRun),
  };
  const read = (name: string, target: Float32Array) => {
    const data = tensors.get(name);
    if (!data) throw new Error(`checkpoint has no ${name}; re-run with --fresh`);
    if (data.length !== target.length) {
      throw new Error(
        `checkpoint's ${name} has ${data.length} entries, the model needs ${target.length}; re-run with --fresh`,
      );
    }
    target.set(data);
  };
  layout.layers.forEach((layer, l) => {
    read(`${layer.name}.weight`, weightBlock(layout, network.params, l));
    // A layer without a bias keeps its slot at 0 and has no tensor.
    if (layer.bias) read(`${layer.name}.bias`, biasBlock(layout, network.params, l));
  });
  for (const norm of layout.norms) {
    for (const [part, view] of normTensors(norm, network)) read(`${norm.name}.${part}`, view);
  }
  return network;
}

/** The per-layer masks of a checkpoint (`<layer>.mask`), in layout order. */
export function masksFromCheckpoint(layout: ParamLayout, bytes: Uint8Array): Float32Array[] {
  const tensors = new Map(decodeSafetensors(bytes).map((t) => [t.name, t.data]));
  return layout.layers.map((layer) => {
    const data = tensors.get(`${layer.name}.mask`);
    if (!data || data.length !== layer.inputs * layer.outputs) {
      throw new Error(
        `checkpoint's ${layer.name}.mask is ${
          data
            ? `${data.length} entries, the model needs ${layer.inputs * layer.outputs}`
            : "missing"
        }; re-run with --fresh`,
      );
    }
    return Float32Array.from(data);
  });
}

export interface RunFiles {
  /** Checkpoints by file name (CHECKPOINT_FILES in src/io/paths.ts). */
  checkpoints: Record<string, SafetensorsTensor[]>;
  curve: EvalPoint[];
  row: ResultRow;
  metadata: Record<string, string>;
}

export function writeRunFiles(directory: string, files: RunFiles): void {
  const paths = armFiles(directory);
  for (const [name, tensors] of Object.entries(files.checkpoints)) {
    writeFileAtomic(paths.checkpoint(name), encodeSafetensors(tensors, files.metadata));
  }
  writeFileAtomic(
    paths.metrics,
    files.curve.map((point) => JSON.stringify(point)).join("\n") + "\n",
  );
  writeJsonAtomic(paths.row, files.row);
  writeFileAtomic(paths.done, "");
}

export function isDone(directory: string): boolean {
  return existsSync(armFiles(directory).done);
}

export function readRow(directory: string): ResultRow {
  let row = JSON.parse(readFileSync(armFiles(directory).row, "utf8"));
  if (row.level === undefined && row.round !== undefined) {
    // Written before ResultRow.round became level: the same value under its old name.
    const { round, ...rest } = row;
    row = { ...rest, level: round };
  }
  if (row.early_stop_censored === undefined) {
    // Written before rows said so: censored when the early stop is the curve's last point.
    const curve = readCurve(directory);
    const last = curve[curve.length - 1];
    row.early_stop_censored = curve.length > 1 && row.early_stop_iteration === last.iteration;
  }
  return row;
}

/** A run's evaluation curve, from its metrics.jsonl. */
export function readCurve(directory: string): EvalPoint[] {
  return readFileSync(armFiles(directory).metrics, "utf8").trim().split("\n").map((line) =>
    JSON.parse(line)
  );
}
