/**
 * The loss and gradient of any layer-list model (dense, conv2d, relu, sign, maxpool,
 * global_avgpool, batchnorm, residual blocks) for one run, on the CPU in f64, in training mode
 * (batch statistics, running estimates updated) or in evaluation mode (running estimates
 * normalise). It is the trainer's reference (tests/train/conv_trainer_test.ts) and the engine of
 * the pruning-at-initialisation saliencies of models that are not plain MLPs (src/prune/
 * model_saliency.ts). Built from the per-op references: a dense layer is a 1x1 convolution of a
 * C x 1 x 1 image (conv2dReference and its gradients), sign (MPT-1/1's binary activation) is
 * signActivationReference forward and its straight-through gradient
 * signActivationBackwardReference backward, the loss is softmaxXentReference with the batch mean,
 * batch norm in training mode is batchNormStatsReference then batchNormApplyReference forward and
 * batchNormGradStatsReference then batchNormInputGradReference backward, and a residual block is
 * its convolutions, norms, ReLUs and the sum with its shortcut, as src/model/residual.ts states it.
 * Weight gradients are masked by `mask` as the trainer masks them; the products read W * mask; a
 * layer without a bias gets no bias gradient. The flat vectors use the model's layout offsets.
 *
 * ReLUs and max poolings are piecewise linear: a pass records its decisions as gates (per ReLU
 * output 1 where the input is > 0, relu'(0) = 0 as in the kernels; per pooled output the argmax,
 * maxPool2dArgmax's tie rule) and the backward pass reads them. A pass given another pass's gates
 * replays them instead (y = gate * x, y = x[argmax]): the function is then smooth in the weights
 * (products, batch norms, softmax), so finite differences of its gradient give the
 * Hessian-vector product that autograd's double backward gives (relu'' = 0, the argmax fixed).
 * Evaluation-mode batch norm is the affine map y = gamma (x - mean) / sqrt(var + eps) + beta of
 * the running estimates; its backward is dx = gamma dy / sqrt(var + eps),
 * dgamma = sum dy xhat, dbeta = sum dy.
 * A temperature T divides the logits before the softmax (GraSP's), so dL/dz = dL/d(z / T) / T.
 */
import type { BatchNormLayer } from "./batchnorm.ts";
import { type Conv2dLayer, poolShape } from "./conv2d.ts";
import type { GlobalAvgPoolLayer } from "./global_avgpool.ts";
import type { Layer } from "./layer.ts";
import type { MaxPoolLayer } from "./maxpool.ts";
import type { Model } from "./model.ts";
import type { ResidualBlockLayer } from "./residual.ts";
import { batchNormApplyReference } from "../nn/batchnorm_apply.ts";
import { BATCHNORM_EPS } from "../nn/batchnorm_shape.ts";
import { batchNormGradStatsReference } from "../nn/batchnorm_grad_stats.ts";
import { batchNormInputGradReference } from "../nn/batchnorm_input_grad.ts";
import { batchNormStatsReference } from "../nn/batchnorm_stats.ts";
import { conv2dReference } from "../nn/conv2d.ts";
import { conv2dInputGradReference } from "../nn/conv2d_input_grad.ts";
import type { Conv2dShape } from "../nn/conv2d_shape.ts";
import { conv2dWeightGradReference } from "../nn/conv2d_weight_grad.ts";
import { globalAvgPoolReference } from "../nn/global_avgpool.ts";
import { globalAvgPoolBackwardReference } from "../nn/global_avgpool_backward.ts";
import { maxPool2dArgmax } from "../nn/maxpool2d.ts";
import { pooledSize } from "../nn/pool_shape.ts";
import { signActivationReference } from "../nn/sign_activation.ts";
import { signActivationBackwardReference } from "../nn/sign_activation_backward.ts";
import { softmaxXentReference } from "../nn/softmax_xent.ts";

/** The convolution a weight layer is: its own, or a dense layer as a 1x1 convolution. */
function convShape(layer: Layer, batch: number): Conv2dShape {
  if (layer.kind === "conv2d") {
    const conv = layer as Conv2dLayer;
    const { kernel, stride, padding, output } = conv.geometry;
    return {
      runs: 1,
      batch,
      inChannels: conv.input.channels,
      height: conv.input.height,
      width: conv.input.width,
      outChannels: output.channels,
      kernel,
      stride,
      padding,
    };
  }
  return {
    runs: 1,
    batch,
    inChannels: layer.inputs,
    height: 1,
    width: 1,
    outChannels: layer.outputs,
    kernel: 1,
    stride: 1,
    padding: 0,
  };
}

