import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { mlpLayout, weightBlock } from "../../src/model/layout.ts";
import { initParams, initStd } from "../../src/model/init.ts";
import { ablatedInit } from "../../src/prune/mod.ts";

const layout = mlpLayout([30, 20, 5]);
const init = initParams(layout, "glorot-normal", new Rng(1, "ablation-test"));
// Every bias 0.5, so that keeping the biases is visible.
layout.layers.forEach((layer) =>
  init.fill(0.5, layer.biasOffset, layer.biasOffset + layer.outputs)
);
const masks = layout.layers.map((layer) => {
  const rng = new Rng(2, "ablation-mask", layer.outputs);
  return Float32Array.from(
    { length: layer.inputs * layer.outputs },
    () => rng.nextUnit() < 0.3 ? 1 : 0,
  );
});
const ablate = (name: Parameters<typeof ablatedInit>[0]) =>
  ablatedInit(name, layout, init, masks, "glorot-normal", new Rng(3, "ablation-draws"));

function eachWeight(
  fn: (l: number, i: number, w0: number, w: number, kept: boolean) => void,
  params: Float32Array,
) {
  layout.layers.forEach((_, l) => {
    const source = weightBlock(layout, init, l);
    const target = weightBlock(layout, params, l);
    for (let i = 0; i < source.length; i++) fn(l, i, source[i], target[i], masks[l][i] === 1);
  });
}

Deno.test("signed-constant: sign(w0) x the layer's init std on kept weights, 0 elsewhere", () => {
  const params = ablate("signed-constant");
  eachWeight((l, _i, w0, w, kept) => {
    const layer = layout.layers[l];
    const std = Math.fround(initStd("glorot-normal", layer));
    assert.equal(w, kept ? (w0 < 0 ? -std : std) : 0);
  }, params);
  assert.equal(params[layout.layers[0].biasOffset], 0.5);
});

Deno.test("random-signs: |w0| on kept weights with about half the signs flipped", () => {
  let flipped = 0, kept = 0;
  eachWeight((_l, _i, w0, w, isKept) => {
    if (!isKept) return assert.equal(w, 0);
    kept++;
    assert.equal(Math.abs(w), Math.abs(w0));
    if (Math.sign(w) !== Math.sign(w0)) flipped++;
  }, ablate("random-signs"));
  assert.ok(Math.abs(flipped / kept - 0.5) < 0.1, `${flipped} of ${kept} flipped`);
});

Deno.test("shuffled-values: each layer's kept magnitudes permuted, signs kept", () => {
  const params = ablate("shuffled-values");
  layout.layers.forEach((_, l) => {
    const before: number[] = [], after: number[] = [];
    let moved = 0;
    eachWeight((layer, _i, w0, w, kept) => {
      if (layer !== l) return;
      if (!kept) return assert.equal(w, 0);
      assert.equal(Math.sign(w), Math.sign(w0) || 1);
      before.push(Math.abs(w0));
      after.push(Math.abs(w));
      if (Math.abs(w) !== Math.abs(w0)) moved++;
    }, params);
    assert.deepEqual(after.sort(), before.sort());
    assert.ok(moved > before.length / 2, `layer ${l}: only ${moved} of ${before.length} moved`);
  });
});

Deno.test("frozen-pruned: the initial values everywhere, pruned weights included", () => {
  assert.deepEqual(ablate("frozen-pruned"), init);
});
