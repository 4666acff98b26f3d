/**
 * The elastic procedure's spec: the arms of experiments/elastic.yaml in every profile, member
 * depths, and the validation errors of variants (each names the field, the value and the fix).
 */
import assert from "node:assert/strict";
import { depthOf, ELASTIC_SPEC } from "../../src/procedures/elastic_spec.ts";
import { assertVariantError, resolveExperiment } from "../fixtures/experiments.ts";

Deno.test("elastic.yaml resolves for every profile with the arms its claims read", () => {
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const cfg = resolveExperiment("elastic", profile);
    assert.equal(depthOf(cfg, 3), 20);
    assert.equal(depthOf(cfg, 5), 32);
    assert.deepEqual(ELASTIC_SPEC.arms(cfg), [
      "imp-20",
      "imp-32",
      "ett-20to32",
      "ett-20to32-shuffled",
      "ett-20to32-reinit",
      "random-20to32",
      "magnitude-20to32",
      "snip-20to32",
      "grasp-20to32",
      "synflow-20to32",
      "ett-32to20",
      "ett-32to20-shuffled",
      "ett-32to20-reinit",
      "random-32to20",
      "magnitude-32to20",
      "snip-32to20",
      "grasp-32to20",
      "synflow-32to20",
    ]);
  }
});

Deno.test("validation errors name the field, the value and the fix", () => {
  assertVariantError(
    "elastic",
    "  prune_fractions: [0.2]",
    "  prune_fractions: [0.2, 0.2]",
    /procedure\.prune_fractions: expected one entry .*got \[0\.2, 0\.2\]/,
  );
  assertVariantError(
    "elastic",
    "  pruning: global",
    "  pruning: layerwise",
    /procedure\.pruning: expected one of: global, got "layerwise"/,
  );
  assertVariantError(
    "elastic",
    "    - { from: 3, to: 5 } # stretch 20 -> 32",
    "    - { from: 3, to: 7 }",
    /procedure\.transfers\[0\]\.to: expected one of procedure\.blocks_per_stage \(3, 5\), got 7/,
  );
  assertVariantError(
    "elastic",
    "    - { from: 3, to: 5 } # stretch 20 -> 32",
    "    - { from: 3, to: 3 }",
    /procedure\.transfers\[0\]: from and to are both 3; a transfer changes depth/,
  );
  assertVariantError(
    "elastic",
    "  blocks_per_stage: [3, 5] # ResNet-20, ResNet-32\n  transfers:\n    - { from: 3, to: 5 }",
    "  blocks_per_stage: [1, 5]\n  transfers:\n    - { from: 1, to: 5 }",
    /procedure\.transfers\[0\]\.from: a source with 1 block per stage cannot be stretched/,
  );
  assertVariantError(
    "elastic",
    "  transfer_rounds: [10]",
    "  transfer_rounds: [11]",
    /procedure\.transfer_rounds\[0\]: expected a trained round \(.*10\), got 11/,
  );
  assertVariantError(
    "elastic",
    "  snip_examples: 128 # one batch, as SNIP takes its gradient",
    "",
    /controls\.snip_examples: missing; snip needs the number of training examples/,
  );
  assertVariantError(
    "elastic",
    "  grasp_temperature: 200 # Wang et al.'s code (T)",
    "",
    /controls\.grasp_temperature: missing; grasp needs the temperature dividing the logits/,
  );
  assertVariantError(
    "elastic",
    "  at_rewind: [random, magnitude, snip, grasp, synflow]",
    "  at_rewind: [random, magnitude, snip, grasp]",
    /controls\.synflow_rounds: given, but controls\.at_rewind does not list synflow; remove it or add synflow/,
  );
  assertVariantError(
    "elastic",
    "    select: { arm: ett-20to32, level: 10 }",
    "    select: { arm: ett-20to32, level: 10, weights_remaining: 0.1074 }",
    /claims\[0\]\.select\.level: given with weights_remaining 0\.1074; .*remove the other/,
  );
  assertVariantError(
    "elastic",
    "    baseline: { arm: imp-32, level: 10 }",
    "    baseline: { arm: imp-44, level: 10 }",
    /imp-44/,
  );
  assertVariantError(
    "elastic",
    "  kind: resnet-20 # the family's template",
    "  kind: conv4 # the family's template",
    /model: the model has no residual block/,
  );
});
