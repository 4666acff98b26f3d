/**
 * The config of an experiment on several data sets and of smallest_matching claims: what loads,
 * and each mistake's message with its file:line:column, the field and what was expected.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import { EXPERIMENTS_DIR } from "../../src/harness/experiments.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import { datasetRuns } from "../../src/harness/dataset_runs.ts";

// Line numbers are in the comments on the right; variants replace single lines.
const FIXTURE = [
  "id: two-sets", // 1
  "hypothesis: weak-lth", // 2
  "claim: Tickets are larger on the harder data set.", // 3
  "citation: Test fixture.", // 4
  "model:", // 5
  "  kind: mlp", // 6
  "  layers: [784, 30, 10]", // 7
  "  activation: relu", // 8
  "  init: glorot-normal", // 9
  "  prune_biases: false", // 10
  "data:", // 11
  "  dataset: [mnist, fashion-mnist]", // 12
  "  validation: 5000", // 13
  "procedure:", // 14
  "  name: imp", // 15
  "  optimizer: { name: adam, learning_rate: 1.2e-3 }", // 16
  "  batch_size: 60", // 17
  "  iterations: 1000", // 18
  "  eval_every: 100", // 19
  "  rounds: 5", // 20
  "  prune_fractions: [0.2, 0.1]", // 21
  "  rewind: init", // 22
  "controls: { random_reinit: 0, random_mask: false, rounds: [] }", // 23
  "trials: 3", // 24
  "seed: 1", // 25
  "claims:", // 26
  "  - id: larger-on-fashion", // 27
  "    text: The smallest matching ticket is larger on Fashion-MNIST.", // 28
  "    metric: test_accuracy_at_early_stop", // 29
  "    # matching: goes here for smallest_matching", // 30
  "    select: { arm: ticket, dataset: fashion-mnist, weights_remaining: 1.0 }", // 31
  "    baseline: { arm: ticket, dataset: mnist, weights_remaining: 1.0 }", // 32
  "    statistic: difference", // 33
  '    op: ">"', // 34
  "    threshold: 0", // 35
  "    paper: no published number", // 36
  "profiles:", // 37
  "  paper: { note: the paper's protocol }", // 38
  "  quick: { note: the same }", // 39
  "  smoke:", // 40
  "    note: one data set", // 41
  "    overrides: { trials: 1 }", // 42
];

const dir = mkdtempSync(join(tmpdir(), "datasets-config-test-"));
globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));

function fixture(changes: Record<number, string | null> = {}): string {
  const lines = FIXTURE.flatMap((line, i) => {
    const change = changes[i + 1];
    return change === undefined ? [line] : change === null ? [] : [change];
  });
  const path = join(dir, "two-sets.yaml");
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

Deno.test("a list of data sets loads; each runs into its own folder with the config narrowed", () => {
  const config = resolveConfig(loadExperimentFile(fixture()), "quick");
  assert.deepEqual(config.data.dataset, ["mnist", "fashion-mnist"]);
  const runs = datasetRuns(config, "/r/two-sets/quick-abc");
  assert.deepEqual(runs.map((run) => [run.dataset, run.directory, run.progressPrefix]), [
    ["mnist", "/r/two-sets/quick-abc/mnist", "mnist (1/2): "],
    ["fashion-mnist", "/r/two-sets/quick-abc/fashion-mnist", "fashion-mnist (2/2): "],
  ]);
  assert.deepEqual(runs.map((run) => run.config.data.dataset), ["mnist", "fashion-mnist"]);
  assert.deepEqual(config.data.dataset, ["mnist", "fashion-mnist"], "the config is not changed");
  // One data set, written as a name: the run folder itself, no prefix, the same config.
  const one = resolveConfig(
    loadExperimentFile(fixture({
      12: "  dataset: mnist",
      31: "    select: { arm: ticket }",
      32: null,
      33: "    statistic: value",
    })),
    "quick",
  );
  const [single] = datasetRuns(one, "/r/x");
  assert.equal(single.directory, "/r/x");
  assert.equal(single.progressPrefix, "");
  assert.equal(single.config, one);
});

Deno.test("data set lists: names, length and repeats are checked with their position", () => {
  assertLoadError(
    { 12: "  dataset: [mnist, cifar10]" },
    `12:20: data.dataset[1]: expected one of: mnist, fashion-mnist, cifar-10, got "cifar10"`,
  );
  assertLoadError(
    { 12: "  dataset: [mnist]" },
    `12:12: data.dataset: expected a list of at least 2 entries, got ["mnist"]`,
  );
  assertLoadError(
    { 12: "  dataset: [mnist, mnist]" },
    `12:20: data.dataset[1]: "mnist" is listed twice; list each once`,
  );
});

Deno.test("claim selectors name a data set the experiment runs on, always when it lists several", () => {
  assertLoadError(
    { 32: "    baseline: { arm: ticket }" },
    `32:5: claims[0].baseline.dataset: missing; the experiment runs on mnist, fashion-mnist (data.dataset): name the one this baseline reads`,
  );
  assertLoadError(
    { 31: "    select: { arm: ticket, dataset: emnist }" },
    `31:37: claims[0].select.dataset: expected one of: mnist, fashion-mnist, cifar-10, got "emnist"`,
  );
  assertLoadError(
    { 12: "  dataset: mnist" },
    `31:37: claims[0].select.dataset: expected a data set the experiment runs on: mnist (data.dataset), got "fashion-mnist"`,
  );
});

/** The fixture's claim as a smallest_matching difference, Fashion-MNIST minus MNIST. */
const MATCHING_CLAIM: Record<number, string> = {
  29: "    metric: smallest_matching",
  30: "    matching: { accuracy: test_accuracy_at_early_stop, tolerance: 0.003 }",
  31: "    select: { arm: ticket, dataset: fashion-mnist }",
  32: "    baseline: { arm: ticket, dataset: mnist }",
};

