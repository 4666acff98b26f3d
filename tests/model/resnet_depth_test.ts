/** ResNet family members from one layer list (src/model/resnet_depth.ts). */
import assert from "node:assert/strict";
import {
  namedModelSpecs,
  resnetDepth,
  resnetStages,
  withBlocksPerStage,
} from "../../src/model/mod.ts";
import type { LayerSpec } from "../../src/config/types.ts";

Deno.test("ResNet-20 with 5 and 9 blocks per stage is open_lth's ResNet-32 and ResNet-56", () => {
  const r20 = namedModelSpecs("resnet-20", 10);
  assert.deepEqual(withBlocksPerStage(r20, 5), namedModelSpecs("resnet-32", 10));
  assert.deepEqual(withBlocksPerStage(r20, 9), namedModelSpecs("resnet-56", 10));
  assert.deepEqual(withBlocksPerStage(namedModelSpecs("resnet-56", 10), 3), r20);
  assert.equal(resnetDepth(r20), 20);
  assert.equal(resnetDepth(withBlocksPerStage(r20, 2)), 14);
  assert.equal(resnetDepth(withBlocksPerStage(r20, 1)), 8);
});

Deno.test("stages start at the first block, at a stride, or where the channels change", () => {
  const specs: LayerSpec[] = [
    { conv: 4, bias: false },
    "batchnorm",
    "relu",
    { residual: 4 },
    { residual: 4 },
    { residual: 8 }, // a channel change without a stride still starts a stage
    { residual: 8, stride: 2 },
    "global_avgpool",
    { dense: 10 },
  ];
  const { stem, stages, head } = resnetStages(specs);
  assert.equal(stem.length, 3);
  assert.deepEqual(stages.map((stage) => stage.length), [2, 1, 1]);
  assert.equal(head.length, 2);
  assert.deepEqual(withBlocksPerStage(specs, 2).slice(3, 9), [
    { residual: 4 },
    { residual: 4, stride: 1 },
    { residual: 8 },
    { residual: 8, stride: 1 },
    { residual: 8, stride: 2 },
    { residual: 8, stride: 1 },
  ]);
});

Deno.test("a list without consecutive residual blocks is refused with the reason", () => {
  assert.throws(() => resnetStages([{ dense: 10 }]), /no residual block/);
  assert.throws(
    () => resnetStages([{ residual: 4 }, "relu", { residual: 4 }, { dense: 10 }]),
    /not consecutive \(entry 2/,
  );
  assert.throws(() => withBlocksPerStage(namedModelSpecs("resnet-20", 10), 0), /integer >= 1/);
});
