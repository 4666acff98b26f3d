/**
 * The dense ReLU network of a ParamLayout on the CPU in f64, for the saliencies pruning at
 * initialisation needs (SNIP, GraSP, SynFlow): one run's flat parameters, per-layer 0/1 masks
 * (the effective weight is W * M), ReLU after every layer but the last, and the batch-mean softmax
 * cross-entropy of the logits divided by a temperature T (1 unless given):
 *   z_l = a_l (W_l * M_l)^T + b_l,  a_{l+1} = relu(z_l),  L = mean_b xent(z_last / T).
 * Gradients are with respect to the effective weights (a pruned weight's entry is the gradient it
 * would get if restored, which is what a saliency scores) and the biases, in the layout's flat
 * offsets (padding 0). The Hessian-vector product is exact: Pearlmutter's R-operator, forward
 * through the network and back through the backward pass (ReLU's derivative is piecewise
 * constant, so R{relu(z)} = relu'(z) R{z}; relu'(0) = 0 as in the GPU kernels).
 */
import type { ParamLayout } from "../model/layout.ts";

/** A batch: inputs [batch, layout.widths[0]] row-major, one label per row. */
export interface Batch {
  inputs: Float64Array;
  labels: ArrayLike<number>;
}

interface Net {
  layout: ParamLayout;
  /** Effective weights [out, in] per layer. */
  weights: Float64Array[];
  biases: Float64Array[];
}

function net(layout: ParamLayout, params: ArrayLike<number>, masks: Float32Array[]): Net {
  if (params.length !== layout.perRun || masks.length !== layout.layers.length) {
    throw new RangeError(
      `expected ${layout.perRun} parameters and ${layout.layers.length} masks, got ${params.length} and ${masks.length}`,
    );
  }
  return {
    layout,
    weights: layout.layers.map((layer, l) => {
      const size = layer.inputs * layer.outputs;
      const mask = masks[l];
      if (mask.length !== size) {
        throw new RangeError(`mask ${l} has ${mask.length} entries, its layer ${size}`);
      }
      return Float64Array.from(
        { length: size },
        (_, i) => params[layer.weightOffset + i] * mask[i],
      );
    }),
    biases: layout.layers.map((layer) =>
      Float64Array.from({ length: layer.outputs }, (_, o) => params[layer.biasOffset + o])
    ),
  };
}

/** y[b, o] = sum_i x[b, i] w[o, i] (+ bias[o]). */
export function affine(
  x: Float64Array,
  w: Float64Array,
  bias: Float64Array | null,
  batch: number,
  inputs: number,
  outputs: number,
): Float64Array {
  const y = new Float64Array(batch * outputs);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outputs; o++) {
      let sum = bias ? bias[o] : 0;
      const wRow = o * inputs, xRow = b * inputs;
      for (let i = 0; i < inputs; i++) sum += x[xRow + i] * w[wRow + i];
      y[b * outputs + o] = sum;
    }
  }
  return y;
}

/** dx[b, i] = sum_o dy[b, o] w[o, i]. */
export function backInput(
  dy: Float64Array,
  w: Float64Array,
  batch: number,
  inputs: number,
  outputs: number,
) {
  const dx = new Float64Array(batch * inputs);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outputs; o++) {
      const g = dy[b * outputs + o];
      if (g === 0) continue;
      const wRow = o * inputs, xRow = b * inputs;
      for (let i = 0; i < inputs; i++) dx[xRow + i] += g * w[wRow + i];
    }
  }
  return dx;
}

/** dw[o, i] += sum_b dy[b, o] x[b, i]; db[o] += sum_b dy[b, o]. */
export function accumulateWeightGrad(
  dy: Float64Array,
  x: Float64Array,
  dw: Float64Array,
  db: Float64Array | null,
  batch: number,
  inputs: number,
  outputs: number,
): void {
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outputs; o++) {
      const g = dy[b * outputs + o];
      if (g === 0) continue;
      if (db) db[o] += g;
      const wRow = o * inputs, xRow = b * inputs;
      for (let i = 0; i < inputs; i++) dw[wRow + i] += g * x[xRow + i];
    }
  }
}

