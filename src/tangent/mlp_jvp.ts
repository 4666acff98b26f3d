/**
 * The JVP of a dense ReLU network on the GPU: the primal pass at theta0 and the tangent J(theta0) v
 * recorded together, one run, from the existing kernels only. Per layer l (z_l its pre-activation):
 *   primal:  h_l = relu(a_l W_l^T + b_l)  (no ReLU on the last layer; a_{l+1} = h_l),
 *   tangent: dz_l = (a_l V_l^T + v_b) + da_l W_l^T  (matmul with bias, matmul, add),
 *            da_{l+1} = dz_l * [h_l > 0]  (kernels/relu_backward.wgsl: the same mask multiply;
 *            h_l > 0 exactly where z_l > 0, so ReLU'(0) = 0).
 * theta0 and v are flat with the layout's offsets; inputs are [rows, widths[0]] row-major.
 */
import type { BufferPool, Dispatch, Gpu } from "../gpu/mod.ts";
import type { ParamLayout } from "../model/layout.ts";
import { prepareAdd } from "../nn/add.ts";
import { prepareMatmul, rowMajor, transposed } from "../nn/matmul.ts";
import { prepareReluBackward } from "../nn/relu_backward.ts";

export interface MlpJvpSpec {
  layout: ParamLayout;
  rows: number;
  inputs: GPUBuffer;
  theta0: GPUBuffer;
  v: GPUBuffer;
}

export interface MlpJvp {
  /** Record these in order: the primal pass, then the tangent. */
  dispatches: Dispatch[];
  /** The primal outputs h_l of every dense layer (after its ReLU), [rows, outputs_l]. */
  primal: GPUBuffer[];
  /** f(theta0): [rows, classes], the last of `primal`. */
  logits: GPUBuffer;
  /** J(theta0) v: [rows, classes]. */
  tangent: GPUBuffer;
}

export async function prepareMlpJvp(
  gpu: Gpu,
  pool: BufferPool,
  spec: MlpJvpSpec,
): Promise<MlpJvp> {
  const { layout, rows } = spec;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(`mlp JVP: rows must be a positive integer, got ${rows}`);
  }
  const last = layout.layers.length - 1;
  const dispatches: Dispatch[] = [];
  let acts = spec.inputs;
  let da: GPUBuffer | null = null;
  const primal: GPUBuffer[] = [];
  let h = acts, dz = acts;
  for (const [l, layer] of layout.layers.entries()) {
    const { inputs, outputs, weightOffset, biasOffset } = layer;
    const bytes = rows * outputs * 4;
    const dense = (x: GPUBuffer, params: GPUBuffer, out: GPUBuffer, bias: boolean, relu: boolean) =>
      prepareMatmul(gpu, pool, {
        M: rows,
        N: outputs,
        K: inputs,
        runs: 1,
        a: rowMajor(x, 0, inputs, 0),
        b: transposed(params, weightOffset, inputs, 0),
        c: rowMajor(out, 0, outputs, 0),
        bias: bias ? { buffer: params, offset: biasOffset, runStride: 0 } : undefined,
        relu,
      });
    h = pool.storage(`jvp primal ${l}`, bytes);
    primal.push(h);
    dispatches.push(await dense(acts, spec.theta0, h, true, l < last));
    const fromV = pool.storage(`jvp tangent from v ${l}`, bytes);
    dispatches.push(await dense(acts, spec.v, fromV, true, false));
    if (da === null) {
      dz = fromV;
    } else {
      const fromA = pool.storage(`jvp tangent from input ${l}`, bytes);
      dispatches.push(await dense(da, spec.theta0, fromA, false, false));
      dz = pool.storage(`jvp tangent ${l}`, bytes);
      dispatches.push(
        await prepareAdd(gpu, pool, { n: rows * outputs, a: fromV, b: fromA, y: dz }),
      );
    }
    if (l < last) {
      dispatches.push(
        await prepareReluBackward(gpu, pool, { n: rows * outputs, activations: h, grads: dz }),
      );
    }
    acts = h;
    da = dz;
  }
  return { dispatches, primal, logits: h, tangent: dz };
}
