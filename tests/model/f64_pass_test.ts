/**
 * The f64 pass's own pieces beyond the trainer's reference checks (tests/train/conv_trainer_test.ts):
 * evaluation-mode batch norms backward, the logit temperature, and replayed gates.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import {
  buildModel,
  f64Forward,
  f64Gradient,
  initialState,
  initParams,
} from "../../src/model/mod.ts";

const model = buildModel([
  { conv: 3, padding: 1 },
  "batchnorm",
  "relu",
  "maxpool",
  { residual: 4, stride: 2 },
  "global_avgpool",
  { dense: 3 },
], { channels: 1, height: 8, width: 8 });
const rng = new Rng(21, "f64-pass-test");
const params = Float64Array.from(initParams(model.layout, "kaiming-normal", rng, "uniform"));
for (const norm of model.layout.norms) {
  if (norm.affine) {
    for (let c = 0; c < norm.channels; c++) params[norm.betaOffset + c] = 0.1 * rng.nextNormal();
  }
}
const state = Float64Array.from(initialState(model.layout, 1));
for (const norm of model.layout.norms) {
  for (let c = 0; c < norm.channels; c++) {
    state[norm.meanOffset + c] = 0.3 * rng.nextNormal();
    state[norm.varOffset + c] = 0.5 + rng.nextUnit();
  }
}
// The bias slots of layers without a bias stay 0 and take no gradient (nor does padding).
const unused = new Set<number>();
for (const layer of model.layout.layers) {
  if (!layer.bias) {
    for (let o = 0; o < 4 * Math.ceil(layer.outputs / 4); o++) unused.add(layer.biasOffset + o);
  }
}
const mask = new Float32Array(model.layout.perRun).fill(1);
const inputs = Float64Array.from({ length: 4 * model.inputs }, () => rng.nextUnit());
const labels = [0, 1, 2, 1];

for (const training of [false, true]) {
  Deno.test(`the ${training ? "training" : "evaluation"}-mode gradient at temperature 3 matches central differences`, () => {
    const options = { training, state, temperature: 3 };
    const { grads, gates } = f64Gradient(model, params, mask, inputs, labels, options);
    const replay = { ...options, gates };
    const h = 1e-6;
    let checked = 0;
    for (let i = 0; i < params.length; i += 3) {
      if (unused.has(i)) continue;
      const moved = (sign: number) => {
        const p = params.slice();
        p[i] += sign * h;
        return f64Forward(model, p, mask, inputs, labels, replay).loss;
      };
      const numeric = (moved(1) - moved(-1)) / (2 * h);
      assert.ok(
        Math.abs(grads[i] - numeric) <= 1e-6 * Math.max(1e-3, Math.abs(numeric)),
        `parameter ${i}: ${grads[i]} against ${numeric}`,
      );
      checked++;
    }
    assert.ok(checked > 50);
  });
}

Deno.test("a pass replaying its own gates computes the same loss; another pass's gates change it", () => {
  const first = f64Forward(model, params, mask, inputs, labels);
  const again = f64Forward(model, params, mask, inputs, labels, { gates: first.gates });
  assert.equal(again.loss, first.loss);
  const shifted = inputs.map((x) => 1 - x);
  const own = f64Forward(model, params, mask, shifted, labels);
  const borrowed = f64Forward(model, params, mask, shifted, labels, { gates: first.gates });
  assert.notEqual(borrowed.loss, own.loss);
});
