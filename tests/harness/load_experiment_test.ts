import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import { EXPERIMENTS_DIR, listExperiments } from "../../src/harness/experiments.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import { describeModel } from "../../src/harness/model_description.ts";
import { PROFILE_NAMES } from "../../src/config/profiles.ts";
import { DATASET_SHAPES } from "../../src/config/datasets.ts";
import { configuredModel, weightLayerCount } from "../../src/procedures/configured_model.ts";
import { allWidths, type EdgePopupProcedure } from "../../src/procedures/edge_popup_spec.ts";
import { resolveExperiment } from "../fixtures/experiments.ts";

// A small valid experiment; variants replace single lines, so each expected message can name
// its line and column literally. Line numbers are in the comments on the right.
const FIXTURE = [
  "id: tiny", // 1
  "hypothesis: weak-lth", // 2
  "claim: Tickets learn faster.", // 3
  "citation: Test fixture.", // 4
  "model:", // 5
  "  kind: mlp", // 6
  "  layers: [784, 30, 10]", // 7
  "  activation: relu", // 8
  "  init: glorot-normal", // 9
  "  prune_biases: false", // 10
  "data:", // 11
  "  dataset: mnist", // 12
  "  validation: 5000", // 13
  "procedure:", // 14
  "  name: imp", // 15
  "  optimizer:", // 16
  "    name: adam", // 17
  "    learning_rate: 1.2e-3", // 18
  "  batch_size: 60", // 19
  "  iterations: 1000", // 20
  "  eval_every: 100", // 21
  "  rounds: 5", // 22
  "  prune_fractions: [0.2, 0.1]", // 23
  "  rewind: init", // 24
  "controls:", // 25
  "  random_reinit: 1", // 26
  "  random_mask: false", // 27
  "  rounds: [2, 5]", // 28
  "trials: 2", // 29
  "seed: 7", // 30
  "claims:", // 31
  "  - id: faster", // 32
  "    text: The ticket stops earlier than dense.", // 33
  "    metric: early_stop_iteration", // 34
  "    select: { arm: ticket, weights_remaining: 0.5 }", // 35
  "    baseline: { arm: ticket, weights_remaining: 1.0 }", // 36
  "    statistic: ratio", // 37
  '    op: "<"', // 38
  "    threshold: { smoke: 1.5, quick: 1, paper: 1 }", // 39
  "    paper: ratio 0.62", // 40
  "  - id: beats-reinit", // 41
  "    text: The ticket beats the reinitialised mask.", // 42
  "    metric: test_accuracy_at_early_stop", // 43
  "    select: { arm: ticket, weights_remaining: 0.5 }", // 44
  "    baseline: { arm: random-reinit, weights_remaining: 0.5 }", // 45
  "    statistic: difference", // 46
  '    op: ">"', // 47
  "    threshold: 0", // 48
  "    paper: +0.5 points", // 49
  "profiles:", // 50
  "  paper:", // 51
  "    note: the paper's protocol", // 52
  "  quick:", // 53
  "    note: fewer iterations", // 54
  "    overrides:", // 55
  "      procedure:", // 56
  "        iterations: 300", // 57
  "  smoke:", // 58
  "    note: tiny", // 59
  "    overrides:", // 60
  "      trials: 1", // 61
  "      procedure:", // 62
  "        rounds: 2", // 63
  "      controls:", // 64
  "        rounds: [1, 2]", // 65
];

const dir = mkdtempSync(join(tmpdir(), "load-experiment-test-"));
globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));