function checkBatch(layout: ParamLayout, batch: Batch): number {
  const rows = batch.labels.length;
  if (rows === 0 || batch.inputs.length !== rows * layout.widths[0]) {
    throw new RangeError(
      `a batch of ${rows} labels needs ${
        rows * layout.widths[0]
      } inputs, got ${batch.inputs.length}`,
    );
  }
  return rows;
}

interface Forward {
  /** acts[l]: the input of layer l (acts[0] = inputs); pre[l]: its pre-activation z_l. */
  acts: Float64Array[];
  pre: Float64Array[];
  /** softmax(z_last / T), [batch, classes]. */
  probabilities: Float64Array;
  loss: number;
}

function forward(n: Net, batch: Batch, temperature: number): Forward {
  const { layout } = n;
  const rows = checkBatch(layout, batch);
  const acts = [batch.inputs];
  const pre: Float64Array[] = [];
  layout.layers.forEach((layer, l) => {
    const z = affine(acts[l], n.weights[l], n.biases[l], rows, layer.inputs, layer.outputs);
    pre.push(z);
    if (l < layout.layers.length - 1) acts.push(z.map((v) => (v > 0 ? v : 0)));
  });
  const logits = pre[pre.length - 1];
  const classes = layout.layers[layout.layers.length - 1].outputs;
  const probabilities = new Float64Array(rows * classes);
  let loss = 0;
  for (let b = 0; b < rows; b++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[b * classes + c] / temperature);
    let total = 0;
    for (let c = 0; c < classes; c++) {
      total += Math.exp(logits[b * classes + c] / temperature - max);
    }
    for (let c = 0; c < classes; c++) {
      probabilities[b * classes + c] = Math.exp(logits[b * classes + c] / temperature - max) /
        total;
    }
    loss += Math.log(total) + max - logits[b * classes + batch.labels[b]] / temperature;
  }
  return { acts, pre, probabilities, loss: loss / rows };
}

/** dL/dz_last = (p - onehot) / (batch T). */
function logitGradient(f: Forward, batch: Batch, classes: number, temperature: number) {
  const rows = batch.labels.length;
  const delta = new Float64Array(rows * classes);
  for (let b = 0; b < rows; b++) {
    for (let c = 0; c < classes; c++) {
      const target = c === batch.labels[b] ? 1 : 0;
      delta[b * classes + c] = (f.probabilities[b * classes + c] - target) / (rows * temperature);
    }
  }
  return delta;
}

/** Writes per-layer weight and bias gradients into a flat vector with the layout's offsets. */
function toFlat(layout: ParamLayout, dw: Float64Array[], db: Float64Array[]): Float64Array {
  const flat = new Float64Array(layout.perRun);
  layout.layers.forEach((layer, l) => {
    flat.set(dw[l], layer.weightOffset);
    flat.set(db[l], layer.biasOffset);
  });
  return flat;
}

export interface LossGradient {
  loss: number;
  /** dL/d(effective weights) and dL/d(biases), flat with the layout's offsets. */
  grads: Float64Array;
}

export function mlpLossGradient(
  layout: ParamLayout,
  params: ArrayLike<number>,
  masks: Float32Array[],
  batch: Batch,
  temperature = 1,
): LossGradient {
  const n = net(layout, params, masks);
  const f = forward(n, batch, temperature);
  const rows = batch.labels.length;
  const last = layout.layers.length - 1;
  let delta = logitGradient(f, batch, layout.layers[last].outputs, temperature);
  const dw = layout.layers.map((layer) => new Float64Array(layer.inputs * layer.outputs));
  const db = layout.layers.map((layer) => new Float64Array(layer.outputs));
  for (let l = last; l >= 0; l--) {
    const { inputs, outputs } = layout.layers[l];
    accumulateWeightGrad(delta, f.acts[l], dw[l], db[l], rows, inputs, outputs);
    if (l === 0) break;
    const dx = backInput(delta, n.weights[l], rows, inputs, outputs);
    const z = f.pre[l - 1];
    for (let i = 0; i < dx.length; i++) if (!(z[i] > 0)) dx[i] = 0;
    delta = dx;
  }
  return { loss: f.loss, grads: toFlat(layout, dw, db) };
}

