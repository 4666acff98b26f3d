import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import { initParams } from "../../src/model/init.ts";
import { mlpLossGradient } from "../../src/prune/mod.ts";
import { mlpJvp, mlpPrimal, mlpVjp, primalLogits } from "../../src/tangent/mod.ts";

// Widths that are not multiples of 4 exercise the layout's padding.
const layout = mlpLayout([5, 7, 6, 3]);
const rows = 4;
const rng = new Rng(11, "tangent-mlp-f64-test");
const theta0 = Float64Array.from(initParams(layout, "kaiming-normal", rng));
const entries = layout.layers.flatMap((layer) => [
  ...Array.from({ length: layer.inputs * layer.outputs }, (_, i) => layer.weightOffset + i),
  ...Array.from({ length: layer.outputs }, (_, o) => layer.biasOffset + o),
]);
/** A flat vector with normal entries on the weights and biases and 0 on the padding. */
const randomFlat = () => {
  const flat = new Float64Array(layout.perRun);
  for (const i of entries) flat[i] = rng.nextNormal();
  return flat;
};
for (const layer of layout.layers) {
  for (let o = 0; o < layer.outputs; o++) theta0[layer.biasOffset + o] = 0.1 * rng.nextNormal();
}
const inputs = Float64Array.from({ length: rows * 5 }, () => rng.nextUnit());
const primal = mlpPrimal(layout, theta0, inputs);
const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

Deno.test("JVP matches central differences of the f64 forward", () => {
  const v = randomFlat();
  const jv = mlpJvp(primal, v);
  const eps = 1e-6;
  const at = (sign: number) =>
    primalLogits(mlpPrimal(layout, theta0.map((t, i) => t + sign * eps * v[i]), inputs));
  const plus = at(1), minus = at(-1);
  // No pre-activation sits within eps |v| of the ReLU kink here, so the network is smooth along
  // the segment and the central difference is exact to O(eps^2) plus rounding.
  for (const z of primal.pre.slice(0, -1)) assert.ok(z.every((x) => Math.abs(x) > 1e-4));
  jv.forEach((value, i) => {
    const fd = (plus[i] - minus[i]) / (2 * eps);
    assert.ok(Math.abs(fd - value) < 1e-6 * (1 + Math.abs(value)), `logit ${i}: ${fd} vs ${value}`);
  });
});

Deno.test("adjoint identity <u, J v> = <J^T u, v>", () => {
  for (let trial = 0; trial < 3; trial++) {
    const v = randomFlat();
    const u = Float64Array.from({ length: rows * 3 }, () => rng.nextNormal());
    const left = dot(u, mlpJvp(primal, v));
    const right = dot(mlpVjp(primal, u), v);
    assert.ok(Math.abs(left - right) < 1e-10 * (1 + Math.abs(left)), `${left} vs ${right}`);
  }
});

Deno.test("VJP of the cross-entropy's logit gradient is the loss gradient", () => {
  const labels = [0, 2, 1, 2];
  const logits = primalLogits(primal);
  const u = new Float64Array(rows * 3);
  for (let b = 0; b < rows; b++) {
    const max = Math.max(...logits.subarray(b * 3, b * 3 + 3));
    const exps = [0, 1, 2].map((c) => Math.exp(logits[b * 3 + c] - max));
    const total = exps.reduce((s, x) => s + x, 0);
    for (let c = 0; c < 3; c++) u[b * 3 + c] = (exps[c] / total - (c === labels[b] ? 1 : 0)) / rows;
  }
  const masks = layout.layers.map((layer) =>
    new Float32Array(layer.inputs * layer.outputs).fill(1)
  );
  const { grads } = mlpLossGradient(layout, theta0, masks, { inputs, labels });
  mlpVjp(primal, u).forEach((value, i) => {
    assert.ok(Math.abs(value - grads[i]) < 1e-12, `entry ${i}: ${value} vs ${grads[i]}`);
  });
});

Deno.test("JVP and VJP reject vectors of the wrong size", () => {
  assert.throws(() => mlpJvp(primal, new Float64Array(3)), /perRun/);
  assert.throws(() => mlpVjp(primal, new Float64Array(5)), /rows, classes/);
});
