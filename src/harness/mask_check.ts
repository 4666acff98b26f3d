/**
 * The mask half of `verify` (issue #16 (b)): every `*.mask` tensor in a checkpoint holds only 0
 * and 1, and the fraction of weights remaining is sum(mask) / count(mask) over all mask tensors
 * together (masked weights / all maskable weights, the quantity results.csv's weights_remaining
 * records).
 */
import type { SafetensorsTensor } from "../io/safetensors.ts";

const MASK_SUFFIX = ".mask";

export interface MaskCheck {
  /** One line per tensor holding a value other than 0 or 1: what, the value seen, where. */
  problems: string[];
  /** sum / count over every mask tensor; undefined when the checkpoint has no mask tensor. */
  weightsRemaining: number | undefined;
}

/** Check the mask tensors of one checkpoint; `path` names it in the problem lines. */
export function checkMasks(tensors: readonly SafetensorsTensor[], path: string): MaskCheck {
  const problems: string[] = [];
  let kept = 0;
  let total = 0;
  for (const tensor of tensors) {
    if (!tensor.name.endsWith(MASK_SUFFIX)) continue;
    const bad = tensor.data.findIndex((value) => value !== 0 && value !== 1);
    if (bad >= 0) {
      problems.push(
        `${path}: mask ${tensor.name} entry ${bad} is ${
          tensor.data[bad]
        }, expected 0 or 1; the checkpoint was altered or written by other code`,
      );
    }
    for (const value of tensor.data) kept += value;
    total += tensor.data.length;
  }
  return { problems, weightsRemaining: total === 0 ? undefined : kept / total };
}