/** A pooling layer's kernel shape for one run. */
function pooled(layer: Layer, batch: number) {
  return poolShape((layer as MaxPoolLayer | GlobalAvgPoolLayer).input, 1, batch);
}

/** A batch norm's shape, running-statistics and affine layouts for one run. */
function normGeometry(layer: Layer, batch: number, model: Model) {
  const { norm, input } = layer as BatchNormLayer;
  return {
    runs: 1,
    batch,
    channels: input.channels,
    spatial: input.height * input.width,
    running: {
      meanOffset: norm.meanOffset,
      varOffset: norm.varOffset,
      statePerRun: model.layout.statePerRun,
    },
    affine: norm.affine
      ? {
        gammaOffset: norm.gammaOffset,
        betaOffset: norm.betaOffset,
        paramsPerRun: model.layout.perRun,
      }
      : undefined,
  };
}

/**
 * A pass's piecewise-linear decisions, per layer: a ReLU layer's gate (1: input > 0), a residual
 * block's two gates (after its first norm, after the sum), a max pooling's argmax per output.
 */
export type Gates = Map<Layer, Uint32Array[]>;

export interface F64Pass {
  /** acts[0] = inputs, acts[i + 1] = layer i's output. */
  acts: Float64Array[];
  /** Per batch norm in training mode: the batch's (mean, invstd) per channel; per residual block: its intermediates. */
  saved: Map<Layer, Float64Array[]>;
  /** The decisions this pass took (recorded, or the replayed ones it was given). */
  gates: Gates;
  training: boolean;
  /** The running statistics after this step's update (training), or as given (evaluation). */
  state: Float64Array;
  /** Mean softmax cross-entropy over the batch of logits / T. */
  loss: number;
  /** dL/dlogits. */
  logitGrads: Float64Array;
}

export interface F64PassOptions {
  /** Batch statistics (default) or the running estimates `state` normalise. */
  training?: boolean;
  /** Running estimates; default means 0 and variances 1. */
  state?: ArrayLike<number>;
  /** Logits are divided by it before the softmax (default 1). */
  temperature?: number;
  /** Another pass's gates to replay; absent: this pass records its own. */
  gates?: Gates;
}

/** What one forward pass reads and writes besides the activations. */
interface ForwardContext {
  model: Model;
  params: ArrayLike<number>;
  mask: ArrayLike<number>;
  batch: number;
  training: boolean;
  state: Float64Array;
  saved: Map<Layer, Float64Array[]>;
  gates: Gates;
  replay: boolean;
}

/** The gate `index` of `layer`: replayed, or recorded from `decide`. */
function gateOf(c: ForwardContext, layer: Layer, index: number, decide: () => Uint32Array) {
  const gates = c.gates.get(layer) ?? [];
  if (!c.replay) {
    gates[index] = decide();
    c.gates.set(layer, gates);
  }
  const gate = gates[index];
  if (!gate) {
    throw new RangeError(`no recorded gate ${index} of a ${layer.kind} layer to replay`);
  }
  return gate;
}

/** y = gate * x with the gate recorded as x > 0 (or replayed). */
function gatedRelu(c: ForwardContext, layer: Layer, index: number, x: Float64Array) {
  const gate = gateOf(c, layer, index, () => Uint32Array.from(x, (v) => (v > 0 ? 1 : 0)));
  return x.map((v, i) => (gate[i] ? v : 0));
}

function forwardLayer(c: ForwardContext, layer: Layer, x: Float64Array): Float64Array {
  const { model, params, mask, batch, state } = c;
  const y = new Float64Array(batch * layer.outputs);
  if (layer.kind === "batchnorm") {
    const g = normGeometry(layer, batch, model);
    if (c.training) {
      const stats = new Float64Array(2 * g.channels);
      batchNormStatsReference({ ...g, ...g.running }, x, stats, state);
      batchNormApplyReference({ ...g, training: true }, { x, saved: stats, params }, y);
      c.saved.set(layer, [stats]);
    } else {
      batchNormApplyReference({ ...g, training: false }, { x, state, params }, y);
    }
  } else if (layer.kind === "relu") {
    return gatedRelu(c, layer, 0, x);
  } else if (layer.kind === "sign") {
    signActivationReference(x, y);
  } else if (layer.kind === "maxpool") {
    const shape = pooled(layer, batch);
    const out = pooledSize(shape);
    const perPlane = out.height * out.width;
    const argmax = gateOf(c, layer, 0, () =>
      Uint32Array.from({ length: y.length }, (_, o) => {
        const plane = Math.floor(o / perPlane), p = o % perPlane;
        return maxPool2dArgmax(shape, x, plane, Math.floor(p / out.width), p % out.width);
      }));
    for (let o = 0; o < y.length; o++) y[o] = x[argmax[o]];
  } else if (layer.kind === "global_avgpool") {
    globalAvgPoolReference(pooled(layer, batch), x, y);
  } else if (layer.kind === "residual") {
    const block = layer as ResidualBlockLayer;
    const convA = forwardLayer(c, block.a.conv, x);
    const normA = gatedRelu(c, layer, 0, forwardLayer(c, block.a.norm, convA));
    const convB = forwardLayer(c, block.b.conv, normA);
    const normB = forwardLayer(c, block.b.norm, convB);
    const intermediates = [convA, normA, convB, normB];
    let shortcut = x;
    if (block.shortcut) {
      const convS = forwardLayer(c, block.shortcut.conv, x);
      shortcut = forwardLayer(c, block.shortcut.norm, convS);
      intermediates.push(convS, shortcut);
    }
    c.saved.set(layer, intermediates);
    return gatedRelu(c, layer, 1, normB.map((v, i) => v + shortcut[i]));
  } else {
    conv2dReference({
      ...convShape(layer, batch),
      paramsPerRun: model.layout.perRun,
      weightOffset: layer.block!.weightOffset,
      biasOffset: layer.block!.biasOffset,
      x,
      params,
      mask,
      relu: false,
    }, y);
  }
  return y;
}

