import assert from "node:assert/strict";
import { impConfig } from "../../src/procedures/imp_spec.ts";
import { supermaskConfig } from "../../src/procedures/supermask_spec.ts";
import { trainedKey } from "../../src/procedures/trained_cache.ts";
import { resolveExperiment } from "../fixtures/experiments.ts";

const checksums = { "train-images": "ab", "train-labels": "cd" };

Deno.test("supermask reuses weak-lth's dense network in every profile (same key)", () => {
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const weak = resolveExperiment("weak-lth", profile);
    const supermask = resolveExperiment("supermask", profile);
    for (const trial of [1, 2]) {
      assert.equal(
        trainedKey(supermask, supermaskConfig(supermask).train, trial, checksums),
        trainedKey(weak, impConfig(weak), trial, checksums),
        `${profile} trial ${trial}`,
      );
    }
  }
});

Deno.test("the key changes with anything that changes the trained bits", () => {
  const weak = resolveExperiment("weak-lth", "quick");
  const key = trainedKey(weak, impConfig(weak), 1, checksums);
  assert.notEqual(trainedKey(weak, impConfig(weak), 2, checksums), key, "trial");
  assert.notEqual(trainedKey({ ...weak, seed: 2 }, impConfig(weak), 1, checksums), key, "seed");
  assert.notEqual(
    trainedKey(weak, { ...impConfig(weak), iterations: 10 }, 1, checksums),
    key,
    "iterations",
  );
  assert.notEqual(trainedKey(weak, impConfig(weak), 1, { ...checksums, x: "y" }), key, "data");
  // IMP's pruning schedule does not touch the dense level 0: same key.
  const fewerRounds = { ...impConfig(weak), rounds: 3 };
  assert.equal(trainedKey(weak, fewerRounds, 1, checksums), key);
});
