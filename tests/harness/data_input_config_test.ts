/**
 * data.augmentation and data.normalize in an experiment file: what loads and how it reaches the
 * trainer options, and each mistake's message with its file:line:column, the field, the value and
 * what was expected.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import { STREAMS } from "../../src/base/streams.ts";
import type { TrainingConfig } from "../../src/config/types.ts";
import type { GpuDataset } from "../../src/data/gpu_dataset.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import {
  evaluationOptions,
  trainerOptions,
  withAugmentationKeys,
} from "../../src/train/trainer_options.ts";

// Line numbers are in the comments on the right; variants replace single lines.
const FIXTURE = [
  "id: colour", // 1
  "hypothesis: weak-lth", // 2
  "claim: Tickets exist on CIFAR-10.", // 3
  "citation: Test fixture.", // 4
  "model:", // 5
  "  kind: mlp", // 6
  "  layers: [3072, 30, 10]", // 7
  "  activation: relu", // 8
  "  init: glorot-normal", // 9
  "  prune_biases: false", // 10
  "data:", // 11
  "  dataset: cifar-10", // 12
  "  validation: 5000", // 13
  "  augmentation: { random_crop_padding: 4, horizontal_flip: true }", // 14
  "  normalize:", // 15
  "    mean: [0.4914, 0.4822, 0.4465]", // 16
  "    std: [0.2470, 0.2435, 0.2616]", // 17
  "procedure:", // 18
  "  name: imp", // 19
  "  optimizer: { name: adam, learning_rate: 1.2e-3 }", // 20
  "  batch_size: 60", // 21
  "  iterations: 1000", // 22
  "  eval_every: 100", // 23
  "  rounds: 5", // 24
  "  prune_fractions: [0.2, 0.1]", // 25
  "  rewind: init", // 26
  "controls: { random_reinit: 0, random_mask: false, rounds: [] }", // 27
  "trials: 3", // 28
  "seed: 1", // 29
  "claims:", // 30
  "  - id: dense", // 31
  "    text: The dense network learns.", // 32
  "    metric: test_accuracy_at_early_stop", // 33
  "    select: { arm: ticket, weights_remaining: 1.0 }", // 34
  "    statistic: value", // 35
  '    op: ">"', // 36
  "    threshold: 0.1", // 37
  "    paper: no published number", // 38
  "profiles:", // 39
  "  paper: { note: the paper's protocol }", // 40
  "  quick: { note: the same }", // 41
  "  smoke:", // 42
  "    note: no augmentation", // 43
  "    overrides: { trials: 1 }", // 44
];

const dir = mkdtempSync(join(tmpdir(), "data-input-config-test-"));
globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));

function fixture(changes: Record<number, string | null> = {}): string {
  const lines = FIXTURE.flatMap((line, i) => {
    const change = changes[i + 1];
    return change === undefined ? [line] : change === null ? [] : [change];
  });
  const path = join(dir, "colour.yaml");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function assertLoadError(changes: Record<number, string | null>, message: string): void {
  const path = fixture(changes);
  assert.throws(() => loadExperimentFile(path), (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.equal(error.message, `${path}:${message}`);
    return true;
  });
}

Deno.test("data.augmentation and data.normalize load; absent, they are absent", () => {
  const config = resolveConfig(loadExperimentFile(fixture()), "quick");
  assert.deepEqual(config.data.augmentation, { random_crop_padding: 4, horizontal_flip: true });
  assert.deepEqual(config.data.normalize, {
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.2470, 0.2435, 0.2616],
  });
  const plain = resolveConfig(
    loadExperimentFile(fixture({ 14: null, 15: null, 16: null, 17: null })),
    "quick",
  );
  assert.equal(plain.data.augmentation, undefined);
  assert.equal(plain.data.normalize, undefined);
  assert.ok(!("augmentation" in plain.data) && !("normalize" in plain.data));
});

Deno.test("data.augmentation: bad padding and flip are refused with their position", () => {
  const line = (fields: string) => ({ 14: `  augmentation: { ${fields} }` });
  assertLoadError(
    line("random_crop_padding: -1, horizontal_flip: true"),
    "14:40: data.augmentation.random_crop_padding: expected an integer >= 0, got -1",
  );
  assertLoadError(
    line("random_crop_padding: 2.5, horizontal_flip: true"),
    "14:40: data.augmentation.random_crop_padding: expected an integer >= 0, got 2.5",
  );
  assertLoadError(
    line("random_crop_padding: 32, horizontal_flip: true"),
    "14:40: data.augmentation.random_crop_padding: expected an integer in 0..31 (below the cifar-10 image side, 32 x 32), got 32",
  );
  assertLoadError(
    line("random_crop_padding: 4, horizontal_flip: yes"),
    '14:60: data.augmentation.horizontal_flip: expected true or false, got "yes"',
  );
  assertLoadError(
    line("horizontal_flip: true"),
    "14:3: data.augmentation.random_crop_padding: missing; expected an integer >= 0",
  );
  assertLoadError(
    line("random_crop_padding: 4, horizontal_flip: true, vertical_flip: true"),
    '14:66: unknown key "vertical_flip" in data.augmentation; expected one of: random_crop_padding, horizontal_flip',
  );
  // MNIST's 28 x 28 images: padding up to 27.
  const mnist = {
    7: "  layers: [784, 30, 10]",
    12: "  dataset: mnist",
    15: null,
    16: null,
    17: null,
  };
  assertLoadError(
    { ...mnist, ...line("random_crop_padding: 28, horizontal_flip: false") },
    "14:40: data.augmentation.random_crop_padding: expected an integer in 0..27 (below the mnist image side, 28 x 28), got 28",
  );
  const config = resolveConfig(
    loadExperimentFile(
      fixture({ ...mnist, ...line("random_crop_padding: 0, horizontal_flip: true") }),
    ),
    "smoke",
  );
  assert.deepEqual(config.data.augmentation, { random_crop_padding: 0, horizontal_flip: true });
});

Deno.test("data.normalize: one mean and std per channel of every data set, std > 0", () => {
  assertLoadError(
    { 16: "    mean: [0.5]" },
    "16:11: data.normalize.mean: expected 3 values (one per channel of cifar-10), got 1: [0.5]",
  );
  assertLoadError(
    { 17: "    std: [0.2470, 0.2435]" },
    "17:10: data.normalize.std: expected 3 values (one per channel of cifar-10), got 2: [0.247, 0.2435]",
  );
  assertLoadError(
    { 17: "    std: [0.2470, 0, 0.2616]" },
    "17:19: data.normalize.std[1]: expected a number > 0, got 0",
  );
  assertLoadError(
    { 17: "    std: [0.2470, -0.1, 0.2616]" },
    "17:19: data.normalize.std[1]: expected a number > 0, got -0.1",
  );
  assertLoadError(
    { 16: "    mean: [0.4914, x, 0.4465]" },
    '16:20: data.normalize.mean[1]: expected a number, got "x"',
  );
  assertLoadError(
    { 16: "    mean: []" },
    "16:11: data.normalize.mean: expected a list of at least 1 entries, got []",
  );
  assertLoadError(
    { 17: null },
    "15:3: data.normalize.std: missing; expected a list of at least 1 entries",
  );
  const mnist = { 7: "  layers: [784, 30, 10]", 12: "  dataset: mnist" };
  assertLoadError(
    mnist,
    "16:11: data.normalize.mean: expected 1 value (one per channel of mnist), got 3: [0.4914, 0.4822, 0.4465]",
  );
  // Every listed data set: two grey ones share one mean and std.
  const grey = resolveConfig(
    loadExperimentFile(fixture({
      ...mnist,
      12: "  dataset: [mnist, fashion-mnist]",
      16: "    mean: [0.1307]",
      17: "    std: [0.3081]",
      34: "    select: { arm: ticket, weights_remaining: 1.0, dataset: mnist }",
    })),
    "paper",
  );
  assert.deepEqual(grey.data.normalize, { mean: [0.1307], std: [0.3081] });
  assertLoadError(
    { ...mnist, 12: "  dataset: [fashion-mnist, mnist]", 16: "    mean: [0.1307]" },
    "17:10: data.normalize.std: expected 1 value (one per channel of fashion-mnist), got 3: [0.247, 0.2435, 0.2616]",
  );
});

Deno.test("trainer options: the data config's normalisation and augmentation, keys per run", () => {
  const config = resolveConfig(loadExperimentFile(fixture()), "quick");
  const dataset = {
    train: Uint32Array.of(0),
    validation: Uint32Array.of(1),
    test: Uint32Array.of(2),
  } as unknown as GpuDataset;
  const training = {
    optimizer: { name: "sgd", learning_rate: 0.1 },
    batch_size: 60,
    iterations: 100,
    eval_every: 50,
  } as TrainingConfig;
  const options = trainerOptions(dataset, training, config.data);
  assert.deepEqual(options.inputMean, [0.4914, 0.4822, 0.4465]);
  assert.deepEqual(options.inputStd, [0.2470, 0.2435, 0.2616]);
  assert.deepEqual(options.augmentation, { padding: 4, flip: true });
  const keys = [STREAMS.augmentation.key(1, 0), STREAMS.augmentation.key(1, 2)];
  assert.deepEqual(withAugmentationKeys(options, () => keys), {
    augmentation: { padding: 4, flip: true, key: keys },
  });
  const evaluation = evaluationOptions(dataset, false, config.data);
  assert.deepEqual(evaluation.inputMean, options.inputMean);
  assert.ok(!("augmentation" in evaluation));
  // Absent fields: today's options (byte / 255, no augmentation, no keys drawn).
  const plain = trainerOptions(dataset, training);
  assert.ok(!("inputMean" in plain) && !("inputStd" in plain) && !("augmentation" in plain));
  assert.deepEqual(
    withAugmentationKeys(plain, () => assert.fail("no keys without augmentation")),
    { augmentation: undefined },
  );
});