/** The model's output for a batch of `batch` inputs, and the pass that made it. */
export function f64Outputs(
  model: Model,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  batch: number,
  options: F64PassOptions = {},
): Omit<F64Pass, "loss" | "logitGrads"> {
  const state = new Float64Array(model.layout.statePerRun);
  if (options.state) {
    state.set(options.state);
  } else {
    for (const norm of model.layout.norms) {
      state.fill(1, norm.varOffset, norm.varOffset + norm.channels);
    }
  }
  if (inputs.length !== batch * model.inputs) {
    throw new RangeError(
      `a batch of ${batch} needs ${batch * model.inputs} inputs, got ${inputs.length}`,
    );
  }
  const context: ForwardContext = {
    model,
    params,
    mask,
    batch,
    training: options.training ?? true,
    state,
    saved: new Map(),
    gates: options.gates ?? new Map(),
    replay: options.gates !== undefined,
  };
  const acts: Float64Array[] = [Float64Array.from(inputs)];
  for (const layer of model.layers) acts.push(forwardLayer(context, layer, acts[acts.length - 1]));
  return { acts, saved: context.saved, gates: context.gates, training: context.training, state };
}

/**
 * The forward pass and loss of one batch. Training uses batch statistics and returns the updated
 * running estimates (from `state`, default means 0 and variances 1); evaluation normalises with
 * `state`.
 */
export function f64Forward(
  model: Model,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: F64PassOptions = {},
): F64Pass {
  const batch = labels.length;
  const pass = f64Outputs(model, params, mask, inputs, batch, options);
  const temperature = options.temperature ?? 1;
  const classes = model.outputs;
  const scaled = pass.acts[pass.acts.length - 1].map((z) => z / temperature);
  const logitGrads = new Float64Array(batch * classes);
  const rows = new Float64Array(batch * 2);
  softmaxXentReference(scaled, labels, classes, 1 / (batch * temperature), logitGrads, rows);
  let loss = 0;
  for (let b = 0; b < batch; b++) loss += rows[2 * b];
  return { ...pass, loss: loss / batch, logitGrads };
}

/** What one backward pass reads and writes. */
interface BackwardContext {
  model: Model;
  params: ArrayLike<number>;
  mask: ArrayLike<number>;
  batch: number;
  pass: Omit<F64Pass, "loss" | "logitGrads">;
  grads: Float64Array;
}

/** dy * gate, in place. */
function gateGrad(c: BackwardContext, layer: Layer, index: number, dy: Float64Array) {
  const gate = c.pass.gates.get(layer)![index];
  for (let i = 0; i < dy.length; i++) if (!gate[i]) dy[i] = 0;
  return dy;
}

