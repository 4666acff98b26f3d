import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import { initParams } from "../../src/model/init.ts";
import { type Batch, mlpHessianVectorProduct, mlpLossGradient } from "../../src/prune/mod.ts";

// Widths that are not multiples of 4 exercise the layout's padding.
const layout = mlpLayout([5, 7, 6, 3]);
const rng = new Rng(7, "mlp-f64-test");
const params = Float64Array.from(initParams(layout, "kaiming-normal", rng));
layout.layers.forEach((layer) => {
  for (let o = 0; o < layer.outputs; o++) params[layer.biasOffset + o] = 0.1 * rng.nextNormal();
});
const masks = layout.layers.map((layer) =>
  Float32Array.from({ length: layer.inputs * layer.outputs }, () => (rng.nextUnit() < 0.8 ? 1 : 0))
);
const batch: Batch = {
  inputs: Float64Array.from({ length: 4 * 5 }, () => rng.nextUnit()),
  labels: [0, 2, 1, 2],
};
const loss = (p: Float64Array, temperature = 1) =>
  mlpLossGradient(layout, p, masks, batch, temperature).loss;

/** Indices of every weight and bias (not padding). */
const entries = layout.layers.flatMap((layer) => [
  ...Array.from({ length: layer.inputs * layer.outputs }, (_, i) => layer.weightOffset + i),
  ...Array.from({ length: layer.outputs }, (_, o) => layer.biasOffset + o),
]);
const maskAt = (index: number) => {
  for (const [l, layer] of layout.layers.entries()) {
    const i = index - layer.weightOffset;
    if (i >= 0 && i < layer.inputs * layer.outputs) return masks[l][i];
  }
  return 1;
};

for (const temperature of [1, 200]) {
  Deno.test(`gradient matches central differences of the loss (T = ${temperature})`, () => {
    const { grads } = mlpLossGradient(layout, params, masks, batch, temperature);
    const h = 1e-6;
    for (const index of entries) {
      // A pruned weight's entry is the gradient with respect to the effective weight: perturb
      // an unpruned copy to check it.
      const restored = masks.map((m) => m.slice());
      const probe = params.slice();
      if (maskAt(index) === 0) continue;
      probe[index] += h;
      const up = mlpLossGradient(layout, probe, restored, batch, temperature).loss;
      probe[index] -= 2 * h;
      const down = mlpLossGradient(layout, probe, restored, batch, temperature).loss;
      const numeric = (up - down) / (2 * h);
      assert.ok(
        Math.abs(numeric - grads[index]) <= 1e-6 * Math.max(1, Math.abs(numeric)) / temperature,
        `entry ${index}: ${grads[index]} vs ${numeric}`,
      );
    }
    assert.ok(loss(params, temperature) > 0);
  });

  Deno.test(`Hessian-vector product matches differences of the gradient (T = ${temperature})`, () => {
    const v = Float64Array.from({ length: layout.perRun }, () => rng.nextNormal());
    const hv = mlpHessianVectorProduct(layout, params, masks, batch, v, temperature);
    const h = 1e-5;
    const shifted = (sign: number) => {
      const p = params.slice();
      for (const index of entries) p[index] += sign * h * v[index];
      return mlpLossGradient(layout, p, masks, batch, temperature).grads;
    };
    const [up, down] = [shifted(1), shifted(-1)];
    const scale = Math.max(...entries.map((i) => Math.abs(hv[i])));
    for (const index of entries) {
      const numeric = (up[index] - down[index]) / (2 * h);
      assert.ok(
        Math.abs(numeric - hv[index]) <= 1e-5 * scale,
        `entry ${index}: ${hv[index]} vs ${numeric}`,
      );
    }
  });
}

Deno.test("the Hessian is symmetric over the kept entries: u . H v = v . H u", () => {
  const u = Float64Array.from({ length: layout.perRun }, () => rng.nextNormal());
  const v = Float64Array.from({ length: layout.perRun }, () => rng.nextNormal());
  // Directions act through the masks, so the operator is symmetric on the kept entries.
  const kept = entries.filter((index) => maskAt(index) === 1);
  const dot = (a: Float64Array, b: Float64Array) => kept.reduce((s, i) => s + a[i] * b[i], 0);
  const uHv = dot(u, mlpHessianVectorProduct(layout, params, masks, batch, v));
  const vHu = dot(v, mlpHessianVectorProduct(layout, params, masks, batch, u));
  assert.ok(Math.abs(uHv - vHu) <= 1e-10 * Math.max(1, Math.abs(uHv)), `${uHv} vs ${vHu}`);
});

Deno.test("a pruned weight does not change the loss", () => {
  const pruned = entries.find((index) => maskAt(index) === 0)!;
  const probe = params.slice();
  probe[pruned] += 5;
  assert.equal(loss(probe), loss(params));
});

Deno.test("a batch of the wrong size is refused", () => {
  assert.throws(
    () => mlpLossGradient(layout, params, masks, { inputs: new Float64Array(9), labels: [0, 1] }),
    /a batch of 2 labels needs 10 inputs, got 9/,
  );
});
