/**
 * The CPU reference of the whole MLP step (tests/train/mlp_reference.ts), checked against calculus
 * rather than against itself: a central finite difference of mlpLossReference in f64 must
 * match mlpGradReference for every unpruned weight and every bias, and pruned weights must get
 * exactly 0. No GPU.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout, type ParamLayout } from "../../src/model/layout.ts";
import { matmulReference } from "../../src/nn/matmul.ts";
import { mlpGradReference, mlpLossReference, mlpStepReference } from "./mlp_reference.ts";

const SEED = 11;
const WIDTHS = [7, 5, 4, 3];
const BATCH = 4;
const EPS = 1e-6;
/** No hidden pre-activation may lie this close to the ReLU kink at 0. */
const KINK_MARGIN = 1e-3;
const MAX_RELATIVE_ERROR = 1e-6;

interface Problem {
  layout: ParamLayout;
  params: Float64Array;
  mask: Float64Array;
  inputs: Float64Array;
  labels: Uint32Array;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.nextUnit();
}

/** Smallest |pre-activation| over every hidden unit and batch row (masked products). */
function closestToKink(p: Problem): number {
  let x = p.inputs;
  let closest = Infinity;
  const L = p.layout.layers.length;
  for (let l = 0; l < L - 1; l++) {
    const layer = p.layout.layers[l];
    const z = new Float64Array(BATCH * layer.outputs);
    matmulReference({
      M: BATCH,
      N: layer.outputs,
      K: layer.inputs,
      runs: 1,
      a: { data: x, offset: 0, stride0: layer.inputs, stride1: 1, runStride: 0 },
      b: {
        data: p.params,
        offset: layer.weightOffset,
        stride0: 1,
        stride1: layer.inputs,
        runStride: 0,
      },
      c: { data: z, offset: 0, stride0: layer.outputs, stride1: 1, runStride: 0 },
      maskB: p.mask,
      bias: { data: p.params, offset: layer.biasOffset, runStride: 0 },
    });
    for (const value of z) closest = Math.min(closest, Math.abs(value));
    x = z.map((value) => Math.max(value, 0));
  }
  return closest;
}

/** Draws a problem, re-drawing until no hidden pre-activation is near the ReLU kink. */
function drawProblem(): { problem: Problem; draws: number } {
  const layout = mlpLayout(WIDTHS);
  const rng = new Rng(SEED, "mlp reference gradcheck");
  for (let draws = 1; draws <= 100; draws++) {
    const params = new Float64Array(layout.perRun);
    const mask = new Float64Array(layout.perRun).fill(1);
    for (const layer of layout.layers) {
      for (let i = 0; i < layer.inputs * layer.outputs; i++) {
        params[layer.weightOffset + i] = uniform(rng, -1, 1);
        mask[layer.weightOffset + i] = rng.nextUnit() < 0.3 ? 0 : 1;
      }
      for (let o = 0; o < layer.outputs; o++) {
        params[layer.biasOffset + o] = uniform(rng, -0.2, 0.6);
      }
    }
    const inputs = Float64Array.from({ length: BATCH * WIDTHS[0] }, () => uniform(rng, -1, 1));
    const labels = Uint32Array.from({ length: BATCH }, () => rng.nextInt(WIDTHS.at(-1)!));
    const problem = { layout, params, mask, inputs, labels };
    if (closestToKink(problem) > KINK_MARGIN) return { problem, draws };
  }
  throw new Error(`no draw in 100 kept every pre-activation ${KINK_MARGIN} away from 0`);
}

/** Every (flat index, name) of a weight or bias, padding excluded. */
function parameterEntries(layout: ParamLayout): { index: number; name: string; weight: boolean }[] {
  const entries: { index: number; name: string; weight: boolean }[] = [];
  for (const layer of layout.layers) {
    for (let o = 0; o < layer.outputs; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        entries.push({
          index: layer.weightOffset + o * layer.inputs + i,
          name: `${layer.name}.weight[${o}, ${i}]`,
          weight: true,
        });
      }
    }
    for (let o = 0; o < layer.outputs; o++) {
      entries.push({
        index: layer.biasOffset + o,
        name: `${layer.name}.bias[${o}]`,
        weight: false,
      });
    }
  }
  return entries;
}

