/**
 * The whole MLP training step of Trainer (src/train/trainer.ts) on the CPU in f64, for one run,
 * built only from the per-op references (matmulReference, softmaxXentReference,
 * reluBackwardReference, biasGradReference, adamReference): no math of its own. The order and
 * semantics mirror Trainer.prepare():
 *
 *   forward   a[l+1] = relu?(a[l] . (W_l * M_l if maskInProducts else W_l)^T + b_l), ReLU on
 *             every layer but the last;
 *   loss      softmax cross-entropy per row, gradient scaled by 1 / batch (the batch mean);
 *   backward  for l = L-1 .. 0: dW_l = (M_l *) (dY^T . a[l]); db_l = sum over the batch of dY;
 *             if l > 0: dX = dY . (W_l * M_l or W_l), then dX *= (a[l] > 0);
 *   optimizer masked Adam over the whole flat vector (biases and padding have mask 1) at step
 *             t = (steps done) + 1, with the f32-rounded bias corrections of adamCorrections.
 *
 * maskInProducts switches every mask multiply of the products, as in the trainer: with it off
 * the weights are assumed pre-masked (pruned weights held at 0), the weight gradient is left
 * unmasked, and masked Adam alone keeps pruned weights and moments at 0. The flat vectors use
 * mlpLayout's offsets; padding entries get gradient 0.
 */
import { type AdamHyper, adamReference } from "../../src/nn/adam.ts";
import { biasGradReference } from "../../src/nn/bias_grad.ts";
import type { ParamLayout } from "../../src/model/layout.ts";
import { matmulReference } from "../../src/nn/matmul.ts";
import { reluBackwardReference } from "../../src/nn/relu_backward.ts";
import { softmaxXentReference } from "../../src/nn/softmax_xent.ts";

export interface MlpReferenceOptions {
  /**
   * Multiply weights by the mask inside the forward and input-gradient products and the weight
   * gradient by the mask (default true), as TrainerOptions.maskInProducts.
   */
  maskInProducts?: boolean;
}

/** Adam state of one run: moments with the layout's offsets, and the steps done so far. */
export interface AdamState {
  m: Float64Array;
  v: Float64Array;
  t: number;
}

interface Forward {
  /** acts[0] = inputs, acts[L] = logits; each [batch, width] row-major. */
  acts: Float64Array[];
  /** dLoss/dlogits of the batch-mean loss, [batch, classes]. */
  logitGrads: Float64Array;
  /** (loss, correct) per row. */
  rows: Float64Array;
}

function checkShapes(
  layout: ParamLayout,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  const batch = labels.length;
  if (params.length !== layout.perRun || mask.length !== layout.perRun) {
    throw new RangeError(
      `params and mask need ${layout.perRun} entries, got ${params.length} and ${mask.length}`,
    );
  }
  if (batch < 1 || inputs.length !== batch * layout.widths[0]) {
    throw new RangeError(
      `inputs need batch * ${layout.widths[0]} = ${
        batch * layout.widths[0]
      } values for ${batch} labels, got ${inputs.length}`,
    );
  }
  return batch;
}

function forward(
  layout: ParamLayout,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: MlpReferenceOptions,
): Forward {
  const batch = checkShapes(layout, params, mask, inputs, labels);
  const maskInProducts = options.maskInProducts ?? true;
  const L = layout.layers.length;
  const acts: Float64Array[] = [Float64Array.from(inputs)];
  layout.layers.forEach((layer, l) => {
    const out = new Float64Array(batch * layer.outputs);
    matmulReference({
      M: batch,
      N: layer.outputs,
      K: layer.inputs,
      runs: 1,
      a: { data: acts[l], offset: 0, stride0: layer.inputs, stride1: 1, runStride: 0 },
      // B(k, n) = W[n, k]
      b: {
        data: params,
        offset: layer.weightOffset,
        stride0: 1,
        stride1: layer.inputs,
        runStride: 0,
      },
      c: { data: out, offset: 0, stride0: layer.outputs, stride1: 1, runStride: 0 },
      maskB: maskInProducts ? mask : undefined,
      bias: { data: params, offset: layer.biasOffset, runStride: 0 },
      relu: l < L - 1,
    });
    acts.push(out);
  });
  const classes = layout.widths[L];
  const logitGrads = new Float64Array(batch * classes);
  const rows = new Float64Array(2 * batch);
  softmaxXentReference(acts[L], labels, classes, 1 / batch, logitGrads, rows);
  return { acts, logitGrads, rows };
}

