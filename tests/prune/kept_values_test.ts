import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout, weightBlock } from "../../src/model/layout.ts";
import { keptValues } from "../../src/prune/kept_values.ts";
import { initParams, initStd } from "../../src/model/init.ts";
import { buildModel } from "../../src/model/model.ts";

const layout = mlpLayout([20, 8, 3]);
const init = initParams(layout, "glorot-normal", new Rng(5, "init"));
const masks = layout.layers.map((layer, l) =>
  Float32Array.from({ length: layer.inputs * layer.outputs }, (_, i) => (i + l) % 3 === 0 ? 0 : 1)
);
const signs = () => new Rng(5, "random signs");

Deno.test("init keeps w_i, signed-constant sign(w_i) * the layer's std; pruned are +0, biases 0", () => {
  const kept = keptValues(layout, init, masks, "init", "glorot-normal", null);
  const signed = keptValues(layout, init, masks, "signed-constant", "glorot-normal", null);
  layout.layers.forEach((layer, l) => {
    const std = Math.fround(initStd("glorot-normal", layer));
    const w = weightBlock(layout, init, l);
    const a = weightBlock(layout, kept, l), b = weightBlock(layout, signed, l);
    for (let i = 0; i < w.length; i++) {
      if (masks[l][i] === 0) {
        assert.ok(Object.is(a[i], 0) && Object.is(b[i], 0), `pruned ${l}/${i} is +0`);
        continue;
      }
      assert.equal(a[i], w[i]);
      assert.equal(b[i], Math.sign(w[i]) * std);
    }
    const biases = (p: Float32Array) =>
      p.subarray(layer.biasOffset, layer.biasOffset + layer.outputs);
    assert.ok(biases(kept).every((v) => v === 0) && biases(signed).every((v) => v === 0));
  });
});

Deno.test("random-signs: |w| is the constant, signs ignore w_i, and do not depend on the mask", () => {
  const masked = keptValues(layout, init, masks, "random-signs", "glorot-normal", signs());
  const all = keptValues(layout, init, null, "random-signs", "glorot-normal", signs());
  let agree = 0, total = 0;
  layout.layers.forEach((layer, l) => {
    const std = Math.fround(initStd("glorot-normal", layer));
    const w = weightBlock(layout, init, l);
    const m = weightBlock(layout, masked, l), a = weightBlock(layout, all, l);
    for (let i = 0; i < w.length; i++) {
      assert.equal(Math.abs(a[i]), std);
      assert.equal(m[i], masks[l][i] === 0 ? 0 : a[i]);
      agree += Math.sign(a[i]) === Math.sign(w[i]) ? 1 : 0;
      total++;
    }
  });
  // Independent of the initial signs: about half agree (5 standard deviations).
  assert.ok(Math.abs(agree - total / 2) < 2.5 * Math.sqrt(total), `${agree} of ${total} agree`);
  assert.throws(
    () => keptValues(layout, init, masks, "random-signs", "glorot-normal", null),
    /needs a random stream/,
  );
});

Deno.test("an untrained network keeps its batch norms' gamma and beta (1 and 0 as initialised)", () => {
  const normed = buildModel([{ dense: 8 }, "batchnorm", "relu", { dense: 3 }], 20).layout;
  const start = initParams(normed, "glorot-normal", new Rng(5, "init"));
  const [norm] = normed.norms;
  start.fill(0.25, norm.betaOffset, norm.betaOffset + norm.channels);
  for (const values of ["init", "signed-constant", "random-signs"] as const) {
    const params = keptValues(normed, start, null, values, "glorot-normal", signs());
    const gamma = params.subarray(norm.gammaOffset, norm.gammaOffset + norm.channels);
    const beta = params.subarray(norm.betaOffset, norm.betaOffset + norm.channels);
    assert.ok(gamma.every((v) => v === 1), `${values}: gamma [${gamma}]`);
    assert.ok(beta.every((v) => v === 0.25), `${values}: beta [${beta}]`);
  }
});
