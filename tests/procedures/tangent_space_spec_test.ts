/**
 * The tangent-space procedure's spec (arms, widths, rules) and its scoring of logits: the
 * validation errors of experiments/tangent-space.yaml variants name the field, the value and the
 * fix, and squareLossScores breaks ties towards the lowest index as the kernels do.
 */
import assert from "node:assert/strict";
import { predictionAgreement, squareLossScores } from "../../src/procedures/tangent_space.ts";
import { TANGENT_SPACE_SPEC } from "../../src/procedures/tangent_space_spec.ts";
import { assertVariantError, resolveExperiment } from "../fixtures/experiments.ts";

Deno.test("tangent-space.yaml resolves for every profile with the arms and widths the claims read", () => {
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const cfg = resolveExperiment("tangent-space", profile);
    assert.deepEqual(TANGENT_SPACE_SPEC.arms(cfg), [
      "real",
      "linearized",
      "real-square",
      "tangent-ridge",
    ]);
  }
  assert.deepEqual(TANGENT_SPACE_SPEC.widths(resolveExperiment("tangent-space", "quick")), [
    100,
    300,
  ]);
  assert.deepEqual(TANGENT_SPACE_SPEC.widths(resolveExperiment("tangent-space", "paper")), [
    100,
    300,
    1000,
    3000,
  ]);
});

Deno.test("validation errors name the field, the value and the fix", () => {
  assertVariantError(
    "tangent-space",
    "  kind: mlp\n  layers: [784, 300, 100, 10] # LeNet-300-100; every hidden layer takes the swept width\n  activation: relu",
    "  layers:\n    - { conv: 4, kernel: 3 }\n    - relu\n    - { dense: 10 }",
    /model\.layers: entry 1 is \{conv: 4, kernel: 3\}; tangent-space linearizes MLPs .*: remove it/,
  );
  assertVariantError(
    "tangent-space",
    "  layers: [784, 300, 100, 10]",
    "  layers: [784, 10]",
    /model\.layers: expected at least one hidden dense layer/,
  );
  assertVariantError(
    "tangent-space",
    "    lambdas: [0.1, 1, 10, 100]",
    "    lambdas: [1, 0]",
    /procedure\.ridge\.lambdas\[1\]/,
  );
  assertVariantError(
    "tangent-space",
    "  widths: [100, 300, 1000]",
    "  widths: [100, 100]",
    /procedure\.widths/,
  );
  assertVariantError(
    "tangent-space",
    "    examples: 55000 # the whole training split",
    "    examples: 55000\n\n    unknown_field: 1",
    /unknown_field/,
  );
  assertVariantError(
    "tangent-space",
    "  validation: 5000",
    "  validation: 5000\n  train_limit: 1000",
    /procedure\.ridge\.examples: expected at most data\.train_limit \(1000\) examples, got 55000/,
  );
});

Deno.test("squareLossScores: argmax with the lowest index on ties, mean 1/2 ||f - onehot||^2", () => {
  // Row 0: a tie between classes 0 and 2 goes to 0 (label 0: correct); row 1: class 1 (label 2).
  const logits = [1, 0, 1, 0, 2, 0.5];
  const scores = squareLossScores(logits, [0, 2], 3);
  assert.equal(scores.accuracy, 0.5);
  const row0 = 0.5 * (0 ** 2 + 0 ** 2 + 1 ** 2);
  const row1 = 0.5 * (0 ** 2 + 2 ** 2 + 0.5 ** 2);
  assert.ok(Math.abs(scores.loss - (row0 + row1) / 2) < 1e-12);
});

Deno.test("predictionAgreement: the fraction of rows with the same argmax (ties to the lowest)", () => {
  // Rows: (a: 0, b: 0), (a: 1, b: 2), (a: tie 0/2 -> 0, b: 0).
  const a = [2, 1, 0, 0, 3, 1, 5, 0, 5];
  const b = [1, 0, 0, 0, 1, 4, 2, 1, 1];
  assert.equal(predictionAgreement(a, b, 3), 2 / 3);
  assert.equal(predictionAgreement(a, a, 3), 1);
});