Deno.test("mlpGradReference matches central finite differences of mlpLossReference", () => {
  const { problem: p } = drawProblem();
  const { layout, mask, inputs, labels } = p;
  const { grads } = mlpGradReference(layout, p.params, mask, inputs, labels);
  const loss = (params: Float64Array) => mlpLossReference(layout, params, mask, inputs, labels);
  const failures: string[] = [];
  let checked = 0, pruned = 0, nonzero = 0, worst = 0;
  for (const entry of parameterEntries(layout)) {
    const analytic = grads[entry.index];
    if (entry.weight && mask[entry.index] === 0) {
      pruned++;
      if (analytic !== 0) failures.push(`${entry.name} is pruned but has gradient ${analytic}`);
      continue;
    }
    const plus = p.params.slice(), minus = p.params.slice();
    plus[entry.index] += EPS;
    minus[entry.index] -= EPS;
    const numeric = (loss(plus) - loss(minus)) / (2 * EPS);
    // Relative to the larger of the two, floored at 1e-3: the difference quotient carries a
    // rounding error of about ulp(loss ~ 1) / EPS ~ 1e-10 absolute (its truncation error,
    // EPS^2 * L'(3) ~ 1e-12, is smaller), so gradients below 1e-3 (exactly 0 for a dead unit)
    // are judged by an absolute error of 1e-9 instead, still far below any wrong term.
    const error = Math.abs(analytic - numeric) /
      Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
    worst = Math.max(worst, error);
    if (!(error < MAX_RELATIVE_ERROR)) {
      failures.push(`${entry.name}: analytic ${analytic}, numeric ${numeric}, rel. error ${error}`);
    }
    checked++;
    if (Math.abs(analytic) > 1e-4) nonzero++;
  }
  assert.deepEqual(failures, [], failures.slice(0, 10).join("\n"));
  assert.ok(pruned > 10, `only ${pruned} weights pruned: the masked path is not exercised`);
  assert.ok(
    nonzero > (2 * checked) / 3,
    `only ${nonzero} of ${checked} gradients above 1e-4: the check is not live`,
  );
  console.log(
    `${checked} checked (worst relative error ${worst.toExponential(2)}), ${pruned} pruned`,
  );
  // Padding entries of the layout get no gradient.
  const real = new Set(parameterEntries(layout).map((e) => e.index));
  for (let i = 0; i < layout.perRun; i++) {
    if (!real.has(i)) assert.ok(grads[i] === 0, `padding entry ${i} has gradient ${grads[i]}`);
  }
});

Deno.test("maskInProducts false on pre-masked weights: same loss, gradient unmasked", () => {
  const { problem: p } = drawProblem();
  const preMasked = p.params.map((w, i) => w * p.mask[i]);
  const inProducts = mlpGradReference(p.layout, p.params, p.mask, p.inputs, p.labels);
  const assumed = mlpGradReference(p.layout, preMasked, p.mask, p.inputs, p.labels, {
    maskInProducts: false,
  });
  assert.equal(assumed.loss, inProducts.loss);
  // As in the trainer, the weight gradient is then not masked: equal where kept, the true
  // partial derivative (nonzero for some) where pruned; masked Adam discards the latter.
  let prunedNonzero = 0;
  for (let i = 0; i < p.layout.perRun; i++) {
    if (p.mask[i] === 1) {
      assert.equal(assumed.grads[i], inProducts.grads[i], `kept entry ${i}`);
    } else if (assumed.grads[i] !== 0) prunedNonzero++;
  }
  assert.ok(prunedNonzero > 0, "no pruned weight got a gradient: the unmasked path is not live");
  // Without the mask in the products, unmasked pruned weights would change the loss.
  const leaky = mlpLossReference(p.layout, p.params, p.mask, p.inputs, p.labels, {
    maskInProducts: false,
  });
  assert.notEqual(leaky, inProducts.loss);
});

Deno.test("mlpStepReference: Adam lowers the loss on a fixed batch; pruned entries stay 0", () => {
  const { problem: p } = drawProblem();
  const params = p.params.map((w, i) => w * p.mask[i]);
  const state = {
    m: new Float64Array(p.layout.perRun),
    v: new Float64Array(p.layout.perRun),
    t: 0,
  };
  const hyper = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const first = mlpLossReference(p.layout, params, p.mask, p.inputs, p.labels);
  for (let s = 0; s < 50; s++) {
    mlpStepReference(p.layout, params, p.mask, p.inputs, p.labels, state, hyper, {
      maskInProducts: false,
    });
  }
  assert.equal(state.t, 50);
  const last = mlpLossReference(p.layout, params, p.mask, p.inputs, p.labels);
  assert.ok(last < 0.7 * first, `loss went from ${first} to ${last} in 50 steps`);
  for (let i = 0; i < p.layout.perRun; i++) {
    if (p.mask[i] === 0) {
      assert.ok(
        params[i] === 0 && state.m[i] === 0 && state.v[i] === 0,
        `pruned entry ${i}: w ${params[i]}, m ${state.m[i]}, v ${state.v[i]}`,
      );
    }
  }
});
