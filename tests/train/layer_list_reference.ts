/**
 * The loss and gradient of any layer-list model (dense, conv2d, relu, sign, maxpool,
 * global_avgpool, batchnorm, residual blocks) for one run, on the CPU in f64, in training mode
 * (batch statistics, running estimates updated) or in evaluation mode (running estimates
 * normalise), built only from the per-op references: a dense layer is a 1x1 convolution of a
 * C x 1 x 1 image (conv2dReference and its gradients), ReLU is max(x, 0) and
 * reluBackwardReference, sign (MPT-1/1's binary activation) is signActivationReference forward and
 * its straight-through gradient signActivationBackwardReference backward, pooling is
 * maxPool2dReference / maxPool2dBackwardReference, the loss is
 * softmaxXentReference with the batch mean, batch norm is batchNormStatsReference then
 * batchNormApplyReference forward and batchNormGradStatsReference then
 * batchNormInputGradReference backward, and a residual block is its convolutions, norms, ReLUs
 * and the sum with its shortcut, as src/model/residual.ts states it. Weight gradients are masked
 * by `mask` as the trainer masks them; the products read W * mask; a layer without a bias gets no
 * bias gradient. The flat vectors use the model's layout offsets.
 */
import type {
  BatchNormLayer,
  Conv2dLayer,
  GlobalAvgPoolLayer,
  Layer,
  MaxPoolLayer,
  Model,
  ResidualBlockLayer,
} from "../../src/model/mod.ts";
import { poolShape } from "../../src/model/conv2d.ts";
import { batchNormApplyReference } from "../../src/nn/batchnorm_apply.ts";
import { batchNormGradStatsReference } from "../../src/nn/batchnorm_grad_stats.ts";
import { batchNormInputGradReference } from "../../src/nn/batchnorm_input_grad.ts";
import { batchNormStatsReference } from "../../src/nn/batchnorm_stats.ts";
import { conv2dReference } from "../../src/nn/conv2d.ts";
import { conv2dInputGradReference } from "../../src/nn/conv2d_input_grad.ts";
import type { Conv2dShape } from "../../src/nn/conv2d_shape.ts";
import { conv2dWeightGradReference } from "../../src/nn/conv2d_weight_grad.ts";
import { globalAvgPoolReference } from "../../src/nn/global_avgpool.ts";
import { globalAvgPoolBackwardReference } from "../../src/nn/global_avgpool_backward.ts";
import { maxPool2dReference } from "../../src/nn/maxpool2d.ts";
import { maxPool2dBackwardReference } from "../../src/nn/maxpool2d_backward.ts";
import { reluBackwardReference } from "../../src/nn/relu_backward.ts";
import { signActivationReference } from "../../src/nn/sign_activation.ts";
import { signActivationBackwardReference } from "../../src/nn/sign_activation_backward.ts";
import { softmaxXentReference } from "../../src/nn/softmax_xent.ts";

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