Deno.test("smallest_matching needs matching, refuses weights_remaining; matching needs it", () => {
  const config = resolveConfig(loadExperimentFile(fixture(MATCHING_CLAIM)), "paper");
  assert.deepEqual(config.claims[0].matching, {
    accuracy: "test_accuracy_at_early_stop",
    tolerance: 0.003,
  });
  assertLoadError(
    { ...MATCHING_CLAIM, 30: null },
    `27:5: claims[0].matching: missing; the metric smallest_matching needs matching: {accuracy, tolerance} (e.g. {accuracy: test_accuracy_at_early_stop, tolerance: 0.003})`,
  );
  assertLoadError(
    { ...MATCHING_CLAIM, 29: "    metric: test_accuracy_at_early_stop" },
    `30:5: claims[0].matching: applies only to the metric smallest_matching, got the metric test_accuracy_at_early_stop; remove it`,
  );
  assertLoadError(
    {
      ...MATCHING_CLAIM,
      31: "    select: { arm: ticket, dataset: fashion-mnist, weights_remaining: 0.5 }",
    },
    `31:52: claims[0].select.weights_remaining: the metric smallest_matching walks every level of the arm from the dense level down; remove weights_remaining`,
  );
  assertLoadError(
    {
      ...MATCHING_CLAIM,
      30: "    matching: { accuracy: test_accuracy_at_early_stop, tolerance: -0.003 }",
    },
    `30:67: claims[0].matching.tolerance: expected a number in [0, 1], got -0.003`,
  );
  assertLoadError(
    { ...MATCHING_CLAIM, 30: "    matching: { accuracy: min_validation_loss, tolerance: 0.003 }" },
    `30:27: claims[0].matching.accuracy: expected one of: test_accuracy_at_early_stop, final_test_accuracy, got "min_validation_loss"`,
  );
});

Deno.test("ticket-scaling.yaml validates for every profile: two data sets, ticket only", () => {
  const file = loadExperimentFile(join(EXPERIMENTS_DIR, "ticket-scaling.yaml"));
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const config = resolveConfig(file, profile);
    assert.deepEqual(config.data.dataset, ["mnist", "fashion-mnist"]);
    assert.deepEqual(config.claims.map((c) => c.metric), Array(3).fill("smallest_matching"));
  }
  const paper = resolveConfig(file, "paper");
  assert.equal(paper.trials, 5);
  assert.equal(paper.procedure.iterations, 50000);
  assert.equal(paper.procedure.rounds, 20);
  assert.equal(paper.procedure.trained_rounds, undefined);
  const quick = resolveConfig(file, "quick");
  assert.ok(quick.trials >= 3);
});
