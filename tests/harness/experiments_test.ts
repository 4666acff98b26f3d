import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import {
  EXPERIMENTS_DIR,
  findExperiment,
  listExperiments,
  REPO_ROOT,
} from "../../src/harness/experiments.ts";
import { renamedExperiment } from "../fixtures/experiments.ts";

/** A folder holding copies of weak-lth.yaml under the given ids. */
function folderWith(ids: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "experiments-test-"));
  for (const id of ids) {
    writeFileSync(join(dir, `${id}.yaml`), renamedExperiment("weak-lth", id));
  }
  writeFileSync(join(dir, "README.md"), "not an experiment");
  return dir;
}

Deno.test("the repo root is found from the module's location", () => {
  assert.ok(REPO_ROOT.endsWith("/"), REPO_ROOT);
  assert.equal(EXPERIMENTS_DIR, join(REPO_ROOT, "experiments"));
  assert.ok(readFileSync(join(REPO_ROOT, "deno.json"), "utf8").includes('"imports"'));
});

Deno.test("listExperiments lists weak-lth with its claims", () => {
  const weak = listExperiments().find((e) => e.id === "weak-lth");
  assert.ok(weak, "weak-lth is listed");
  assert.equal(weak.hypothesis, "weak-lth");
  assert.match(weak.claim, /LeNet-300-100/);
  assert.equal(weak.path, join(EXPERIMENTS_DIR, "weak-lth.yaml"));
  assert.deepEqual(weak.claims.map((c) => c.id), [
    "a-earlier-stop-21pct",
    "b-accuracy-gain-13pct",
    "c-dense-level-3pct",
    "d1-beats-reinit-accuracy-21pct",
    "d2-beats-reinit-speed-21pct",
    "e-reinit-drops-3pct",
    "f-random-mask-below-ticket-3pct",
    "g-ticket-at-least-dense-21pct",
  ]);
  assert.ok(weak.claims.every((c) => c.text.length > 0));
});

Deno.test("listExperiments reads only YAML files, sorted by id", () => {
  const dir = folderWith(["zeta", "alpha"]);
  try {
    assert.deepEqual(listExperiments(dir).map((e) => e.id), ["alpha", "zeta"]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("findExperiment by id and by path", () => {
  assert.equal(findExperiment("weak-lth").base.id, "weak-lth");
  assert.equal(findExperiment(join(EXPERIMENTS_DIR, "weak-lth.yaml")).base.id, "weak-lth");
});

Deno.test("an unknown experiment name lists the ids that exist", () => {
  const dir = folderWith(["beta", "alpha"]);
  try {
    assert.throws(
      () => findExperiment("gamma", dir),
      new UsageError(
        'unknown experiment "gamma"; expected one of: alpha, beta, or a path to a .yaml file.',
      ),
    );
    const missing = join(dir, "gamma.yaml");
    assert.throws(
      () => findExperiment(missing, dir),
      new UsageError(
        `experiment file ${
          JSON.stringify(missing)
        } does not exist; give an existing .yaml path or one of the ids: alpha, beta.`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.throws(() => findExperiment("no-such-experiment"), /expected one of: .*weak-lth/);
});

Deno.test("a missing experiments folder is a usage error", () => {
  assert.throws(() => listExperiments(join(tmpdir(), "no-such-folder-xyz")), UsageError);
});
