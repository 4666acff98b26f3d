/**
 * Weight initialisers, each drawing from its own seeded stream. Biases start at 0; batch norms'
 * beta at 0 and gamma at 1 (`batchnorm_init: ones`, PyTorch's BatchNorm default since 1.2) or
 * gamma ~ U[0, 1) (`uniform`: open_lth's batchnorm_init for its CIFAR ResNets,
 * models/bn_initializers.py, which was PyTorch's default before 1.2), drawn after every weight.
 * - glorot-normal: w ~ N(0, 2 / (fan_in + fan_out))          (Frankle & Carbin)
 *   with fan_in = in * k * k and fan_out = out * k * k for a k x k convolution (as TensorFlow's
 *   and PyTorch's initialisers count them); k = 1 for a dense layer
 * - kaiming-normal: w ~ N(0, 2 / fan_in)
 * - signed-kaiming-constant: w = +-sqrt(2 / fan_in), sign uniform (Ramanujan et al.)
 * - kaiming-uniform: w ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default for a Linear weight
 *   (kaiming_uniform_ with a = sqrt(5)); edge-popup's scores start so (Ramanujan et al.'s code)
 */
import { Rng } from "../base/rng.ts";
import type { ParamLayout, WeightBlock } from "./layout.ts";

export type InitName =
  | "glorot-normal"
  | "kaiming-normal"
  | "signed-kaiming-constant"
  | "kaiming-uniform";

/** The standard deviation of a layer's init distribution; fan-in is `inputs`. */
export function initStd(
  init: InitName,
  { inputs, outputs, receptiveField }: Pick<WeightBlock, "inputs" | "outputs" | "receptiveField">,
): number {
  if (init === "glorot-normal") return Math.sqrt(2 / (inputs + outputs * receptiveField));
  // U(-b, b) has std b / sqrt(3), b = 1 / sqrt(fan_in).
  if (init === "kaiming-uniform") return 1 / Math.sqrt(3 * inputs);
  return Math.sqrt(2 / inputs);
}

export type BatchNormInit = "ones" | "uniform";

export function initParams(
  layout: ParamLayout,
  init: InitName,
  rng: Rng,
  batchnormInit: BatchNormInit = "ones",
): Float32Array {
  const params = new Float32Array(layout.perRun);
  for (const layer of layout.layers) {
    const std = initStd(init, layer);
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let i = layer.weightOffset; i < end; i++) {
      params[i] = init === "signed-kaiming-constant"
        ? (rng.nextU32() & 1 ? std : -std)
        : init === "kaiming-uniform"
        ? std * Math.sqrt(3) * (2 * rng.nextUnit() - 1)
        : std * rng.nextNormal();
    }
  }
  for (const norm of layout.norms) {
    if (!norm.affine) continue;
    for (let c = 0; c < norm.channels; c++) {
      params[norm.gammaOffset + c] = batchnormInit === "uniform" ? rng.nextUnit() : 1;
    }
  }
  return params;
}
