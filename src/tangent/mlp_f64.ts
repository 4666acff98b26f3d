/**
 * The linearization of a dense ReLU network (a ParamLayout, ReLU after every layer but the last)
 * at theta0, on the CPU in f64: the reference the GPU tangent engine is tested against.
 *   f_lin(theta) = f(theta0) + J(theta0) (theta - theta0),  J = d logits / d theta.
 * Forward mode (JVP), per example: for z_l = a_l W_l^T + b_l the tangent is
 *   dz_l = a_l V_l^T + da_l W_l^T + v_b,  da_{l+1} = dz_l * [z_l > 0]  (ReLU'(0) = 0),
 * with the ReLU pattern of the primal pass at theta0. Reverse mode (VJP) is the ordinary backward
 * pass with the same pattern, summed over the examples (no batch mean):
 *   dW_l = sum_b u_l[b]^T a_l[b],  db_l = sum_b u_l[b],  u_{l-1} = (u_l W_l) * [z_{l-1} > 0].
 * Parameters and directions are flat with the layout's offsets; padding entries are ignored and
 * come back 0.
 */
import type { ParamLayout } from "../model/layout.ts";
import { accumulateWeightGrad, affine, backInput } from "../prune/mlp_f64.ts";

/** Per-layer weights [out, in] and biases read out of a flat vector with the layout's offsets. */
function blocks(layout: ParamLayout, flat: ArrayLike<number>) {
  if (flat.length !== layout.perRun) {
    throw new RangeError(
      `expected a flat vector of ${layout.perRun} entries (the layout's perRun), got ${flat.length}`,
    );
  }
  return layout.layers.map((layer) => ({
    w: Float64Array.from(
      { length: layer.inputs * layer.outputs },
      (_, i) => flat[layer.weightOffset + i],
    ),
    b: Float64Array.from({ length: layer.outputs }, (_, o) => flat[layer.biasOffset + o]),
  }));
}

function rowsOf(layout: ParamLayout, inputs: Float64Array): number {
  const rows = inputs.length / layout.widths[0];
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(
      `inputs must be [rows, ${
        layout.widths[0]
      }] row-major with rows >= 1, got ${inputs.length} values`,
    );
  }
  return rows;
}

/** The primal pass at theta0: acts[l] is layer l's input, pre[l] its pre-activation z_l. */
export interface Primal {
  layout: ParamLayout;
  rows: number;
  params: { w: Float64Array; b: Float64Array }[];
  acts: Float64Array[];
  pre: Float64Array[];
}

export function mlpPrimal(
  layout: ParamLayout,
  theta0: ArrayLike<number>,
  inputs: Float64Array,
): Primal {
  const rows = rowsOf(layout, inputs);
  const params = blocks(layout, theta0);
  const acts = [inputs];
  const pre: Float64Array[] = [];
  layout.layers.forEach((layer, l) => {
    const z = affine(acts[l], params[l].w, params[l].b, rows, layer.inputs, layer.outputs);
    pre.push(z);
    if (l < layout.layers.length - 1) acts.push(z.map((v) => (v > 0 ? v : 0)));
  });
  return { layout, rows, params, acts, pre };
}

/** f(theta0): the logits [rows, classes]. */
export function primalLogits(primal: Primal): Float64Array {
  return primal.pre[primal.pre.length - 1];
}

/** J(theta0) v: the logits' tangent [rows, classes] along the flat direction v. */
export function mlpJvp(primal: Primal, v: ArrayLike<number>): Float64Array {
  const { layout, rows, params, acts, pre } = primal;
  const dir = blocks(layout, v);
  let da = new Float64Array(acts[0].length);
  let dz = da;
  layout.layers.forEach((layer, l) => {
    const fromV = affine(acts[l], dir[l].w, dir[l].b, rows, layer.inputs, layer.outputs);
    const fromA = affine(da, params[l].w, null, rows, layer.inputs, layer.outputs);
    dz = fromV.map((value, i) => value + fromA[i]);
    if (l < layout.layers.length - 1) da = dz.map((value, i) => (pre[l][i] > 0 ? value : 0));
  });
  return dz;
}

/** J(theta0)^T u for u [rows, classes]: flat with the layout's offsets, summed over rows. */
export function mlpVjp(primal: Primal, u: Float64Array): Float64Array {
  const { layout, rows, params, acts, pre } = primal;
  const last = layout.layers.length - 1;
  if (u.length !== rows * layout.layers[last].outputs) {
    throw new RangeError(
      `u must be [${rows}, ${layout.layers[last].outputs}] (rows, classes), got ${u.length} values`,
    );
  }
  const flat = new Float64Array(layout.perRun);
  let delta = u;
  for (let l = last; l >= 0; l--) {
    const { inputs, outputs, weightOffset, biasOffset } = layout.layers[l];
    const dw = new Float64Array(inputs * outputs);
    const db = new Float64Array(outputs);
    accumulateWeightGrad(delta, acts[l], dw, db, rows, inputs, outputs);
    flat.set(dw, weightOffset);
    flat.set(db, biasOffset);
    if (l === 0) break;
    const dx = backInput(delta, params[l].w, rows, inputs, outputs);
    delta = dx.map((value, i) => (pre[l - 1][i] > 0 ? value : 0));
  }
  return flat;
}
