/**
 * SNIP, GraSP and SynFlow scores of any layer-list model (convolutions, batch norms, residual
 * blocks, poolings) on the CPU in f64, through the model's f64 pass (src/model/f64_pass.ts). The
 * dense-MLP versions (snip.ts, grasp.ts, synflow.ts over mlp_f64.ts) compute the same quantities
 * with an exact R-operator; the tests check these against them on MLPs.
 *   SNIP     |g * w|, g the gradient of the batch-mean cross-entropy, batch norms in training mode.
 *   GraSP    w * (H g) (higher kept; GraSP's S = -w * Hg, lowest kept), as Wang et al.'s code
 *            computes it: the examples in two halves, g = sum over the halves of each half's
 *            gradient over the weights (biases and norms fixed), Hg = sum over the halves of
 *            H_half g, logits / T, batch norms in training mode (the code never calls eval()).
 *            H_half g is a central difference of the half's gradient along g with the ReLU gates
 *            and pooling argmaxes of the unperturbed pass replayed, so the loss is smooth along
 *            the step and the difference is autograd's double backward up to O(h^2): h moves the
 *            weights by GRASP_STEP of their norm.
 *   SynFlow  Tanaka et al.'s code (model.eval(), every state_dict entry replaced by its absolute
 *            value, one all-ones input, R = sum of the outputs): |dR/dw * w| on the masked network;
 *            batch norms use their (absolute) running estimates.
 * Scores are per weight layer, in the layout's order; a pruned weight (mask 0) scores 0 under
 * SynFlow and its would-be value under SNIP and GraSP (which score the unpruned network here).
 */
import {
  f64Backward,
  f64Gradient,
  f64Outputs,
  type Model,
  type Network,
  type ParamLayout,
} from "../model/mod.ts";
import { flatMask, weightsOnly } from "./layer_masks.ts";
import type { NormalizeConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";

/** Inputs [rows, model.inputs] (normalised as the trainer feeds them) and their labels. */
export interface LabelledBatch {
  inputs: Float64Array;
  labels: ArrayLike<number>;
}

/**
 * The training examples `examples` (dataset indices) as the trainer feeds them: x / 255,
 * normalised per channel when `normalize` is given.
 */
export function saliencyBatch(
  dataset: Pick<GpuDataset, "features" | "host" | "shape">,
  examples: ArrayLike<number>,
  normalize?: NormalizeConfig,
): LabelledBatch {
  const { features, host, shape } = dataset;
  const inputs = new Float64Array(examples.length * features);
  const labels = new Uint8Array(examples.length);
  const plane = shape.rows * shape.cols;
  for (let b = 0; b < examples.length; b++) {
    const example = examples[b];
    for (let i = 0; i < features; i++) {
      const x = host.pixels[example * features + i] / 255;
      const c = Math.floor(i / plane);
      inputs[b * features + i] = normalize ? (x - normalize.mean[c]) / normalize.std[c] : x;
    }
    labels[b] = host.labels[example];
  }
  return { inputs, labels };
}

/** The batch's first and second halves (GraSP's two passes; an odd row goes to the second). */
export function halves(batch: LabelledBatch, features: number): LabelledBatch[] {
  const rows = batch.labels.length, cut = Math.floor(rows / 2);
  const part = (from: number, to: number) => ({
    inputs: batch.inputs.slice(from * features, to * features),
    labels: Array.from(batch.labels).slice(from, to),
  });
  return cut === 0 ? [part(0, rows)] : [part(0, cut), part(cut, rows)];
}

/** GraSP's finite-difference step, as a fraction of the weights' norm. */
export const GRASP_STEP = 1e-5;

const unmasked = (layout: ParamLayout) => new Float32Array(layout.perRun).fill(1);

/** Per weight layer, f(i) for each of its weights' flat indices i. */
function perLayer(layout: ParamLayout, f: (i: number) => number): Float64Array[] {
  return layout.layers.map((layer) =>
    Float64Array.from({ length: layer.inputs * layer.outputs }, (_, i) => f(layer.weightOffset + i))
  );
}

export function modelSnipScores(
  model: Model,
  network: Network,
  batch: LabelledBatch,
): Float64Array[] {
  const { grads } = f64Gradient(
    model,
    network.params,
    unmasked(model.layout),
    batch.inputs,
    batch.labels,
    { state: network.state },
  );
  return perLayer(model.layout, (i) => Math.abs(grads[i] * network.params[i]));
}

export function modelGraspScores(
  model: Model,
  network: Network,
  halves: readonly LabelledBatch[],
  temperature: number,
): Float64Array[] {
  const layout = model.layout;
  const mask = unmasked(layout);
  const options = { state: network.state, temperature };
  const passes = halves.map((half) =>
    f64Gradient(model, network.params, mask, half.inputs, half.labels, options)
  );
  const g = new Float64Array(layout.perRun);
  for (const pass of passes) {
    const part = weightsOnly(layout, pass.grads);
    for (let i = 0; i < g.length; i++) g[i] += part[i];
  }
  const norm = (v: ArrayLike<number>) => {
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
    return Math.sqrt(sum);
  };
  const gNorm = norm(g);
  const hg = new Float64Array(layout.perRun);
  if (gNorm > 0) {
    const h = GRASP_STEP * norm(weightsOnly(layout, network.params)) / gNorm;
    const moved = (sign: number) =>
      Float64Array.from(network.params, (w, i) => w + sign * h * g[i]);
    const plus = moved(1), minus = moved(-1);
    halves.forEach((half, k) => {
      const replay = { ...options, gates: passes[k].gates };
      const up = f64Gradient(model, plus, mask, half.inputs, half.labels, replay).grads;
      const down = f64Gradient(model, minus, mask, half.inputs, half.labels, replay).grads;
      for (let i = 0; i < hg.length; i++) hg[i] += (up[i] - down[i]) / (2 * h);
    });
  }
  return perLayer(layout, (i) => network.params[i] * hg[i]);
}

export function modelSynflowScores(
  model: Model,
  network: Network,
  masks: Float32Array[],
): Float64Array[] {
  const layout = model.layout;
  const params = Float64Array.from(network.params, Math.abs);
  const state = Float64Array.from(network.state, Math.abs);
  const mask = flatMask(layout, masks);
  const ones = new Float64Array(model.inputs).fill(1);
  const pass = f64Outputs(model, params, mask, ones, 1, { training: false, state });
  const grads = f64Backward(model, params, mask, pass, new Float64Array(model.outputs).fill(1));
  return perLayer(layout, (i) => Math.abs(grads[i] * params[i] * mask[i]));
}
