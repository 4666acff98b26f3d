/**
 * Weight initialisers, each drawing from its own seeded stream. Biases start at 0.
 * - glorot-normal: w ~ N(0, 2 / (fan_in + fan_out))          (Frankle & Carbin)
 * - kaiming-normal: w ~ N(0, 2 / fan_in)
 * - signed-kaiming-constant: w = +-sqrt(2 / fan_in), sign uniform (Ramanujan et al.)
 */
import { Rng } from "../data/rng.ts";
import type { ParamLayout } from "../nn/layout.ts";

export type InitName = "glorot-normal" | "kaiming-normal" | "signed-kaiming-constant";

/** The standard deviation of layer l's init distribution. */
export function initStd(init: InitName, inputs: number, outputs: number): number {
  return init === "glorot-normal" ? Math.sqrt(2 / (inputs + outputs)) : Math.sqrt(2 / inputs);
}

export function initParams(layout: ParamLayout, init: InitName, rng: Rng): Float32Array {
  const params = new Float32Array(layout.perRun);
  for (const layer of layout.layers) {
    const std = initStd(init, layer.inputs, layer.outputs);
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let i = layer.weightOffset; i < end; i++) {
      params[i] = init === "signed-kaiming-constant"
        ? (rng.nextU32() & 1 ? std : -std)
        : std * rng.nextNormal();
    }
  }
  return params;
}
