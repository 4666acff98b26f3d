import assert from "node:assert/strict";
import { mlpModel } from "../../src/model/mod.ts";
import { floatsPerRun } from "../../src/train/trainer_options.ts";

Deno.test("floatsPerRun is the largest per-run buffer: parameters or the widest activations", () => {
  const lenet = mlpModel([784, 300, 100, 10]);
  // 266,610 parameters (padded) against 1000 x 784 evaluation inputs: the inputs win.
  assert.equal(floatsPerRun(lenet, { batch: 60, evalBatch: 1000 }), 784_000);
  // A wide network: its parameters are the largest buffer.
  const wide = mlpModel([784, 1000, 1000, 10]);
  assert.equal(floatsPerRun(wide, { batch: 60, evalBatch: 1000 }), wide.layout.perRun);
  assert.ok(wide.layout.perRun > 1000 * 1000);
});