/** Writes the fixture with some lines replaced (null deletes a line) and returns its path. */
function fixture(changes: Record<number, string | null> = {}, name = "tiny"): string {
  const lines = FIXTURE.flatMap((line, i) => {
    const change = changes[i + 1];
    return change === undefined ? [line] : change === null ? [] : [change];
  });
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** Asserts that loading the fixture variant fails with exactly `message(path)`. */
function assertLoadError(
  changes: Record<number, string | null>,
  message: (path: string) => string,
): void {
  const path = fixture(changes);
  assert.throws(() => loadExperimentFile(path), (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.equal(error.message, message(path));
    return true;
  });
}

Deno.test("weak-lth.yaml validates and resolves for every profile", () => {
  const file = loadExperimentFile(join(EXPERIMENTS_DIR, "weak-lth.yaml"));
  assert.equal(file.base.id, "weak-lth");
  assert.equal(file.base.claims.length, 8);
  const paper = resolveConfig(file, "paper", {});
  assert.equal(paper.profile, "paper");
  assert.equal(paper.profile_note, "the paper's protocol");
  assert.deepEqual((paper.model as { layers: unknown }).layers, [784, 300, 100, 10]);
  assert.deepEqual(paper.procedure.prune_fractions, [0.2, 0.2, 0.1]);
  assert.equal((paper.procedure.optimizer as { learning_rate: number }).learning_rate, 1.2e-3);
  assert.equal(paper.procedure.iterations, 50000);
  assert.deepEqual(paper.controls, { random_reinit: 3, random_mask: true, rounds: [7, 9, 15] });
  assert.equal(paper.trials, 5);

  const quick = resolveConfig(file, "quick", {});
  assert.equal(quick.trials, 3);
  assert.equal(quick.single_seed, false);
  assert.equal(quick.procedure.iterations, 3000);
  assert.equal(quick.procedure.eval_every, 250);
  assert.equal(quick.procedure.rounds, 15);
  assert.deepEqual(quick.procedure.trained_rounds, [3, 5, 7, 9, 12, 15]);
  assert.equal(quick.procedure.batch_size, 60, "keys not overridden keep the base value");
  assert.equal(quick.controls.random_reinit, 1);

  const smoke = resolveConfig(file, "smoke", { trials: 3, seed: 42 });
  assert.equal(smoke.trials, 3, "the command line wins over the profile");
  assert.equal(smoke.seed, 42);
  assert.equal(smoke.procedure.rounds, 3);
  assert.deepEqual(smoke.controls.rounds, [2, 3]);
  assert.equal(smoke.data.train_limit, 6000);
  assert.equal(smoke.data.test_limit, 2000);
  assert.equal(file.base.procedure.iterations, 50000, "resolving leaves the base untouched");
});

Deno.test("the fixture itself is valid and threshold maps stay in the claim", () => {
  const file = loadExperimentFile(fixture());
  const smoke = resolveConfig(file, "smoke");
  assert.deepEqual(smoke.claims[0].threshold, { smoke: 1.5, quick: 1, paper: 1 });
  assert.deepEqual(smoke.controls.rounds, [1, 2]);
  assert.equal(resolveConfig(file, "quick").procedure.iterations, 300);
});

Deno.test("unknown key names the key, its parent and the keys allowed", () => {
  assertLoadError(
    { 20: "  iteratons: 1000" },
    (p) =>
      `${p}:20:3: unknown key "iteratons" in procedure; expected one of: name, optimizer, batch_size, iterations, eval_every, loss, rounds, prune_fractions, pruning, rewind, trained_rounds`,
  );
});

Deno.test("wrong type shows the path, what was expected and the value seen", () => {
  assertLoadError(
    { 18: "    learning_rate: fast" },
    (p) => `${p}:18:20: procedure.optimizer.learning_rate: expected a number > 0, got "fast"`,
  );
  assertLoadError(
    { 7: "  layers: 784" },
    (p) => `${p}:7:11: model.layers: expected a list of at least 2 entries, got 784`,
  );
});

Deno.test("out-of-range values", () => {
  assertLoadError(
    { 20: "  iterations: -5" },
    (p) => `${p}:20:15: procedure.iterations: expected an integer >= 1, got -5`,
  );
  assertLoadError(
    { 23: "  prune_fractions: [0.2, 1.5]" },
    (p) => `${p}:23:26: procedure.prune_fractions[1]: expected a number in (0, 1), got 1.5`,
  );
  assertLoadError(
    { 18: "    learning_rate: 0" },
    (p) => `${p}:18:20: procedure.optimizer.learning_rate: expected a number > 0, got 0`,
  );
  assertLoadError(
    { 29: "trials: 101" },
    (p) => `${p}:29:9: trials: expected an integer in 1..100, got 101`,
  );
  assertLoadError(
    { 7: "  layers: [784]" },
    (p) => `${p}:7:11: model.layers: expected a list of at least 2 entries, got [784]`,
  );
  assertLoadError(
    { 7: "  layers: [784, 0, 10]" },
    (p) => `${p}:7:17: model.layers[1]: expected an integer >= 1, got 0`,
  );
});

Deno.test("missing keys are reported at the parent key", () => {
  assertLoadError(
    { 30: null },
    (p) => `${p}:1:1: seed: missing; expected an integer in 0..4294967295`,
  );
  assertLoadError(
    { 24: null },
    (p) => `${p}:14:1: procedure.rewind: missing; expected one of: init or a map`,
  );
});

Deno.test("YAML syntax errors carry yaml's message and position", () => {
  assertLoadError(
    { 8: "  activation: relu: x" },
    (p) => `${p}:8:15: YAML syntax error: Nested mappings are not allowed in compact mappings`,
  );
  assertLoadError(
    { 21: "  iterations: 2000" },
    (p) => `${p}:21:3: YAML syntax error: Map keys must be unique`,
  );
});

Deno.test("a bad value inside a profile's overrides points into the overrides block", () => {
  assertLoadError(
    { 57: "        iterations: 0" },
    (p) =>
      `${p}:57:21: profiles.quick.overrides.procedure.iterations: expected an integer >= 1, got 0`,
  );
  assertLoadError(
    { 56: "      procedure: { iteratons: 300 }", 57: null },
    (p) =>
      `${p}:56:20: unknown key "iteratons" in profiles.quick.overrides.procedure; expected one of: name, optimizer, batch_size, iterations, eval_every, loss, rounds, prune_fractions, pruning, rewind, trained_rounds`,
  );
  // Valid alone, invalid once merged: the override's rounds 1 is below its own controls round 2.
  assertLoadError(
    { 63: "        rounds: 1" },
    (p) =>
      `${p}:65:21: profiles.smoke.overrides.controls.rounds[1]: expected an integer in 0..1 (procedure.rounds), got 2`,
  );
  // The offending value comes from the base, so the message names the profile that broke it.
  assertLoadError(
    { 64: null, 65: null },
    (p) =>
      `${p}:28:15: controls.rounds[1] (profile smoke): expected an integer in 0..2 (procedure.rounds), got 5`,
  );
  assertLoadError(
    { 64: "      claims: []", 65: "      seed: 3" },
    (p) =>
      `${p}:64:7: profiles.smoke.overrides.claims: claims may not be overridden; give the claim's threshold a map per profile instead`,
  );
  assertLoadError(
    { 61: "      id: other" },
    (p) =>
      `${p}:61:7: profiles.smoke.overrides.id: the id is the same for every profile; remove it from the overrides`,
  );
});

Deno.test("claim arms must be arms the config produces", () => {
  assertLoadError(
    { 45: "    baseline: { arm: winner, weights_remaining: 0.5 }" },
    (p) =>
      `${p}:45:22: claims[1].baseline.arm: arm "winner" is not produced by this config; expected one of: ticket, random-reinit`,
  );
  assertLoadError(
    { 45: "    baseline: { arm: random-mask, weights_remaining: 0.5 }" },
    (p) =>
      `${p}:45:22: claims[1].baseline.arm: arm "random-mask" is not produced by this config; expected one of: ticket, random-reinit`,
  );
});

Deno.test("duplicate claim ids", () => {
  assertLoadError(
    { 41: "  - id: faster" },
    (p) => `${p}:41:9: claims[1].id: duplicate claim id "faster"; give each claim its own id`,
  );
});

Deno.test("cross-field rules", () => {
  assertLoadError(
    { 23: "  prune_fractions: [0.2, 0.2, 0.1]" },
    (p) =>
      `${p}:23:20: procedure.prune_fractions: expected 2 entries (one per weight layer: convolutions and dense layers, in order), got [0.2, 0.2, 0.1]`,
  );
  assertLoadError(
    { 36: null },
    (p) =>
      `${p}:32:5: claims[0].baseline: missing; a "ratio" statistic needs a baseline selector (arm, weights_remaining)`,
  );
  assertLoadError(
    { 37: "    statistic: value" },
    (p) =>
      `${p}:36:5: claims[0].baseline: a "value" statistic takes no baseline; remove it or use difference or ratio`,
  );
  assertLoadError(
    { 39: "    threshold: { quick: 1, paper: 1 }" },
    (p) =>
      `${p}:39:16: claims[0].threshold (profile smoke): no value for profile smoke; add "smoke: <number>" to the map`,
  );
  assertLoadError(
    { 39: "    threshold: { fast: 1 }" },
    (p) =>
      `${p}:39:18: unknown key "fast" in claims[0].threshold; expected one of: smoke, quick, paper`,
  );
  assertLoadError(
    { 39: "    threshold: high" },
    (p) =>
      `${p}:39:16: claims[0].threshold: expected a number or a list of 2 entries or a map with at least one of: smoke, quick, paper, got "high"`,
  );
  assertLoadError(
    { 7: "  layers: [785, 30, 10]" },
    (p) => `${p}:7:12: model.layers[0]: expected 784 (the mnist input size), got 785`,
  );
  assertLoadError(
    { 28: "  rounds: [2, 9]" },
    (p) => `${p}:28:15: controls.rounds[1]: expected an integer in 0..5 (procedure.rounds), got 9`,
  );
  assertLoadError(
    { 17: "    name: adam\n    momentum: 0.9" },
    (p) =>
      `${p}:18:5: procedure.optimizer.momentum: applies only to sgd, got 0.9 with adam; remove it`,
  );
});

Deno.test("the id must equal the file's base name", () => {
  const path = fixture({}, "other");
  assert.throws(
    () => loadExperimentFile(path),
    new UsageError(`${path}:1:5: id: expected "other" (the file's base name), got "tiny"`),
  );
});

Deno.test("an empty file or a missing file is a usage error", () => {
  const empty = join(dir, "empty.yaml");
  writeFileSync(empty, "");
  assert.throws(
    () => loadExperimentFile(empty),
    new UsageError(`${empty}:1:1: top level: expected a map, got nothing`),
  );
  assert.throws(() => loadExperimentFile(join(dir, "absent.yaml")), UsageError);
});

Deno.test("command-line overrides are validated too", () => {
  const file = loadExperimentFile(fixture());
  assert.throws(
    () => resolveConfig(file, "paper", { trials: 0 }),
    new UsageError("command line: --trials: expected an integer in 1..100, got 0"),
  );
  assert.throws(
    () => resolveConfig(file, "paper", { seed: -1 }),
    new UsageError("command line: --seed: expected an integer in 0..4294967295, got -1"),
  );
});

Deno.test("procedure.name picks the procedure's fields and the shape of controls", () => {
  assertLoadError(
    { 15: "  name: magic" },
    (p) =>
      `${p}:15:9: procedure.name: expected one of: imp, edge-popup, supermask, multi-prize, elastic, ticket-transfer, tangent-space, got "magic"`,
  );
  // edge-popup has no `rounds`: the imp fields are refused by name under it.
  assertLoadError(
    { 15: "  name: edge-popup" },
    (p) =>
      `${p}:22:3: unknown key "rounds" in procedure; expected one of: name, sweeps, score_init, optimizer, batch_size, iterations, eval_every, loss, dense`,
  );
});

Deno.test("axis statistics need exactly one list; single statistics refuse lists", () => {
  assertLoadError(
    { 37: "    statistic: argmax", 36: null },
    (p) =>
      `${p}:35:13: claims[0].select: a "argmax" statistic needs exactly one list (arm, weights_remaining or width) as its axis, got none`,
  );
  assertLoadError(
    { 35: "    select: { arm: ticket, weights_remaining: [0.5, 0.2] }" },
    (p) =>
      `${p}:35:47: claims[0].select.weights_remaining: a "ratio" statistic reads one value; give one number, or use argmax, max or min_step`,
  );
});

Deno.test('the op "in" takes [low, high]; other ops a number', () => {
  assertLoadError(
    { 47: '    op: "in"' },
    (p) => `${p}:48:16: claims[1].threshold: the op "in" needs [low, high] with low <= high, got 0`,
  );
  assertLoadError(
    { 48: "    threshold: [0.2, 0.1]", 47: '    op: "in"' },
    (p) =>
      `${p}:48:16: claims[1].threshold: the op "in" needs [low, high] with low <= high, got [0.2, 0.1]`,
  );
  assertLoadError(
    { 48: "    threshold: [0.1, 0.2]" },
    (p) =>
      `${p}:48:16: claims[1].threshold: the op ">" needs one number, got [0.1, 0.2]; or use the op "in"`,
  );
});

Deno.test("every experiment file validates and resolves for every profile", () => {
  const ids = listExperiments().map((e) => e.id);
  assert.ok(ids.includes("strong-lth") && ids.includes("weak-lth-conv"), ids.join(", "));
  for (const id of ids) {
    const file = loadExperimentFile(join(EXPERIMENTS_DIR, `${id}.yaml`));
    for (const profile of PROFILE_NAMES) {
      const config = resolveConfig(file, profile);
      assert.equal(config.profile, profile, `${id} ${profile}`);
      assert.ok(config.profile_note.length > 0, `${id} ${profile} has a note`);
    }
  }
});

Deno.test("strong-lth's paper profile is Ramanujan et al.'s Conv-4 on CIFAR-10", () => {
  const paper = resolveExperiment("strong-lth", "paper");
  const conv = { kernel: 3, stride: 1, padding: 1, bias: false };
  assert.deepEqual(paper.model, {
    layers: [
      { conv: 64, ...conv },
      "relu",
      { conv: 64, ...conv },
      "relu",
      "maxpool",
      { conv: 128, ...conv },
      "relu",
      { conv: 128, ...conv },
      "relu",
      "maxpool",
      { dense: 256, bias: false },
      "relu",
      { dense: 256, bias: false },
      "relu",
      { dense: 10, bias: false },
    ],
    init: "kaiming-normal",
    prune_biases: false,
  }, "kind: mlp and activation removed by the profile's nulls");
  assert.equal(
    describeModel(paper),
    "[input 3x32x32] conv1: nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False) -> nn.ReLU() -> " +
      "conv2: nn.Conv2d(64, 64, 3, stride=1, padding=1, bias=False) -> nn.ReLU() -> " +
      "nn.MaxPool2d(2) -> conv3: nn.Conv2d(64, 128, 3, stride=1, padding=1, bias=False) -> " +
      "nn.ReLU() -> conv4: nn.Conv2d(128, 128, 3, stride=1, padding=1, bias=False) -> " +
      "nn.ReLU() -> nn.MaxPool2d(2) -> flatten(1) -> fc1: nn.Linear(8192, 256, bias=False) -> " +
      "nn.ReLU() -> fc2: nn.Linear(256, 256, bias=False) -> nn.ReLU() -> " +
      "fc3: nn.Linear(256, 10, bias=False)",
  );
  assert.deepEqual(paper.data, {
    dataset: "cifar-10",
    validation: 5000,
    normalize: { mean: [0.491, 0.482, 0.447], std: [0.247, 0.243, 0.262] },
    augmentation: { random_crop_padding: 4, horizontal_flip: true },
  });
  const p = paper.procedure as unknown as EdgePopupProcedure;
  assert.deepEqual(p.sweeps, [{
    widths: [256],
    weights_remaining: [0.1, 0.3, 0.5, 0.7, 0.9],
    weight_inits: ["signed-kaiming-constant", "kaiming-normal"],
  }]);
  assert.equal(p.score_init, "kaiming-uniform");
  const cosine = { kind: "cosine", per: "epoch", steps_per_epoch: 352 };
  const sgd = { name: "sgd", momentum: 0.9, nesterov: false, weight_decay: 1e-4, schedule: cosine };
  assert.deepEqual(p.optimizer, { ...sgd, learning_rate: 0.1 });
  assert.deepEqual(p.dense.optimizer, { ...sgd, learning_rate: 0.01 });
  for (const training of [p, p.dense]) {
    assert.equal(training.batch_size, 128);
    // 100 epochs of ceil(45,000 / 128) = 352 iterations: the training images left after the
    // validation split.
    assert.equal(Math.ceil((50000 - paper.data.validation) / training.batch_size), 352);
    assert.equal(training.iterations, 100 * 352);
    assert.equal(training.eval_every, 352);
  }
  assert.equal(p.dense.extra_widths, undefined, "the MLP base's width 630 is removed");
  assert.deepEqual(allWidths(p), [256]);
  assert.equal(paper.trials, 3);
  assert.equal(weightLayerCount(paper), 7);
  const layers = configuredModel(paper, { shape: DATASET_SHAPES["cifar-10"] }, 256).layout.layers;
  assert.ok(layers.every((layer) => !layer.bias), "no layer has a bias");
  assert.deepEqual(layers.map((layer) => layer.inputs * layer.outputs), [
    1728,
    36864,
    73728,
    147456,
    2097152,
    65536,
    2560,
  ]);
  // The quick and smoke profiles stay the MLP analogue.
  for (const profile of ["quick", "smoke"] as const) {
    const config = resolveExperiment("strong-lth", profile);
    assert.equal(config.model.kind, "mlp");
    assert.equal(config.data.dataset, "mnist");
  }
});

Deno.test("the strong-lth and supermask experiment files validate for every profile", () => {
  for (const id of ["strong-lth", "supermask"]) {
    const file = loadExperimentFile(join(EXPERIMENTS_DIR, `${id}.yaml`));
    for (const profile of ["smoke", "quick", "paper"] as const) {
      const config = resolveConfig(file, profile);
      assert.equal(config.procedure.name, id === "strong-lth" ? "edge-popup" : "supermask");
    }
  }
});

Deno.test("a layer list model loads and resolves like the kind: mlp shorthand's network", () => {
  const path = fixture({
    6: null,
    7: "  layers: [{dense: 30}, relu, {dense: 10}]",
    8: null,
  });
  const file = loadExperimentFile(path);
  assert.deepEqual((file.base.model as { layers: unknown }).layers, [{ dense: 30 }, "relu", {
    dense: 10,
  }]);
  assert.equal(file.base.model.kind, undefined);
});

Deno.test("a null in a profile's overrides removes an optional field of the base", () => {
  const file = loadExperimentFile(fixture({
    56: "      model: { kind: null, activation: null, layers: [{dense: 30}, relu, {dense: 10}] }",
    57: "      procedure: { iterations: 300 }",
  }));
  const quick = resolveConfig(file, "quick");
  assert.deepEqual(quick.model, {
    layers: [{ dense: 30 }, "relu", { dense: 10 }],
    init: "glorot-normal",
    prune_biases: false,
  });
  assert.equal(file.base.model.kind, "mlp", "the base keeps its kind");
  assert.equal(resolveConfig(file, "smoke").model.kind, "mlp", "other profiles keep it");
  // A required field cannot be removed.
  assertLoadError(
    { 56: "      model: { init: null }", 57: "      procedure: { iterations: 300 }" },
    (p) =>
      `${p}:56:22: profiles.quick.overrides.model.init: expected one of: glorot-normal, kaiming-normal, signed-kaiming-constant, got nothing`,
  );
  // The merged config is checked: without kind, the base's activation and widths do not fit.
  assertLoadError(
    { 56: "      model: { kind: null }", 57: "      procedure: { iterations: 300 }" },
    (p) =>
      `${p}:8:3: model.activation (profile quick): expected no activation: a layer list names its activations as entries (relu); remove model.activation`,
  );
  assertLoadError(
    {
      56: "      model: { kind: null, activation: null }",
      57: "      procedure: { iterations: 300 }",
    },
    (p) =>
      `${p}:7:12: model.layers[0] (profile quick): expected a layer ({dense: N}, {conv: C}, {residual: C}, relu, sign, a pooling or a batch norm), got the width 784; add kind: mlp to list widths`,
  );
});

Deno.test("model forms: each mix-up names the entry, what was expected and the fix", () => {
  assertLoadError(
    { 6: null, 8: null },
    (p) =>
      `${p}:6:12: model.layers[0]: expected a layer ({dense: N}, {conv: C}, {residual: C}, relu, sign, a pooling or a batch norm), got the width 784; add kind: mlp to list widths`,
  );
  assertLoadError(
    { 7: "  layers: [784, {dense: 30}, 10]" },
    (p) =>
      `${p}:7:17: model.layers[1]: expected a width (kind: mlp lists widths from input to output), got {dense: 30}; remove kind: mlp to write a layer list`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [relu, {dense: 10}]", 8: null },
    (p) =>
      `${p}:6:12: model.layers[0]: expected relu right after a dense, conv or batchnorm layer (it runs as that layer's epilogue), got it after the input`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [{dense: 30}, relu, {dense: 12}]" },
    (p) =>
      `${p}:7:3: model.activation: expected no activation: a layer list names its activations as entries (relu); remove model.activation`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [{dense: 30}, relu, {dense: 12}]", 8: null },
    (p) =>
      `${p}:6:39: model.layers[2].dense: expected 10 (the mnist classes: the last dense layer gives the logits), got 12`,
  );
});

Deno.test("conv layer lists and named models load; their mix-ups name the entry and the fix", () => {
  const list = loadExperimentFile(fixture({
    6: null,
    7: "  layers: [{conv: 4, kernel: 5, padding: 0}, relu, maxpool, {dense: 10}]",
    8: null,
    23: "  prune_fractions: [0.1, 0.1]",
  }));
  assert.deepEqual((list.base.model as { layers: unknown }).layers, [
    { conv: 4, kernel: 5, padding: 0 },
    "relu",
    "maxpool",
    { dense: 10 },
  ]);
  const pooled = loadExperimentFile(fixture({
    6: null,
    7: "  layers: [{conv: 8}, relu, {conv: 16, stride: 2}, relu, global_avgpool, {dense: 10}]",
    8: null,
    23: "  prune_fractions: [0.1, 0.1, 0.1]",
  }));
  assert.equal((pooled.base.model as { layers: unknown[] }).layers[4], "global_avgpool");
  // MPT-1/1's binary activation is an entry of its own; a relu cannot follow it.
  const binary = loadExperimentFile(fixture({
    6: null,
    7: "  layers: [{conv: 8, bias: false}, batchnorm-nonaffine, sign, {dense: 10, bias: false}]",
    8: null,
    23: "  prune_fractions: [0.1, 0.1]",
  }));
  assert.equal((binary.base.model as { layers: unknown[] }).layers[2], "sign");
  assertLoadError(
    { 6: null, 7: "  layers: [{dense: 30}, sign, relu, {dense: 10}]", 8: null },
    (p) =>
      `${p}:6:31: model.layers[2]: expected relu right after a dense, conv or batchnorm layer (it runs as that layer's epilogue), got it after "sign"`,
  );
  const named = loadExperimentFile(fixture({
    6: "  kind: conv2\n  width_multiplier: 0.25",
    7: null,
    8: null,
    23: "  prune_fractions: [0.1, 0.1, 0.2, 0.2, 0.1]",
  }));
  assert.equal(named.base.model.kind, "conv2");
  assertLoadError(
    { 6: null, 7: "  layers: [{conv: 4, dense: 3}, {dense: 10}]", 8: null },
    (p) =>
      `${p}:6:12: model.layers[0]: expected exactly one of dense, conv or residual in a layer map, got {conv: 4, dense: 3}`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [{dense: 30, kernel: 3}, {dense: 10}]", 8: null },
    (p) =>
      `${p}:6:12: model.layers[0]: expected only bias beside dense, got kernel in {dense: 30, kernel: 3}; remove kernel or make it {conv: C}`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [{conv: 4}, relu, {residual: 4, kernel: 5}, {dense: 10}]", 8: null },
    (p) =>
      `${p}:6:29: model.layers[2]: expected only stride beside residual, got kernel in {residual: 4, kernel: 5}; remove kernel`,
  );
  // A residual block counts its two convolutions and, changing the channels, its projection.
  const residual = loadExperimentFile(fixture({
    6: null,
    7: "  layers: [{conv: 4, bias: false}, {residual: 4}, {residual: 8, stride: 2}, global_avgpool, {dense: 10}]",
    8: null,
    23: "  prune_fractions: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]",
  }));
  assert.deepEqual((residual.base.model as { layers: unknown[] }).layers[1], { residual: 4 });
  // Global pruning: one fraction of all remaining weights.
  const global = loadExperimentFile(fixture({
    6: "  kind: resnet-20",
    7: null,
    8: null,
    23: "  prune_fractions: [0.2]\n  pruning: global",
  }));
  assert.equal((global.base.procedure as { pruning?: string }).pruning, "global");
  assertLoadError(
    { 23: "  prune_fractions: [0.2, 0.2, 0.1]\n  pruning: global" },
    (p) =>
      `${p}:23:20: procedure.prune_fractions: expected one entry with pruning: global (the fraction of all remaining weights), got [0.2, 0.2, 0.1]`,
  );
  assertLoadError(
    { 6: "  kind: conv4", 8: null, 23: "  prune_fractions: [0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.1]" },
    (p) =>
      `${p}:7:3: model.layers: expected no layers with kind: conv4 (it names its layer list); remove model.layers, or remove kind to write the list`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [{conv: 4, kernel: 29, padding: 0}, {dense: 10}]", 8: null },
    (p) =>
      `${p}:6:11: model.layers: layer 1 ({conv: 4, kernel: 29, padding: 0}) does not fit its 1x28x28 input: conv2d output size floor((size 28 + 2*padding 0 - kernel 29) / stride 1) + 1 = 0 is below 1`,
  );
  assertLoadError(
    { 6: null, 7: "  layers: [{dense: 30}, relu, {conv: 10}]", 8: null },
    (p) =>
      `${p}:6:31: model.layers[2]: expected {dense: 10} last (the mnist classes: the last weight layer gives the logits), got {conv: 10}`,
  );
});

Deno.test("batch norms in a layer list load, a relu may follow one, at-init masks take them", () => {
  const layers =
    "  layers: [{conv: 4}, batchnorm, relu, maxpool, {dense: 16}, batchnorm-nonaffine, relu, {dense: 10}]";
  const normed = loadExperimentFile(fixture({
    6: null,
    7: layers,
    8: null,
    23: "  prune_fractions: [0.1, 0.2, 0.1]",
  }));
  const list = (normed.base.model as { layers: unknown[] }).layers;
  assert.equal(list[1], "batchnorm");
  assert.equal(list[5], "batchnorm-nonaffine");
  const atInit = "  at_init: { methods: [magnitude-init], counts: per-layer, examples: 10, " +
    "grasp_temperature: 200, synflow_rounds: 10, shuffled: false }";
  const dense = fixture({
    6: null,
    7: "  layers: [{dense: 30}, batchnorm, relu, {dense: 10}]",
    8: null,
    27: `  random_mask: false\n${atInit}`,
  });
  const controls = loadExperimentFile(dense).base.controls as { at_init?: { methods: string[] } };
  assert.deepEqual(controls.at_init?.methods, ["magnitude-init"]);
});

Deno.test("imp trained_rounds ascend, end at rounds and hold the control rounds", () => {
  assertLoadError(
    { 24: "  rewind: init\n  trained_rounds: [2, 2, 5]" },
    (p) => `${p}:25:23: procedure.trained_rounds[1]: expected a round above 2 (ascending), got 2`,
  );
  assertLoadError(
    { 24: "  rewind: init\n  trained_rounds: [2, 4]" },
    (p) =>
      `${p}:25:23: procedure.trained_rounds[1]: expected 5 (procedure.rounds: the last round is trained), got 4`,
  );
  assertLoadError(
    { 24: "  rewind: init\n  trained_rounds: [3, 5]" },
    (p) =>
      `${p}:29:12: controls.rounds[0]: expected a trained round (one of procedure.trained_rounds), got 2`,
  );
});

Deno.test("the optimizer's momentum, Nesterov, weight-decay rule and schedule", () => {
  const sgd = "    name: sgd\n    momentum: 0.9\n";
  const file = loadExperimentFile(fixture({
    17: sgd +
      "    nesterov: true\n    weight_decay: 1e-4\n    weight_decay_applies_to: weights\n" +
      "    schedule: { kind: step, milestones: [100, 200], gamma: 0.2, warmup_iterations: 50 }",
  }));
  assert.deepEqual(resolveConfig(file, "paper").procedure.optimizer, {
    name: "sgd",
    momentum: 0.9,
    nesterov: true,
    weight_decay: 1e-4,
    weight_decay_applies_to: "weights",
    schedule: { kind: "step", milestones: [100, 200], gamma: 0.2, warmup_iterations: 50 },
    learning_rate: 1.2e-3,
  });
  assertLoadError(
    { 17: "    name: adam\n    nesterov: true" },
    (p) =>
      `${p}:18:5: procedure.optimizer.nesterov: applies only to sgd, got true with adam; remove it`,
  );
  assertLoadError(
    { 17: "    name: sgd\n    nesterov: true" },
    (p) =>
      `${p}:18:15: procedure.optimizer.nesterov: Nesterov momentum needs momentum > 0, got momentum absent (0); set procedure.optimizer.momentum or remove nesterov`,
  );
  assertLoadError(
    { 17: "    name: sgd\n    nesterov: yes please" },
    (p) => `${p}:18:15: procedure.optimizer.nesterov: expected true or false, got "yes please"`,
  );
  assertLoadError(
    { 17: "    name: sgd\n    weight_decay_applies_to: biases" },
    (p) =>
      `${p}:18:30: procedure.optimizer.weight_decay_applies_to: expected one of: all, weights, got "biases"`,
  );
});

Deno.test("schedule fields are checked against the kind and the iterations", () => {
  const schedule = (line: string) => ({ 17: `    name: sgd\n    schedule: ${line}` });
  assertLoadError(
    schedule("{ kind: linear }"),
    (p) =>
      `${p}:18:23: procedure.optimizer.schedule.kind: expected one of: constant, step, cosine, got "linear"`,
  );
  assertLoadError(
    schedule("{ kind: step }"),
    (p) =>
      `${p}:18:5: procedure.optimizer.schedule.milestones: missing; a step schedule needs milestones (iterations in 1..999, strictly increasing)`,
  );
  assertLoadError(
    schedule("{ kind: step, milestones: [600, 300] }"),
    (p) =>
      `${p}:18:47: procedure.optimizer.schedule.milestones[1]: expected an integer in 601..999 (strictly increasing, below procedure.iterations), got 300`,
  );
  assertLoadError(
    schedule("{ kind: step, milestones: [200, 1000] }"),
    (p) =>
      `${p}:18:47: procedure.optimizer.schedule.milestones[1]: expected an integer in 201..999 (strictly increasing, below procedure.iterations), got 1000`,
  );
  // Valid in the base (1000 iterations), not in the quick profile's 300.
  assertLoadError(
    schedule("{ kind: step, milestones: [100, 500] }"),
    (p) =>
      `${p}:18:47: procedure.optimizer.schedule.milestones[1] (profile quick): expected an integer in 101..299 (strictly increasing, below procedure.iterations), got 500`,
  );
  assertLoadError(
    schedule("{ kind: step, milestones: [10], gamma: 0 }"),
    (p) => `${p}:18:54: procedure.optimizer.schedule.gamma: expected a number in (0, 1], got 0`,
  );
  assertLoadError(
    schedule("{ kind: cosine, gamma: 0.5 }"),
    (p) =>
      `${p}:18:31: procedure.optimizer.schedule.gamma: applies only to kind step, got 0.5 with kind cosine; remove it`,
  );
  assertLoadError(
    schedule("{ kind: step, milestones: [10], per: epoch }"),
    (p) =>
      `${p}:18:47: procedure.optimizer.schedule.per: applies only to kind cosine, got "epoch" with kind step; remove it`,
  );
  assertLoadError(
    schedule("{ kind: cosine, steps_per_epoch: 10 }"),
    (p) =>
      `${p}:18:31: procedure.optimizer.schedule.steps_per_epoch: applies only to kind cosine with per epoch, got 10 with kind cosine and per iteration; remove it`,
  );
  assertLoadError(
    schedule("{ kind: cosine, warmup_iterations: 1001 }"),
    (p) =>
      `${p}:18:50: procedure.optimizer.schedule.warmup_iterations: expected an integer in 0..1000 (procedure.iterations), got 1001`,
  );
  const cosine = loadExperimentFile(
    fixture(schedule("{ kind: cosine, per: epoch, steps_per_epoch: 100, warmup_iterations: 300 }")),
  );
  assert.deepEqual(
    (resolveConfig(cosine, "quick").procedure.optimizer as { schedule: unknown })
      .schedule,
    { kind: "cosine", per: "epoch", steps_per_epoch: 100, warmup_iterations: 300 },
  );
});
