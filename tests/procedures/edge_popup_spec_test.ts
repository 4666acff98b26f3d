import assert from "node:assert/strict";
import type { ExperimentConfig } from "../../src/config/types.ts";
import {
  EDGE_POPUP_SPEC,
  type EdgePopupProcedure,
  sweepCells,
  sweepLevels,
} from "../../src/procedures/edge_popup_spec.ts";

const procedure = {
  sweeps: [
    {
      widths: [100],
      weights_remaining: [0.1, 0.5],
      weight_inits: ["signed-kaiming-constant", "kaiming-normal"],
    },
    { widths: [1000, 100], weights_remaining: [0.5], weight_inits: ["signed-kaiming-constant"] },
  ],
} as unknown as EdgePopupProcedure;

Deno.test("sweep cells are the union of each block's combinations, each once, in a fixed order", () => {
  assert.deepEqual(sweepCells(procedure).map((c) => `${c.width} ${c.k} ${c.init}`), [
    "100 0.5 kaiming-normal",
    "100 0.5 signed-kaiming-constant",
    "100 0.1 kaiming-normal",
    "100 0.1 signed-kaiming-constant",
    "1000 0.5 signed-kaiming-constant",
  ]);
});

Deno.test("levels are the distinct fractions kept, largest first", () => {
  assert.deepEqual(sweepLevels(procedure), [0.5, 0.1]);
});

/** The hidden-layers rule's message for a model, or null when it passes. */
function hiddenLayersProblem(model: unknown, dataset = "cifar-10"): string | null {
  const rule = EDGE_POPUP_SPEC.rules.find((r) => r.doc.includes("hidden dense layer"))!;
  const cfg = { model, data: { dataset, validation: 5000 } } as unknown as ExperimentConfig;
  try {
    rule.check(cfg, (path, message) => {
      throw new Error(`${path}: ${message}`);
    });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

Deno.test("the swept width is a hidden dense layer's: conv lists need one, MLPs as before", () => {
  const conv = { conv: 8, kernel: 3, padding: 1, bias: false };
  const layers = (
    ...dense: number[]
  ) => [
    conv,
    "relu",
    "maxpool",
    ...dense.flatMap((n, i) =>
      i + 1 < dense.length ? [{ dense: n, bias: false }, "relu"] : [{ dense: n, bias: false }]
    ),
  ];
  const model = (list: unknown[]) => ({
    layers: list,
    init: "kaiming-normal",
    prune_biases: false,
  });
  // Conv-4-like: two hidden dense layers to sweep, the convolutions keep their channels.
  assert.equal(hiddenLayersProblem(model(layers(256, 256, 10))), null);
  assert.equal(hiddenLayersProblem(model(layers(256, 10))), null);
  // Two weight layers but no hidden dense layer: nothing would be swept.
  assert.equal(
    hiddenLayersProblem(model([conv, "relu", conv, "relu", { dense: 10 }])),
    "model.layers: expected at least two dense layers (hidden..., classes), got 1",
  );
  assert.equal(
    hiddenLayersProblem({ kind: "mlp", layers: [784, 10], activation: "relu" }, "mnist"),
    "model.layers: expected at least 3 entries (input, hidden..., classes), got 2",
  );
  assert.equal(
    hiddenLayersProblem({ kind: "mlp", layers: [784, 300, 10], activation: "relu" }, "mnist"),
    null,
  );
  assert.equal(hiddenLayersProblem({ kind: "conv4" }), null);
});
