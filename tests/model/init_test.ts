import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout, weightBlock } from "../../src/model/layout.ts";
import { type InitName, initParams, initStd } from "../../src/model/init.ts";

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
