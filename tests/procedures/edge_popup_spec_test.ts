import assert from "node:assert/strict";
import {
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
