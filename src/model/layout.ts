/**
 * Where each parameter tensor lives in the flat per-run parameter vector. Gradients, masks and
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

export interface DenseShape {
  inputs: number;
  outputs: number;
}

export interface ParamLayout {
  /** The input width, then every dense layer's output width. */
  widths: number[];
  layers: DenseLayout[];
  perRun: number;
}

function alignTo4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** The layout of dense layers fc1, fc2, ... with these shapes, in order. */
export function layoutOf(inputs: number, shapes: readonly DenseShape[]): ParamLayout {
  const widths = [inputs, ...shapes.map((shape) => shape.outputs)];
  if (widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(`layer widths must be positive integers, got [${widths.join(", ")}]`);
  }
  const layers: DenseLayout[] = [];
  let offset = 0;
  shapes.forEach(({ inputs, outputs }, l) => {
    const weightOffset = offset;
    const biasOffset = alignTo4(weightOffset + inputs * outputs);
    offset = alignTo4(biasOffset + outputs);
    layers.push({ name: `fc${l + 1}`, inputs, outputs, weightOffset, biasOffset });
  });
  return { widths, layers, perRun: offset };
}

export function mlpLayout(widths: readonly number[]): ParamLayout {
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(
      `an MLP needs at least two positive integer widths, got [${widths.join(", ")}]`,
    );
  }
  return layoutOf(
    widths[0],
    widths.slice(1).map((outputs, l) => ({ inputs: widths[l], outputs })),
  );
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
