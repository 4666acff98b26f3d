import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout, weightBlock } from "../../src/model/layout.ts";
import { type InitName, initParams, initStd } from "../../src/model/init.ts";
import { buildModel } from "../../src/model/model.ts";

const layout = mlpLayout([784, 300, 10]);
const INITS: InitName[] = [
  "glorot-normal",
  "kaiming-normal",
  "signed-kaiming-constant",
  "kaiming-uniform",
];

for (const init of INITS) {
  Deno.test(`${init}: mean 0, the layer's std, balanced signs, zero biases`, () => {
    const params = initParams(layout, init, new Rng(3, "init test"));
    layout.layers.forEach((layer, l) => {
      const w = weightBlock(layout, params, l);
      const n = w.length;
      const mean = w.reduce((s, v) => s + v, 0) / n;
      const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
      const expected = initStd(init, layer);
      // Five standard errors: the mean's is std/sqrt(n); the std's about std/sqrt(2n).
      assert.ok(Math.abs(mean) < 5 * expected / Math.sqrt(n), `${layer.name} mean ${mean}`);
      assert.ok(
        Math.abs(std - expected) < 5 * expected / Math.sqrt(2 * n) + 1e-7,
        `${layer.name} std ${std}, expected ${expected}`,
      );
      const positive = w.filter((v) => v > 0).length;
      assert.ok(Math.abs(positive - n / 2) < 5 * Math.sqrt(n) / 2, `${layer.name} signs`);
      if (init === "signed-kaiming-constant") {
        assert.ok(w.every((v) => Math.abs(v) === Math.fround(expected)));
      }
      if (init === "kaiming-uniform") {
        assert.ok(w.every((v) => Math.abs(v) <= 1 / Math.sqrt(layer.inputs)));
      }
    });
    for (const layer of layout.layers) {
      assert.ok(
        params.subarray(layer.biasOffset, layer.biasOffset + layer.outputs).every((v) => v === 0),
      );
    }
  });
}

Deno.test("batchnorm_init: uniform draws gamma from U[0, 1) after every weight; ones keeps 1", () => {
  const model = buildModel(
    [{ conv: 8, bias: false }, "batchnorm", "relu", { dense: 3 }],
    { channels: 1, height: 4, width: 4 },
  );
  const ones = initParams(model.layout, "kaiming-normal", new Rng(2, "bn init"));
  const uniform = initParams(model.layout, "kaiming-normal", new Rng(2, "bn init"), "uniform");
  const [norm] = model.layout.norms;
  const gammas = uniform.subarray(norm.gammaOffset, norm.gammaOffset + norm.channels);
  assert.ok(gammas.every((g) => g >= 0 && g < 1), `gammas ${gammas}`);
  assert.equal(new Set(gammas).size, norm.channels);
  assert.ok(
    ones.subarray(norm.gammaOffset, norm.gammaOffset + norm.channels).every((g) => g === 1),
  );
  // The weights are the same draws either way; beta stays 0.
  const weights = model.layout.layers[0];
  const end = weights.weightOffset + weights.inputs * weights.outputs;
  assert.deepEqual(uniform.subarray(0, end), ones.subarray(0, end));
  assert.ok(
    uniform.subarray(norm.betaOffset, norm.betaOffset + norm.channels).every((b) => b === 0),
  );
});
