/**
 * The multi-prize procedure's spec: cells, levels, MPT-1/1's layer list, and the validation
 * errors of experiments/multi-prize.yaml variants (each names the field, the value and the fix).
 */
import assert from "node:assert/strict";
import { buildModel } from "../../src/model/mod.ts";
import type { LayerSpec } from "../../src/config/types.ts";
import {
  binaryActivationLayers,
  MULTI_PRIZE_SPEC,
  multiPrizeCells,
  multiPrizeLevels,
  type MultiPrizeProcedure,
  multiPrizeWidths,
} from "../../src/procedures/multi_prize_spec.ts";
import { assertVariantError, resolveExperiment } from "../fixtures/experiments.ts";

Deno.test("cells are the union of the sweeps, widths ascending and k descending; levels by k", () => {
  const p = {
    sweeps: [
      { widths: [300, 100], weights_remaining: [0.5] },
      { widths: [100], weights_remaining: [0.3, 0.5] },
    ],
  } as unknown as MultiPrizeProcedure;
  assert.deepEqual(multiPrizeCells(p).map((c) => `${c.width} ${c.k}`), [
    "100 0.5",
    "100 0.3",
    "300 0.5",
  ]);
  assert.deepEqual(multiPrizeLevels(p), [0.5, 0.3]);
  assert.deepEqual(multiPrizeWidths(p), [100, 300]);
});

Deno.test("MPT-1/1's layers: each relu becomes batchnorm-nonaffine, sign; pools go before them", () => {
  const mlp: LayerSpec[] = [{ dense: 30, bias: false }, "relu", { dense: 10, bias: false }];
  assert.deepEqual(binaryActivationLayers(mlp), [
    { dense: 30, bias: false },
    "batchnorm-nonaffine",
    "sign",
    { dense: 10, bias: false },
  ]);
  const conv: LayerSpec = { conv: 4, kernel: 3, padding: 1, bias: false };
  const list: LayerSpec[] = [conv, "relu", conv, "relu", "maxpool", { dense: 16 }, "relu", {
    dense: 10,
  }];
  const binary = binaryActivationLayers(list);
  // Their Conv4_BinAct: conv -> BN -> act, conv -> MaxPool -> BN -> act, dense -> BN -> act.
  assert.deepEqual(binary, [
    conv,
    "batchnorm-nonaffine",
    "sign",
    conv,
    "maxpool",
    "batchnorm-nonaffine",
    "sign",
    { dense: 16 },
    "batchnorm-nonaffine",
    "sign",
    { dense: 10 },
  ]);
  // The same weight tensors at the same offsets: one W serves both models.
  const image = { channels: 1, height: 8, width: 8 };
  const a = buildModel(list, image).layout, b = buildModel(binary, image).layout;
  assert.equal(a.perRun, b.perRun);
  assert.deepEqual(
    a.layers.map((l) => [l.name, l.weightOffset, l.biasOffset]),
    b.layers.map((l) => [l.name, l.weightOffset, l.biasOffset]),
  );
  assert.equal(b.norms.length, 3);
  assert.ok(b.norms.every((norm) => !norm.affine));
});

Deno.test("multi-prize.yaml resolves for every profile with the arms the claims read", () => {
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const cfg = resolveExperiment("multi-prize", profile);
    assert.deepEqual(MULTI_PRIZE_SPEC.arms(cfg), [
      "mpt-1-32",
      "mpt-1-32-b",
      "mpt-1-1",
      "edge-popup",
      "dense",
      "random-mask",
      "random-signs",
    ]);
  }
  const quick = resolveExperiment("multi-prize", "quick");
  assert.deepEqual(MULTI_PRIZE_SPEC.widths(quick), [100, 300]);
});

Deno.test("validation errors name the field, the value and the fix", () => {
  assertVariantError(
    "multi-prize",
    "  weight_init: kaiming-normal",
    "  weight_init: xavier",
    /procedure\.weight_init: expected one of: kaiming-normal, signed-kaiming-constant, got "xavier"/,
  );
  assertVariantError(
    "multi-prize",
    "      weights_remaining: [0.3, 0.5, 0.7]",
    "      weights_remaining: [0, 0.5]",
    /procedure\.sweeps\[0\]\.weights_remaining\[0\]/,
  );
  assertVariantError(
    "multi-prize",
    "  binary: # mpt-1/1",
    "  binary_budget: # mpt-1/1",
    /binary/,
  );
  // A batch norm in the declared list: MPT-1/1 could not place its own.
  assertVariantError(
    "multi-prize",
    "    - { dense: 300, bias: false }\n    - relu\n    - { dense: 300, bias: false }",
    "    - { dense: 300, bias: false }\n    - batchnorm\n    - relu\n    - { dense: 300, bias: false }",
    /model\.layers: entry 2 is batchnorm; multi-prize takes dense and conv layers with relu and maxpool only .*: remove it/,
  );
  // No hidden dense layer: no width to sweep.
  assertVariantError(
    "multi-prize",
    "    - { dense: 300, bias: false }\n    - relu\n    - { dense: 300, bias: false }\n    - relu\n    - { dense: 10, bias: false }",
    "    - { conv: 4, kernel: 3, padding: 1, bias: false }\n    - relu\n    - { dense: 10, bias: false }",
    /model\.layers: expected at least two dense layers \(hidden\.\.\., classes\), got 1/,
  );
  // Arm names are folder names: MPT-1/32 is mpt-1-32.
  assertVariantError(
    "multi-prize",
    "select: { arm: mpt-1-32, width: 300, weights_remaining: 0.5 }\n    baseline: { arm: edge-popup",
    "select: { arm: mpt-1/32, width: 300, weights_remaining: 0.5 }\n    baseline: { arm: edge-popup",
    /claims\[0\]\.select\.arm: expected an arm name/,
  );
  assertVariantError(
    "multi-prize",
    "select: { arm: mpt-1-32, width: 300, weights_remaining: 0.5 }\n    baseline: { arm: edge-popup",
    "select: { arm: mpt-1-64, width: 300, weights_remaining: 0.5 }\n    baseline: { arm: edge-popup",
    /claims\[0\]\.select\.arm: arm "mpt-1-64" is not produced by this config; expected one of: mpt-1-32, mpt-1-32-b, mpt-1-1, edge-popup, dense, random-mask, random-signs/,
  );
  // min_step_difference pairs the baseline with the selector along the same axis.
  assertVariantError(
    "multi-prize",
    "baseline: { arm: dense, width: [100, 300], weights_remaining: 1.0 }",
    "baseline: { arm: dense, width: 100, weights_remaining: 1.0 }",
    /claims\[1\]\.baseline\.width: a "min_step_difference" statistic pairs the baseline with the selector along width; give the baseline a list of 2 width values, got 100/,
  );
  assertVariantError(
    "multi-prize",
    "baseline: { arm: dense, width: [100, 300], weights_remaining: 1.0 }",
    "baseline: { arm: dense, width: [100, 300, 1000], weights_remaining: 1.0 }",
    /claims\[1\]\.baseline\.width: expected 2 values \(as many as select\.width\), got 3/,
  );
  assertVariantError(
    "multi-prize",
    "  random_signs: true",
    "  random_signs: yes please",
    /controls\.random_signs/,
  );
});
