/**
 * Where each parameter tensor lives in the flat per-run parameter vector. Gradients, masks and
 * optimizer moments use the same offsets. Names and shapes follow PyTorch (`fc1.weight` [out, in],
 * `conv1.weight` [out, in, kh, kw]). Every tensor and the per-run stride start at a multiple of 4
 * floats so the matmul kernels can use vec4 loads; the few padding entries stay 0 (zero gradient,
 * mask 1).
 *
 * A weight layer's block is a matrix [outputs, inputs] whatever its kind: a convolution's weight
 * [out, in, k, k] is, row-major, the matrix [out, in*k*k], so pruning, masks and scores treat dense
 * and convolutional layers alike; `shape` restores the tensor's own shape for checkpoints.
 *
 * A layer without a bias (`bias: false`) keeps its bias slot, fixed at 0: the products add it as
 * they add any bias (no kernel variant), its gradient is never written (so it stays 0 under every
 * optimizer, weight decay included), and checkpoints leave it out.
 */
export interface WeightBlock {
  /** Checkpoint name: fc1, fc2, ... for dense layers, conv1, conv2, ... for convolutions. */
  name: string;
  /** Fan-in: inputs per output (in * k * k for a convolution). */
  inputs: number;
  outputs: number;
  /** The weight tensor's PyTorch shape: [out, in] or [out, in, k, k]. */
  shape: number[];
  /** Weights each input feature map meets per output (k * k; 1 for dense): fan-out / outputs. */
  receptiveField: number;
  /** False for `bias: false`: the bias slot stays 0 and is not in checkpoints. */
  bias: boolean;
  weightOffset: number;
  biasOffset: number;
}

export interface WeightShape {
  name: string;
  inputs: number;
  outputs: number;
  shape: number[];
  receptiveField: number;
  bias: boolean;
}

/**
 * A batch norm's tensors: gamma (`weight`) and beta (`bias`) in the parameter vector after every
 * weight block (trained, never pruned; absent without affine parameters), the running mean and
 * variance in the state vector (not trained; written by the training forward pass).
 */
export interface NormBlock {
  /** Checkpoint name: bn1, bn2, ... */
  name: string;
  channels: number;
  affine: boolean;
  gammaOffset: number;
  betaOffset: number;
  meanOffset: number;
  varOffset: number;
}

export interface NormShape {
  name: string;
  channels: number;
  affine: boolean;
}

export interface ParamLayout {
  /** The input width, then every dense layer's output width. */
  widths: number[];
  layers: WeightBlock[];
  norms: NormBlock[];
  perRun: number;
  /** Floats per run of the state vector (running statistics); 0 without batch norms. */
  statePerRun: number;
}

function alignTo4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** The layout of weight layers with these shapes, in order, then the batch norms'. */
export function layoutOf(
  inputs: number,
  shapes: readonly WeightShape[],
  normShapes: readonly NormShape[] = [],
): ParamLayout {
  const widths = [inputs, ...shapes.map((shape) => shape.outputs)];
  if (widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(`layer widths must be positive integers, got [${widths.join(", ")}]`);
  }
  const layers: WeightBlock[] = [];
  let offset = 0;
  for (const { name, inputs, outputs, shape, receptiveField, bias } of shapes) {
    const weightOffset = offset;
    const biasOffset = alignTo4(weightOffset + inputs * outputs);
    offset = alignTo4(biasOffset + outputs);
    layers.push({ name, inputs, outputs, shape, receptiveField, bias, weightOffset, biasOffset });
  }
  const norms: NormBlock[] = [];
  let state = 0;
  for (const { name, channels, affine } of normShapes) {
    const gammaOffset = offset;
    const betaOffset = affine ? alignTo4(gammaOffset + channels) : gammaOffset;
    if (affine) offset = alignTo4(betaOffset + channels);
    const meanOffset = state;
    const varOffset = alignTo4(meanOffset + channels);
    state = alignTo4(varOffset + channels);
    norms.push({ name, channels, affine, gammaOffset, betaOffset, meanOffset, varOffset });
  }
  return { widths, layers, norms, perRun: offset, statePerRun: state };
}

/** The shape of dense layer number `index` (0-based): fc<index + 1>, weight [outputs, inputs]. */
export function denseShape(
  index: number,
  inputs: number,
  outputs: number,
  bias = true,
): WeightShape {
  return {
    name: `fc${index + 1}`,
    inputs,
    outputs,
    shape: [outputs, inputs],
    receptiveField: 1,
    bias,
  };
}

export function mlpLayout(widths: readonly number[]): ParamLayout {
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(
      `an MLP needs at least two positive integer widths, got [${widths.join(", ")}]`,
    );
  }
  return layoutOf(
    widths[0],
    widths.slice(1).map((outputs, l) => denseShape(l, widths[l], outputs)),
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

/** Every run's state vector at initialisation: running means 0, running variances 1 (PyTorch). */
export function initialState(layout: ParamLayout, runs: number): Float32Array {
  const state = new Float32Array(runs * layout.statePerRun);
  for (let r = 0; r < runs; r++) {
    for (const norm of layout.norms) {
      const at = r * layout.statePerRun + norm.varOffset;
      state.fill(1, at, at + norm.channels);
    }
  }
  return state;
}

/**
 * What one run's network is, as PyTorch's state_dict holds it: its flat parameters [perRun] and
 * its state [statePerRun] (the batch norms' running statistics; empty without batch norms).
 * Whatever carries a run's parameters from one trainer to another carries its state beside them.
 */
export interface Network {
  params: Float32Array;
  state: Float32Array;
}

/** A network at initialisation: these parameters and the initial running statistics. */
export function initialNetwork(layout: ParamLayout, params: Float32Array): Network {
  return { params, state: initialState(layout, 1) };
}

/** The flat state of several runs [runs * statePerRun], in order. */
export function flatStates(layout: ParamLayout, states: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(states.length * layout.statePerRun);
  states.forEach((state, r) => {
    if (state.length !== layout.statePerRun) {
      throw new RangeError(
        `run ${r} has ${state.length} running statistics, the model needs ${layout.statePerRun}`,
      );
    }
    out.set(state, r * layout.statePerRun);
  });
  return out;
}
