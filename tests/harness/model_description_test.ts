/** The report's model line: one PyTorch module per layer with its checkpoint name. */
import assert from "node:assert/strict";
import type { ExperimentConfig } from "../../src/config/types.ts";
import { describeModel, weightLayerNames } from "../../src/harness/model_description.ts";

type ModelAndData = Pick<ExperimentConfig, "model" | "data">;

function config(model: Record<string, unknown>, dataset: string): ModelAndData {
  return {
    model: { init: "kaiming-normal", prune_biases: false, ...model },
    data: { dataset, validation: 5000 },
  } as unknown as ModelAndData;
}

Deno.test("a conv model's line names every module, bias=False where it has none", () => {
  assert.equal(
    describeModel(
      config({ layers: [{ conv: 4, bias: false }, "relu", "maxpool", { dense: 10 }] }, "mnist"),
    ),
    "[input 1x28x28] conv1: nn.Conv2d(1, 4, 3, stride=1, padding=1, bias=False) -> nn.ReLU() -> " +
      "nn.MaxPool2d(2) -> flatten(1) -> fc1: nn.Linear(784, 10)",
  );
});

Deno.test("ResNet-20's line spells out its blocks and shortcuts in checkpoint names", () => {
  const resnet = config({ kind: "resnet-20" }, "cifar-10");
  const line = describeModel(resnet);
  assert.ok(
    line.startsWith(
      "[input 3x32x32] conv1: nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False) -> " +
        "bn1: nn.BatchNorm2d(16) -> nn.ReLU() -> Block[conv2: nn.Conv2d(16, 16, 3, stride=1, " +
        "padding=1, bias=False) -> bn2: nn.BatchNorm2d(16) -> nn.ReLU() -> conv3: nn.Conv2d(16, " +
        "16, 3, stride=1, padding=1, bias=False) -> bn3: nn.BatchNorm2d(16); shortcut: identity; " +
        "sum -> nn.ReLU()]",
    ),
    line,
  );
  assert.ok(
    line.includes(
      "shortcut: conv10: nn.Conv2d(16, 32, 1, stride=2, padding=0, bias=False) -> " +
        "bn10: nn.BatchNorm2d(32); sum -> nn.ReLU()]",
    ),
    line,
  );
  assert.ok(
    line.endsWith("nn.AdaptiveAvgPool2d(1) -> flatten(1) -> fc1: nn.Linear(64, 10)"),
    line,
  );
  const names = weightLayerNames(resnet);
  assert.equal(names.length, 22);
  assert.deepEqual([names[0], names[20], names[21]], ["conv1", "conv21", "fc1"]);
});

Deno.test("a sign layer is named as biprop's module, BiRealAct", () => {
  assert.equal(
    describeModel(
      config({
        layers: [
          { conv: 4, bias: false },
          "batchnorm-nonaffine",
          "sign",
          { dense: 10, bias: false },
        ],
      }, "mnist"),
    ),
    "[input 1x28x28] conv1: nn.Conv2d(1, 4, 3, stride=1, padding=1, bias=False) -> " +
      "bn1: nn.BatchNorm2d(4, affine=False) -> BiRealAct() -> flatten(1) -> " +
      "fc1: nn.Linear(3136, 10, bias=False)",
  );
});