/** The gradient of layer's input from its output's `dy` (which ReLUs overwrite in place). */
function backwardLayer(
  c: BackwardContext,
  layer: Layer,
  x: Float64Array,
  dy: Float64Array,
): Float64Array {
  const { model, params, mask, batch, grads } = c;
  if (layer.kind === "relu") return gateGrad(c, layer, 0, dy);
  const dx = new Float64Array(batch * layer.inputs);
  if (layer.kind === "batchnorm") {
    const g = normGeometry(layer, batch, model);
    if (c.pass.training) {
      const [stats] = c.pass.saved.get(layer)!;
      const sums = new Float64Array(2 * g.channels);
      batchNormGradStatsReference(g, x, dy, stats, sums, grads);
      batchNormInputGradReference(g, x, dy, stats, sums, params, dx);
    } else {
      evalNormBackward(g, c.pass.state, params, x, dy, dx, grads);
    }
  } else if (layer.kind === "sign") {
    signActivationBackwardReference(x, dy, dx);
  } else if (layer.kind === "maxpool") {
    const argmax = c.pass.gates.get(layer)![0];
    for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
  } else if (layer.kind === "global_avgpool") {
    globalAvgPoolBackwardReference(pooled(layer, batch), dy, dx);
  } else if (layer.kind === "residual") {
    const block = layer as ResidualBlockLayer;
    const [convA, normA, convB, , convS] = c.pass.saved.get(layer)!;
    const dz = gateGrad(c, layer, 1, dy.slice());
    const dNormA = backwardLayer(
      c,
      block.b.conv,
      normA,
      backwardLayer(c, block.b.norm, convB, dz.slice()),
    );
    const dConvA = backwardLayer(c, block.a.norm, convA, gateGrad(c, layer, 0, dNormA));
    const dxMain = backwardLayer(c, block.a.conv, x, dConvA);
    const dxShortcut = block.shortcut
      ? backwardLayer(
        c,
        block.shortcut.conv,
        x,
        backwardLayer(c, block.shortcut.norm, convS, dz.slice()),
      )
      : dz;
    for (let i = 0; i < dx.length; i++) dx[i] = dxMain[i] + dxShortcut[i];
  } else {
    const shape = convShape(layer, batch);
    const block = layer.block!;
    conv2dWeightGradReference({
      ...shape,
      paramsPerRun: model.layout.perRun,
      weightOffset: block.weightOffset,
      dy,
      x,
      gradMask: mask,
    }, grads);
    if (block.bias) {
      // db[o] = sum over the batch and the output pixels of dy[b, o, pixel].
      const pixels = layer.outputs / block.outputs;
      for (let o = 0; o < block.outputs; o++) {
        let sum = 0;
        for (let b = 0; b < batch; b++) {
          for (let p = 0; p < pixels; p++) sum += dy[(b * block.outputs + o) * pixels + p];
        }
        grads[block.biasOffset + o] = sum;
      }
    }
    conv2dInputGradReference({
      ...shape,
      paramsPerRun: model.layout.perRun,
      weightOffset: block.weightOffset,
      dy,
      params,
      mask,
    }, dx);
  }
  return dx;
}

/** Evaluation-mode batch norm backward (the affine map of the running estimates). */
function evalNormBackward(
  g: ReturnType<typeof normGeometry>,
  state: Float64Array,
  params: ArrayLike<number>,
  x: Float64Array,
  dy: Float64Array,
  dx: Float64Array,
  grads: Float64Array,
) {
  const { batch: B, channels: C, spatial: S, running, affine } = g;
  for (let c = 0; c < C; c++) {
    const mean = state[running.meanOffset + c];
    const invstd = 1 / Math.sqrt(state[running.varOffset + c] + BATCHNORM_EPS);
    const gamma = affine ? params[affine.gammaOffset + c] : 1;
    let sumDy = 0, sumDyXhat = 0;
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        const i = (b * C + c) * S + s;
        sumDy += dy[i];
        sumDyXhat += dy[i] * (x[i] - mean) * invstd;
        dx[i] = dy[i] * gamma * invstd;
      }
    }
    if (affine) {
      grads[affine.gammaOffset + c] = sumDyXhat;
      grads[affine.betaOffset + c] = sumDy;
    }
  }
}

/** The gradient of a scalar whose derivative by the outputs is `outputGrads`, through `pass`. */
export function f64Backward(
  model: Model,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  pass: Omit<F64Pass, "loss" | "logitGrads">,
  outputGrads: Float64Array,
): Float64Array {
  const context: BackwardContext = {
    model,
    params,
    mask,
    batch: outputGrads.length / model.outputs,
    pass,
    grads: new Float64Array(model.layout.perRun),
  };
  let dy: Float64Array = outputGrads.slice();
  for (let i = model.layers.length - 1; i >= 0; i--) {
    dy = backwardLayer(context, model.layers[i], pass.acts[i], dy);
  }
  return context.grads;
}

/** The gradient of the batch-mean loss w.r.t. the flat parameters (weights masked). */
export function f64Gradient(
  model: Model,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: F64PassOptions = {},
): { loss: number; grads: Float64Array; state: Float64Array; gates: Gates } {
  const pass = f64Forward(model, params, mask, inputs, labels, options);
  const grads = f64Backward(model, params, mask, pass, pass.logitGrads);
  return { loss: pass.loss, grads, state: pass.state, gates: pass.gates };
}
