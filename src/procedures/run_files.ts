/**
 * One run's files in the results folder: its checkpoints (safetensors with PyTorch's
 * names: fc1.weight [out, in], fc1.bias [out] (unless bias: false), fc1.mask [out, in], and fc1.scores [out, in] for
 * score-trained runs), metrics.jsonl, row.json, and the DONE marker written last (their paths:
 * armFiles in src/io/paths.ts). A run whose DONE exists is never redone; its row is read back.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { armFiles } from "../io/paths.ts";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../io/safetensors.ts";
import type { ResultRow } from "../config/types.ts";
import { biasBlock, type ParamLayout, weightBlock } from "../model/layout.ts";
import type { EvalPoint } from "../train/train_runs.ts";

/** The state dict of one run: per layer weight, bias, mask (and scores when given). */
export function checkpointTensors(
  layout: ParamLayout,
  params: Float32Array,
  masks: Float32Array[],
  scores?: Float32Array,
): SafetensorsTensor[] {
  return layout.layers.flatMap((layer, l) => {
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
}

/** The flat parameters (weights and biases) of a checkpoint. */
export function paramsFromCheckpoint(layout: ParamLayout, bytes: Uint8Array): Float32Array {
  const tensors = new Map(decodeSafetensors(bytes).map((t) => [t.name, t.data]));
  const params = new Float32Array(layout.perRun);
  layout.layers.forEach((layer, l) => {
    for (const [part, block] of [["weight", weightBlock], ["bias", biasBlock]] as const) {
      // A layer without a bias keeps its slot at 0 and has no tensor.
      if (part === "bias" && !layer.bias) continue;
      const data = tensors.get(`${layer.name}.${part}`);
      if (!data) throw new Error(`checkpoint has no ${layer.name}.${part}; re-run with --fresh`);
      block(layout, params, l).set(data);
    }
  });
  return params;
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