/** Mean loss and accuracy of one run over the rows of `inputs`. */
export function mlpEvaluateReference(
  layout: ParamLayout,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: MlpReferenceOptions = {},
): { loss: number; accuracy: number } {
  const { rows } = forward(layout, params, mask, inputs, labels, options);
  let loss = 0, correct = 0;
  for (let b = 0; b < labels.length; b++) {
    loss += rows[2 * b];
    correct += rows[2 * b + 1];
  }
  return { loss: loss / labels.length, accuracy: correct / labels.length };
}

/** The batch-mean softmax cross-entropy loss of one run. */
export function mlpLossReference(
  layout: ParamLayout,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: MlpReferenceOptions = {},
): number {
  return mlpEvaluateReference(layout, params, mask, inputs, labels, options).loss;
}

/**
 * The flat gradient [perRun] of the batch-mean loss, as the trainer's grads buffer holds it
 * before the optimizer: weight gradients (times the mask when maskInProducts), bias gradients,
 * padding 0.
 */
export function mlpGradReference(
  layout: ParamLayout,
  params: ArrayLike<number>,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: MlpReferenceOptions = {},
): { loss: number; grads: Float64Array } {
  const { acts, logitGrads, rows } = forward(layout, params, mask, inputs, labels, options);
  const maskInProducts = options.maskInProducts ?? true;
  const batch = labels.length;
  const grads = new Float64Array(layout.perRun);
  let outputGrad = logitGrads;
  for (let l = layout.layers.length - 1; l >= 0; l--) {
    const layer = layout.layers[l];
    // dW[o, i] = (M[o, i] *) sum_b dY[b, o] * X[b, i]
    matmulReference({
      M: layer.outputs,
      N: layer.inputs,
      K: batch,
      runs: 1,
      a: { data: outputGrad, offset: 0, stride0: 1, stride1: layer.outputs, runStride: 0 },
      b: { data: acts[l], offset: 0, stride0: layer.inputs, stride1: 1, runStride: 0 },
      c: {
        data: grads,
        offset: layer.weightOffset,
        stride0: layer.inputs,
        stride1: 1,
        runStride: 0,
      },
      maskC: maskInProducts ? mask : undefined,
    });
    biasGradReference(outputGrad, batch, layer.outputs, 1, grads, layer.biasOffset, 0);
    if (l > 0) {
      // dX[b, i] = sum_o dY[b, o] * (W*M)[o, i], then through the ReLU of layer l's output.
      const inputGrad = new Float64Array(batch * layer.inputs);
      matmulReference({
        M: batch,
        N: layer.inputs,
        K: layer.outputs,
        runs: 1,
        a: { data: outputGrad, offset: 0, stride0: layer.outputs, stride1: 1, runStride: 0 },
        b: {
          data: params,
          offset: layer.weightOffset,
          stride0: layer.inputs,
          stride1: 1,
          runStride: 0,
        },
        c: { data: inputGrad, offset: 0, stride0: layer.inputs, stride1: 1, runStride: 0 },
        maskB: maskInProducts ? mask : undefined,
      });
      reluBackwardReference(acts[l], inputGrad);
      outputGrad = inputGrad;
    }
  }
  let loss = 0;
  for (let b = 0; b < batch; b++) loss += rows[2 * b];
  return { loss: loss / batch, grads };
}

/**
 * One training step of one run on a gathered batch: gradient, then masked Adam at step
 * state.t + 1. Updates params, state.m, state.v in place and increments state.t; returns the
 * batch-mean loss before the update and the gradient. The trainer's bias-correction table holds
 * maxSteps entries and reuses its last one beyond, so compare only while state.t < maxSteps.
 */
export function mlpStepReference(
  layout: ParamLayout,
  params: Float64Array,
  mask: ArrayLike<number>,
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  state: AdamState,
  hyper: AdamHyper,
  options: MlpReferenceOptions = {},
): { loss: number; grads: Float64Array } {
  if (state.m.length !== layout.perRun || state.v.length !== layout.perRun) {
    throw new RangeError(`Adam moments need ${layout.perRun} entries`);
  }
  const result = mlpGradReference(layout, params, mask, inputs, labels, options);
  state.t++;
  adamReference(hyper, state.t, result.grads, mask, params, state.m, state.v);
  return result;
}