/**
 * H v for the Hessian H of the batch-mean loss (at temperature T) with respect to the effective
 * weights and the biases; v is flat with the layout's offsets (its weight entries are applied
 * through the masks, as the effective weights are).
 */
export function mlpHessianVectorProduct(
  layout: ParamLayout,
  params: ArrayLike<number>,
  masks: Float32Array[],
  batch: Batch,
  v: ArrayLike<number>,
  temperature = 1,
): Float64Array {
  const n = net(layout, params, masks);
  const dir = net(layout, v, masks);
  const f = forward(n, batch, temperature);
  const rows = batch.labels.length;
  const last = layout.layers.length - 1;
  const relu = (z: Float64Array, x: Float64Array) => x.map((value, i) => (z[i] > 0 ? value : 0));

  // Forward R pass: R{z_l} = R{a_l} W_l^T + a_l V_l^T + v_b, R{a_{l+1}} = relu'(z_l) R{z_l}.
  const rActs: Float64Array[] = [new Float64Array(f.acts[0].length)];
  const rPre: Float64Array[] = [];
  layout.layers.forEach((layer, l) => {
    const a = affine(rActs[l], n.weights[l], null, rows, layer.inputs, layer.outputs);
    const b = affine(f.acts[l], dir.weights[l], dir.biases[l], rows, layer.inputs, layer.outputs);
    const rz = a.map((value, i) => value + b[i]);
    rPre.push(rz);
    if (l < last) rActs.push(relu(f.pre[l], rz));
  });

  // R{dL/dz_last} = R{p} / (batch T), R{p} = p * (R{s} - p . R{s}), R{s} = R{z_last} / T.
  const classes = layout.layers[last].outputs;
  let delta = logitGradient(f, batch, classes, temperature);
  let rDelta = new Float64Array(rows * classes);
  for (let b = 0; b < rows; b++) {
    let dot = 0;
    for (let c = 0; c < classes; c++) {
      dot += f.probabilities[b * classes + c] * rPre[last][b * classes + c] / temperature;
    }
    for (let c = 0; c < classes; c++) {
      const p = f.probabilities[b * classes + c];
      const rs = rPre[last][b * classes + c] / temperature;
      rDelta[b * classes + c] = p * (rs - dot) / (rows * temperature);
    }
  }

  // Backward R pass: R{dW_l} = R{delta_l}^T a_l + delta_l^T R{a_l}, R{db_l} = sum R{delta_l},
  // R{delta_{l-1}} = relu'(z_{l-1}) (R{delta_l} W_l + delta_l V_l).
  const hw = layout.layers.map((layer) => new Float64Array(layer.inputs * layer.outputs));
  const hb = layout.layers.map((layer) => new Float64Array(layer.outputs));
  for (let l = last; l >= 0; l--) {
    const { inputs, outputs } = layout.layers[l];
    accumulateWeightGrad(rDelta, f.acts[l], hw[l], hb[l], rows, inputs, outputs);
    accumulateWeightGrad(delta, rActs[l], hw[l], null, rows, inputs, outputs);
    if (l === 0) break;
    const z = f.pre[l - 1];
    const fromR = backInput(rDelta, n.weights[l], rows, inputs, outputs);
    const fromV = backInput(delta, dir.weights[l], rows, inputs, outputs);
    rDelta = relu(z, fromR.map((value, i) => value + fromV[i]));
    delta = relu(z, backInput(delta, n.weights[l], rows, inputs, outputs));
  }
  return toFlat(layout, hw, hb);
}
