/**
 * Models as layer lists: the shorthand and the list give the same layers and layout, names and
 * offsets match the checkpoint layout, a ReLU must follow a layer that can apply it, and a width
 * sweep changes only the hidden layers.
 */
import assert from "node:assert/strict";
import {
  buildModel,
  denseWidths,
  mlpLayerSpecs,
  mlpLayout,
  mlpModel,
  modelLayerSpecs,
  withHiddenWidth,
} from "../../src/model/mod.ts";

const LENET = [784, 300, 100, 10];

Deno.test("the MLP shorthand expands to dense and relu entries, input width dropped", () => {
  assert.deepEqual(mlpLayerSpecs(LENET), [
    { dense: 300 },
    "relu",
    { dense: 100 },
    "relu",
    { dense: 10 },
  ]);
  assert.deepEqual(mlpLayerSpecs([4, 3]), [{ dense: 3 }]);
});

Deno.test("a layer list builds the layout of the equivalent MLP, with PyTorch names", () => {
  const model = buildModel([{ dense: 300 }, "relu", { dense: 100 }, "relu", { dense: 10 }], 784);
  assert.deepEqual(model.layout, mlpLayout(LENET));
  assert.deepEqual(model.layout.layers.map((l) => l.name), ["fc1", "fc2", "fc3"]);
  assert.deepEqual(model.layers.map((l) => l.kind), ["dense", "relu", "dense", "relu", "dense"]);
  assert.equal(model.inputs, 784);
  assert.equal(model.outputs, 10);
  // fc1.weight [300, 784] at 0; its bias after it, aligned to 4 floats.
  assert.equal(model.layout.layers[0].weightOffset, 0);
  assert.equal(model.layout.layers[0].biasOffset, 300 * 784);
  assert.equal(model.layout.perRun % 4, 0);
});

Deno.test("dense layers fuse the ReLU after them; nothing else does", () => {
  const model = mlpModel([5, 7, 3]);
  const [dense1, relu, dense2] = model.layers;
  assert.ok(dense1.fuses(relu));
  assert.ok(!dense1.fuses(dense2));
  assert.ok(!relu.fuses(dense2));
  assert.ok(relu.inPlaceBackward);
  assert.ok(!dense1.inPlaceBackward);
});

Deno.test("a ReLU that no layer can apply is refused with the place and the fix", () => {
  assert.throws(
    () => buildModel(["relu", { dense: 10 }], 784),
    /layer 1 \(relu\) must follow a layer that applies it in its output \(dense\), got the input/,
  );
  assert.throws(
    () => buildModel([{ dense: 10 }, "relu", "relu"], 784),
    /layer 3 \(relu\) must follow .* got relu/,
  );
  assert.throws(() => buildModel(["relu"].slice(1) as [], 784), /at least one dense layer/);
});

Deno.test("a width sweep sets every hidden dense layer and keeps the output layer", () => {
  const specs = mlpLayerSpecs(LENET);
  assert.deepEqual(denseWidths(withHiddenWidth(specs, 1000)), [1000, 1000, 10]);
  assert.deepEqual(denseWidths(withHiddenWidth(mlpLayerSpecs([784, 10]), 50)), [10]);
});

Deno.test("either form of a model config gives one layer list", () => {
  const common = { init: "glorot-normal" as const, prune_biases: false };
  const shorthand = modelLayerSpecs({
    kind: "mlp",
    layers: LENET,
    activation: "relu",
    ...common,
  });
  const list = modelLayerSpecs({ layers: mlpLayerSpecs(LENET), ...common });
  assert.deepEqual(shorthand, list);
});
