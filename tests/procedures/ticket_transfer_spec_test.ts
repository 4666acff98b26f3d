/**
 * The ticket-transfer procedure's spec: experiments/ticket-transfer.yaml resolves for every
 * profile with the arms its claims read and the sources the harness must load, and variants of it
 * are refused with the field, the value and the fix (procedure.transfers' rule and IMP's schedule
 * rules, which the procedure shares).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import { datasetRuns } from "../../src/harness/dataset_runs.ts";
import { sourceOf, TICKET_TRANSFER_SPEC } from "../../src/procedures/ticket_transfer_spec.ts";
import { renamedExperiment, resolveExperiment } from "../fixtures/experiments.ts";
import { fashionFromMnistYaml } from "../fixtures/ticket_transfer.ts";

const dir = mkdtempSync(join(tmpdir(), "ticket-transfer-spec-test-"));
globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));

Deno.test("ticket-transfer.yaml resolves for every profile with its arms and both sources", () => {
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const cfg = resolveExperiment("ticket-transfer", profile);
    assert.deepEqual(TICKET_TRANSFER_SPEC.arms(cfg), ["ticket", "transferred", "random-mask"]);
    assert.deepEqual(TICKET_TRANSFER_SPEC.widths(cfg), [300]);
    assert.deepEqual(TICKET_TRANSFER_SPEC.otherDatasets!(cfg), ["fashion-mnist", "mnist"]);
    // Each call of the procedure sees one data set and reads its own source.
    const runs = datasetRuns(cfg, "/results");
    assert.deepEqual(runs.map((run) => run.dataset), ["mnist", "fashion-mnist"]);
    assert.deepEqual(
      runs.map((run) => TICKET_TRANSFER_SPEC.otherDatasets!(run.config)),
      [["fashion-mnist"], ["mnist"]],
    );
    assert.equal(sourceOf(runs[0].config, "mnist"), "fashion-mnist");
    assert.equal(sourceOf(runs[1].config, "fashion-mnist"), "mnist");
  }
  const quick = resolveExperiment("ticket-transfer", "quick");
  assert.equal(quick.trials, 3);
});

/** ticket-transfer.yaml with each `from` replaced by its `to` (once each). */
function variant(edits: [string, string][]): string {
  let text = renamedExperiment("ticket-transfer", "tt-variant");
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `ticket-transfer.yaml has no ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  const path = join(dir, "tt-variant.yaml");
  writeFileSync(path, text);
  return path;
}

/** Loading the variant must fail with `message`. */
function assertVariantError(edits: [string, string][], message: RegExp): void {
  const path = variant(edits);
  assert.throws(() => loadExperimentFile(path), (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.match(error.message, message);
    return true;
  });
}

const TRANSFERS = "    - { source: mnist, target: fashion-mnist }\n" +
  "    - { source: fashion-mnist, target: mnist }";

Deno.test("validation errors name the field, the value and the fix", () => {
  // A data set of data.dataset that no transfer targets.
  assertVariantError(
    [[TRANSFERS, "    - { source: mnist, target: fashion-mnist }"]],
    /procedure\.transfers: no entry has target mnist \(one of data\.dataset\); add \{ source: <a data set with its images>, target: mnist \}/,
  );
  // A target the experiment does not run on.
  assertVariantError(
    [[TRANSFERS, `${TRANSFERS}\n    - { source: mnist, target: cifar-10 }`]],
    /procedure\.transfers\[2\]\.target: expected a data set the experiment runs on \(data\.dataset: mnist, fashion-mnist\), got "cifar-10"; add it to data\.dataset or remove this transfer/,
  );
  // Two sources for one target.
  assertVariantError(
    [[TRANSFERS, `${TRANSFERS}\n    - { source: cifar-10, target: mnist }`]],
    /procedure\.transfers\[2\]\.target: mnist is already the target of procedure\.transfers\[1\]; give each target one source/,
  );
  // A data set as its own source.
  assertVariantError(
    [[
      "    - { source: fashion-mnist, target: mnist }",
      "    - { source: mnist, target: mnist }",
    ]],
    /procedure\.transfers\[1\]\.source: equals its target \(mnist\): a ticket on its own data set is the ticket arm; name another data set/,
  );
  // Other images: the ticket's tensors would not fit.
  assertVariantError(
    [[
      "    - { source: fashion-mnist, target: mnist }",
      "    - { source: cifar-10, target: mnist }",
    ]],
    /procedure\.transfers\[1\]\.source: cifar-10 has images 3x32x32, 10 classes, its target mnist 1x28x28, 10 classes: the transferred ticket keeps every layer's masks and weights, so the source needs the target's image shape and classes/,
  );
  // An unknown data set name.
  assertVariantError(
    [["    - { source: fashion-mnist, target: mnist }", "    - { source: kmnist, target: mnist }"]],
    /procedure\.transfers\[1\]\.source: expected one of: mnist, fashion-mnist, cifar-10, got "kmnist"/,
  );
  // IMP's schedule rules hold here too.
  assertVariantError(
    [["  rewind: { iteration: 917 }", "  rewind: { iteration: 50000 }"]],
    /procedure\.rewind\.iteration: expected an integer in 1\.\.49999 \(below procedure\.iterations\), got 50000/,
  );
  assertVariantError(
    [["  prune_fractions: [0.2] #", "  prune_fractions: [0.2, 0.2] #"]],
    /procedure\.prune_fractions: expected one entry with pruning: global/,
  );
  assertVariantError(
    [["        trained_rounds: [5, 10]", "        trained_rounds: [5, 9]"]],
    /procedure\.trained_rounds\[1\]: expected 10 \(procedure\.rounds: the last round is trained\), got 9/,
  );
  // Claims select the arms the procedure produces, on a data set it runs on.
  assertVariantError(
    [[
      "select: { arm: transferred, dataset: fashion-mnist, weights_remaining: 0.1074 }",
      "select: { arm: source-ticket, dataset: fashion-mnist, weights_remaining: 0.1074 }",
    ]],
    /claims\[0\]\.select\.arm: arm "source-ticket" is not produced by this config; expected one of: ticket, transferred, random-mask/,
  );
  assertVariantError(
    [["  random_mask: true #", "  random_mask: false #"]],
    /claims\[1\]\.baseline\.arm: arm "random-mask" is not produced by this config; expected one of: ticket, transferred/,
  );
  assertVariantError(
    [["  random_mask: true #", "  random_masks: true #"]],
    /random_masks/,
  );
});

Deno.test("a single target may read a source the experiment does not run on", () => {
  const path = variant([
    ["  dataset: [mnist, fashion-mnist] #", "  dataset: fashion-mnist #"],
    [TRANSFERS, "    - { source: mnist, target: fashion-mnist }"],
  ]);
  // Only the fashion-mnist claims can stay: the others name mnist, which it no longer runs on.
  assert.throws(
    () => loadExperimentFile(path),
    /claims\[2\]\.select\.dataset: expected a data set the experiment runs on: fashion-mnist \(data\.dataset\), got "mnist"/,
  );
  const file = join(dir, "tt-single.yaml");
  writeFileSync(file, fashionFromMnistYaml(renamedExperiment("ticket-transfer", "tt-single")));
  const cfg = resolveConfig(loadExperimentFile(file), "smoke");
  assert.deepEqual(TICKET_TRANSFER_SPEC.otherDatasets!(cfg), ["mnist"]);
  assert.deepEqual(cfg.claims.map((claim) => claim.id), [
    "a-fashion-transferred-near-own-ticket",
    "b-fashion-transferred-above-random",
    "e-fashion-random-below-own-ticket",
  ]);
});
