/**
 * Where each tensor of an MLP lives in the flat per-run parameter vector. Gradients, masks and
 * optimizer moments use the same offsets. Names and shapes follow PyTorch (`fc1.weight` [out, in]).
 * Every tensor and the per-run stride start at a multiple of 4 floats so the matmul kernels can
 * use vec4 loads; the few padding entries stay 0 (zero gradient, mask 1).
 */
export interface DenseLayout {
  name: string;
  inputs: number;
  outputs: number;
  weightOffset: number;
  biasOffset: number;
}

export interface ParamLayout {
  widths: number[];
  layers: DenseLayout[];
  perRun: number;
}

function alignTo4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

export function mlpLayout(widths: readonly number[]): ParamLayout {
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(
      `an MLP needs at least two positive integer widths, got [${widths.join(", ")}]`,
    );
  }
  const layers: DenseLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l];
    const outputs = widths[l + 1];
    const weightOffset = offset;
    const biasOffset = alignTo4(weightOffset + inputs * outputs);
    offset = alignTo4(biasOffset + outputs);
    layers.push({ name: `fc${l + 1}`, inputs, outputs, weightOffset, biasOffset });
  }
  return { widths: [...widths], layers, perRun: offset };
}

/** The flat mask of one run: 1 everywhere, then each layer's weight block from `layerMasks`. */
export function flatMask(layout: ParamLayout, layerMasks: readonly Float32Array[]): Float32Array {
  const mask = new Float32Array(layout.perRun).fill(1);
  layout.layers.forEach((layer, l) => mask.set(layerMasks[l], layer.weightOffset));
  return mask;
}

/** A view of layer l's weight block [out, in] inside one run's flat vector. */
export function weightBlock(layout: ParamLayout, flat: Float32Array, l: number): Float32Array {
  const layer = layout.layers[l];
  return flat.subarray(layer.weightOffset, layer.weightOffset + layer.inputs * layer.outputs);
}

export function biasBlock(layout: ParamLayout, flat: Float32Array, l: number): Float32Array {
  const layer = layout.layers[l];
  return flat.subarray(layer.biasOffset, layer.biasOffset + layer.outputs);
}
