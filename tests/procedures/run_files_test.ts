import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { armFiles } from "../../src/io/paths.ts";
import { encodeSafetensors } from "../../src/io/safetensors.ts";
import { biasBlock, buildModel, mlpLayout, weightBlock } from "../../src/model/mod.ts";
import {
  checkpointTensors,
  isDone,
  networkFromCheckpoint,
  readRow,
  writeRunFiles,
} from "../../src/procedures/run_files.ts";
import { makeRow } from "../fixtures/rows.ts";

const row = makeRow({ trial: 1, level: 2, arm: "ticket" }, {
  early_stop_iteration: 100,
  final_test_accuracy: 0.89,
  min_validation_loss: 0.3,
});

Deno.test("a run's row reads back as written, and DONE marks it finished", () => {
  const dir = mkdtempSync(join(tmpdir(), "run-files-test-"));
  try {
    assert.equal(isDone(dir), false);
    writeRunFiles(dir, { checkpoints: {}, curve: [], row, metadata: {} });
    assert.equal(isDone(dir), true);
    assert.deepEqual(readRow(dir), row);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("a row.json written before the level rename (key round) reads back with its level", () => {
  const dir = mkdtempSync(join(tmpdir(), "run-files-test-"));
  try {
    const { level, ...rest } = row;
    writeFileSync(armFiles(dir).row, JSON.stringify({ ...rest, round: level }));
    const back = readRow(dir);
    assert.deepEqual(back, row);
    assert.ok(!("round" in back));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A small conv model with an affine and a non-affine batch norm (one after a dense layer). */
const NORMED = buildModel(
  [
    { conv: 3, kernel: 3 },
    "batchnorm",
    "relu",
    "maxpool",
    { dense: 5 },
    "batchnorm-nonaffine",
    "relu",
    { dense: 4 },
  ],
  { channels: 2, height: 6, width: 6 },
);

/** Every entry a distinct value, so a tensor read into the wrong place shows. */
function distinct(length: number, from: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => from + i / 8);
}

Deno.test("a batch-norm model's checkpoint round-trips its parameters and running statistics", () => {
  const layout = NORMED.layout;
  assert.ok(layout.statePerRun > 0);
  const network = { params: distinct(layout.perRun, 1), state: distinct(layout.statePerRun, -3) };
  // Padding entries are not stored: the read-back network has 0 there.
  const expected = {
    params: new Float32Array(layout.perRun),
    state: new Float32Array(layout.statePerRun),
  };
  for (const layer of layout.layers) {
    for (
      const [start, length] of [[layer.weightOffset, layer.inputs * layer.outputs], [
        layer.biasOffset,
        layer.outputs,
      ]]
    ) expected.params.set(network.params.subarray(start, start + length), start);
  }
  for (const norm of layout.norms) {
    const copy = (from: Float32Array, to: Float32Array, at: number) =>
      to.set(from.subarray(at, at + norm.channels), at);
    if (norm.affine) {
      copy(network.params, expected.params, norm.gammaOffset);
      copy(network.params, expected.params, norm.betaOffset);
    }
    copy(network.state, expected.state, norm.meanOffset);
    copy(network.state, expected.state, norm.varOffset);
  }
  const masks = layout.layers.map((layer) =>
    new Float32Array(layer.inputs * layer.outputs).fill(1)
  );
  const tensors = checkpointTensors(layout, network, masks);
  assert.deepEqual(tensors.map((t) => t.name), [
    "conv1.weight",
    "conv1.bias",
    "conv1.mask",
    "fc1.weight",
    "fc1.bias",
    "fc1.mask",
    "fc2.weight",
    "fc2.bias",
    "fc2.mask",
    "bn1.weight",
    "bn1.bias",
    "bn1.running_mean",
    "bn1.running_var",
    "bn2.running_mean",
    "bn2.running_var",
  ]);
  const bn1 = tensors.find((t) => t.name === "bn1.running_var")!;
  assert.deepEqual(bn1.shape, [3]);
  const back = networkFromCheckpoint(layout, encodeSafetensors(tensors, {}));
  assert.deepEqual(back, expected);
  // A second round trip is exact (nothing lost but the padding).
  const again = encodeSafetensors(checkpointTensors(layout, back, masks), {});
  assert.deepEqual(networkFromCheckpoint(layout, again), expected);
});

Deno.test("a batch-norm model refuses a checkpoint without its running statistics", () => {
  const layout = NORMED.layout;
  const network = { params: distinct(layout.perRun, 1), state: distinct(layout.statePerRun, 0) };
  const masks = layout.layers.map((layer) =>
    new Float32Array(layer.inputs * layer.outputs).fill(1)
  );
  const without = checkpointTensors(layout, network, masks).filter((t) =>
    t.name !== "bn2.running_mean"
  );
  assert.throws(
    () => networkFromCheckpoint(layout, encodeSafetensors(without, {})),
    /^Error: checkpoint has no bn2.running_mean; re-run with --fresh$/,
  );
  assert.throws(
    () => checkpointTensors(layout, { params: network.params, state: new Float32Array(0) }, masks),
    /needs \d+ parameters and \d+ running statistics, got \d+ and 0/,
  );
});

Deno.test("an MLP's checkpoint holds exactly the weight layers' tensors, bytes unchanged", () => {
  const layout = mlpLayout([6, 4, 3]);
  const params = distinct(layout.perRun, 0.5);
  const masks = layout.layers.map((layer) =>
    new Float32Array(layer.inputs * layer.outputs).fill(1)
  );
  const tensors = checkpointTensors(layout, { params, state: new Float32Array(0) }, masks);
  assert.deepEqual(tensors.map((t) => t.name), [
    "fc1.weight",
    "fc1.bias",
    "fc1.mask",
    "fc2.weight",
    "fc2.bias",
    "fc2.mask",
  ]);
  // The same bytes as the tensors written out by hand, as checkpoints were before batch norms.
  const byHand = layout.layers.flatMap((layer, l) => [
    { name: `${layer.name}.weight`, shape: layer.shape, data: weightBlock(layout, params, l) },
    { name: `${layer.name}.bias`, shape: [layer.outputs], data: biasBlock(layout, params, l) },
    { name: `${layer.name}.mask`, shape: layer.shape, data: masks[l] },
  ]);
  const meta = { trial: "1" };
  assert.deepEqual(encodeSafetensors(tensors, meta), encodeSafetensors(byHand, meta));
  const back = networkFromCheckpoint(layout, encodeSafetensors(tensors, meta));
  layout.layers.forEach((_, l) => {
    assert.deepEqual(weightBlock(layout, back.params, l), weightBlock(layout, params, l));
    assert.deepEqual(biasBlock(layout, back.params, l), biasBlock(layout, params, l));
  });
  assert.equal(back.state.length, 0);
});