export interface LayerListPass {
  /** acts[0] = inputs, acts[i + 1] = layer i's output (ReLU applied separately). */
  acts: Float64Array[];
  /** Per batch norm: the batch's (mean, invstd) per channel; per residual block: its intermediates. */
  saved: Map<Layer, Float64Array[]>;
  /** The running statistics after this step's update (training), or as given (evaluation). */
  state: Float64Array;
  /** Mean softmax cross-entropy over the batch. */
  loss: number;
  logitGrads: Float64Array;
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
    for (let i = 0; i < y.length; i++) y[i] = Math.max(x[i], 0);
  } else if (layer.kind === "sign") {
    signActivationReference(x, y);
  } else if (layer.kind === "maxpool") {
    maxPool2dReference(pooled(layer, batch), x, y);
  } else if (layer.kind === "global_avgpool") {
    globalAvgPoolReference(pooled(layer, batch), x, y);
  } else if (layer.kind === "residual") {
    const block = layer as ResidualBlockLayer;
    const convA = forwardLayer(c, block.a.conv, x);
    const normA = forwardLayer(c, block.a.norm, convA).map((v) => Math.max(v, 0));
    const convB = forwardLayer(c, block.b.conv, normA);
    const normB = forwardLayer(c, block.b.norm, convB);
    const intermediates = [convA, normA, convB, normB];
    let shortcut = x;
    if (block.shortcut) {
      const convS = forwardLayer(c, block.shortcut.conv, x);
      shortcut = forwardLayer(c, block.shortcut.norm, convS);
      intermediates.push(convS, shortcut);
    }
    for (let i = 0; i < y.length; i++) y[i] = Math.max(normB[i] + shortcut[i], 0);
    c.saved.set(layer, intermediates);
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

/**
 * The forward pass and loss of one batch. Training uses batch statistics and returns the updated
 * running estimates (from `state`, default means 0 and variances 1); evaluation normalises with
 * `state`.
 */
export function layerListForward(
  model: Model,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { training?: boolean; state?: ArrayLike<number> } = {},
): LayerListPass {
  const batch = labels.length;
  const state = new Float64Array(model.layout.statePerRun);
  if (options.state) {
    state.set(options.state);
  } else {
    for (const norm of model.layout.norms) {
      state.fill(1, norm.varOffset, norm.varOffset + norm.channels);
    }
  }
  const context: ForwardContext = {
    model,
    params,
    mask,
    batch,
    training: options.training ?? true,
    state,
    saved: new Map(),
  };
  const acts: Float64Array[] = [Float64Array.from(inputs)];
  for (const layer of model.layers) acts.push(forwardLayer(context, layer, acts[acts.length - 1]));
  const classes = model.outputs;
  const logitGrads = new Float64Array(batch * classes);
  const rows = new Float64Array(batch * 2);
  softmaxXentReference(acts[acts.length - 1], labels, classes, 1 / batch, logitGrads, rows);
  let loss = 0;
  for (let b = 0; b < batch; b++) loss += rows[2 * b];
  return { acts, saved: context.saved, state, loss: loss / batch, logitGrads };
}

/** What one backward pass reads and writes. */
interface BackwardContext {
  model: Model;
  params: ArrayLike<number>;
  mask: ArrayLike<number>;
  batch: number;
  saved: Map<Layer, Float64Array[]>;
  grads: Float64Array;
}

/** The gradient of layer's input from its output's `dy` (which ReLUs overwrite in place). */
function backwardLayer(
  c: BackwardContext,
  layer: Layer,
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array,
): Float64Array {
  const { model, params, mask, batch, grads } = c;
  if (layer.kind === "relu") {
    reluBackwardReference(y, dy);
    return dy;
  }
  const dx = new Float64Array(batch * layer.inputs);
  if (layer.kind === "batchnorm") {
    const g = normGeometry(layer, batch, model);
    const [stats] = c.saved.get(layer)!;
    const sums = new Float64Array(2 * g.channels);
    batchNormGradStatsReference(g, x, dy, stats, sums, grads);
    batchNormInputGradReference(g, x, dy, stats, sums, params, dx);
  } else if (layer.kind === "sign") {
    signActivationBackwardReference(x, dy, dx);
  } else if (layer.kind === "maxpool") {
    maxPool2dBackwardReference(pooled(layer, batch), x, dy, dx);
  } else if (layer.kind === "global_avgpool") {
    globalAvgPoolBackwardReference(pooled(layer, batch), dy, dx);
  } else if (layer.kind === "residual") {
    const block = layer as ResidualBlockLayer;
    const [convA, normA, convB, normB, convS, normS] = c.saved.get(layer)!;
    const dz = dy.slice();
    reluBackwardReference(y, dz);
    const dNormA = backwardLayer(
      c,
      block.b.conv,
      normA,
      convB,
      backwardLayer(c, block.b.norm, convB, normB, dz.slice()),
    );
    reluBackwardReference(normA, dNormA);
    const dConvA = backwardLayer(c, block.a.norm, convA, normA, dNormA);
    const dxMain = backwardLayer(c, block.a.conv, x, convA, dConvA);
    const dxShortcut = block.shortcut
      ? backwardLayer(
        c,
        block.shortcut.conv,
        x,
        convS,
        backwardLayer(c, block.shortcut.norm, convS, normS, dz.slice()),
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

/** The gradient of the batch-mean loss w.r.t. the flat parameters (weights masked). */
export function layerListGradient(
  model: Model,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
): { loss: number; grads: Float64Array; state: Float64Array } {
  const batch = labels.length;
  const pass = layerListForward(model, params, mask, inputs, labels);
  const context: BackwardContext = {
    model,
    params,
    mask,
    batch,
    saved: pass.saved,
    grads: new Float64Array(model.layout.perRun),
  };
  let dy = pass.logitGrads;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    dy = backwardLayer(context, model.layers[i], pass.acts[i], pass.acts[i + 1], dy);
  }
  return { loss: pass.loss, grads: context.grads, state: pass.state };
}
