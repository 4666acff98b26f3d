/**
 * Weight initialisers, each drawing from its own seeded stream. Biases start at 0.
 * - glorot-normal: w ~ N(0, 2 / (fan_in + fan_out))          (Frankle & Carbin)
 * - kaiming-normal: w ~ N(0, 2 / fan_in)
 * - signed-kaiming-constant: w = +-sqrt(2 / fan_in), sign uniform (Ramanujan et al.)
 * - kaiming-uniform: w ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default for a Linear weight
 *   (kaiming_uniform_ with a = sqrt(5)); edge-popup's scores start so (Ramanujan et al.'s code)
 */
import { Rng } from "../base/rng.ts";
import type { ParamLayout } from "./layout.ts";

export type InitName =
  | "glorot-normal"
  | "kaiming-normal"
  | "signed-kaiming-constant"
  | "kaiming-uniform";

/** The standard deviation of layer l's init distribution. */
export function initStd(init: InitName, inputs: number, outputs: number): number {
  if (init === "glorot-normal") return Math.sqrt(2 / (inputs + outputs));
  // U(-b, b) has std b / sqrt(3), b = 1 / sqrt(fan_in).
  if (init === "kaiming-uniform") return 1 / Math.sqrt(3 * inputs);
  return Math.sqrt(2 / inputs);
}

export function initParams(layout: ParamLayout, init: InitName, rng: Rng): Float32Array {
  const params = new Float32Array(layout.perRun);
  for (const layer of layout.layers) {
    const std = initStd(init, layer.inputs, layer.outputs);
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let i = layer.weightOffset; i < end; i++) {
      params[i] = init === "signed-kaiming-constant"
        ? (rng.nextU32() & 1 ? std : -std)
        : init === "kaiming-uniform"
        ? std * Math.sqrt(3) * (2 * rng.nextUnit() - 1)
        : std * rng.nextNormal();
    }
  }
  return params;
}
