/**
 * The model-level saliencies (src/prune/model_saliency.ts): on an MLP they equal the exact MLP
 * code (GraSP on two halves: 4x the full batch's w * Hg); on a plain conv net SynFlow conserves
 * its flow (every layer's scores sum to R); on a residual net with batch norms GraSP's
 * finite-difference Hg agrees with the Hessian's symmetry (u . Hg = g . Hu).
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import {
  buildModel,
  f64Gradient,
  f64Outputs,
  initialNetwork,
  initParams,
  mlpModel,
  type Model,
  type Network,
} from "../../src/model/mod.ts";
import {
  graspScores,
  halves,
  type LabelledBatch,
  modelGraspScores,
  modelSnipScores,
  modelSynflowScores,
  snipScores,
  synflowScores,
} from "../../src/prune/mod.ts";

const close = (actual: number, expected: number, rtol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= rtol * Math.max(1e-12, Math.abs(expected)),
    `${what}: ${actual} against ${expected}`,
  );

function randomNetwork(model: Model, seed: number): Network {
  const rng = new Rng(seed, "model-saliency-test");
  const params = initParams(model.layout, "kaiming-normal", rng, "uniform");
  model.layout.layers.filter((layer) => layer.bias).forEach((layer) => {
    for (let o = 0; o < layer.outputs; o++) params[layer.biasOffset + o] = 0.05 * rng.nextNormal();
  });
  return initialNetwork(model.layout, params);
}

function randomBatch(model: Model, rows: number, seed: number): LabelledBatch {
  const rng = new Rng(seed, "model-saliency-batch");
  return {
    inputs: Float64Array.from({ length: rows * model.inputs }, () => rng.nextUnit()),
    labels: Array.from({ length: rows }, (_, b) => b % model.outputs),
  };
}

const mlp = mlpModel([6, 5, 4, 3]);
const mlpNet = randomNetwork(mlp, 3);
const mlpBatch = randomBatch(mlp, 6, 4);
const ones = mlp.layout.layers.map((layer) =>
  new Float32Array(layer.inputs * layer.outputs).fill(1)
);

Deno.test("on an MLP, model SNIP equals the MLP code's SNIP", () => {
  const expected = snipScores(mlp.layout, mlpNet.params, ones, mlpBatch);
  modelSnipScores(mlp, mlpNet, mlpBatch).forEach((layer, l) =>
    layer.forEach((s, i) => close(s, expected[l][i], 1e-12, `layer ${l} weight ${i}`))
  );
});

Deno.test("on an MLP, model GraSP over two halves is 4x the exact full-batch w * Hg", () => {
  const expected = graspScores(mlp.layout, mlpNet.params, ones, mlpBatch, 200);
  const scores = modelGraspScores(mlp, mlpNet, halves(mlpBatch, mlp.inputs), 200);
  scores.forEach((layer, l) =>
    layer.forEach((s, i) => close(s, 4 * expected[l][i], 1e-6, `layer ${l} weight ${i}`))
  );
});

Deno.test("on an MLP, model SynFlow equals the MLP code's SynFlow under a mask", () => {
  const rng = new Rng(5, "model-saliency-mask");
  const masks = ones.map((mask) => mask.map(() => (rng.nextUnit() < 0.6 ? 1 : 0)));
  const expected = synflowScores(mlp.layout, mlpNet.params, masks);
  modelSynflowScores(mlp, mlpNet, masks).forEach((layer, l) =>
    layer.forEach((s, i) => close(s, expected[l][i], 1e-12, `layer ${l} weight ${i}`))
  );
});

Deno.test("SynFlow on a bias-free conv net conserves the flow: each layer's scores sum to R", () => {
  const model = buildModel([
    { conv: 3, padding: 1, bias: false },
    "batchnorm",
    "relu",
    "maxpool",
    { conv: 4, padding: 1, bias: false },
    "batchnorm",
    "relu",
    "global_avgpool",
    { dense: 5, bias: false },
  ], { channels: 2, height: 6, width: 6 });
  const network = randomNetwork(model, 7);
  const rng = new Rng(8, "model-saliency-state");
  // Running variances away from 1; running means and betas at 0 keep every layer linear in its
  // weights (a mean or a beta would be a bias).
  for (const norm of model.layout.norms) {
    for (let c = 0; c < norm.channels; c++) {
      network.state[norm.varOffset + c] = 0.2 + rng.nextUnit();
    }
    if (norm.affine) network.params.fill(0, norm.betaOffset, norm.betaOffset + norm.channels);
  }
  const masks = model.layout.layers.map((layer) =>
    Float32Array.from(
      { length: layer.inputs * layer.outputs },
      () => (rng.nextUnit() < 0.7 ? 1 : 0),
    )
  );
  const scores = modelSynflowScores(model, network, masks);
  const abs = Float64Array.from(network.params, Math.abs);
  const flat = new Float32Array(model.layout.perRun).fill(1);
  masks.forEach((mask, l) => flat.set(mask, model.layout.layers[l].weightOffset));
  const pass = f64Outputs(model, abs, flat, new Float64Array(model.inputs).fill(1), 1, {
    training: false,
    state: Float64Array.from(network.state, Math.abs),
  });
  const R = pass.acts[pass.acts.length - 1].reduce((a, b) => a + b, 0);
  assert.ok(R > 0);
  scores.forEach((layer, l) => close(layer.reduce((a, b) => a + b, 0), R, 1e-10, `layer ${l}`));
  masks.forEach((mask, l) => mask.forEach((m, i) => m === 0 && assert.equal(scores[l][i], 0)));
});

Deno.test("GraSP's Hg on a residual net with batch norms satisfies u . Hg = g . Hu", () => {
  const model = buildModel([
    { conv: 3, padding: 1, bias: false },
    "batchnorm",
    "relu",
    "maxpool",
    { residual: 3 },
    { residual: 4, stride: 2 },
    "global_avgpool",
    { dense: 4 },
  ], { channels: 1, height: 8, width: 8 });
  const network = randomNetwork(model, 9);
  const parts = halves(randomBatch(model, 8, 10), model.inputs);
  const temperature = 5;
  const scores = modelGraspScores(model, network, parts, temperature);
  const layout = model.layout;
  const mask = new Float32Array(layout.perRun).fill(1);
  const options = { state: network.state, temperature };
  const passes = parts.map((p) =>
    f64Gradient(model, network.params, mask, p.inputs, p.labels, options)
  );
  const rng = new Rng(11, "model-saliency-direction");
  const u = new Float64Array(layout.perRun);
  const g = new Float64Array(layout.perRun);
  let uDotHg = 0;
  layout.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.inputs * layer.outputs; i++) {
      const j = layer.weightOffset + i;
      u[j] = rng.nextNormal();
      for (const pass of passes) g[j] += pass.grads[j];
      uDotHg += u[j] * scores[l][i] / network.params[j];
    }
  });
  // g . Hu by a central difference along u, gates replayed (the function is smooth along it).
  const t = 1e-6;
  let gDotHu = 0;
  parts.forEach((p, k) => {
    const at = (sign: number) =>
      f64Gradient(
        model,
        Float64Array.from(network.params, (w, i) => w + sign * t * u[i]),
        mask,
        p.inputs,
        p.labels,
        { ...options, gates: passes[k].gates },
      ).grads;
    const up = at(1), down = at(-1);
    for (let i = 0; i < g.length; i++) gDotHu += g[i] * (up[i] - down[i]) / (2 * t);
  });
  assert.ok(Math.abs(uDotHg) > 0);
  close(uDotHg, gDotHu, 1e-5, "u . Hg against g . Hu");
});
