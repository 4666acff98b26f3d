/**
 * A procedure that reads a data set the experiment does not run on (ProcedureSpec.otherDatasets),
 * run as a person runs it (a child `reproduce`): ticket-transfer on Fashion-MNIST alone with MNIST
 * as the source of its ticket, at a tiny size (1 trial, 2 rounds of 40 iterations on 1,000
 * images). The source's runs lie in <results>/mnist/, the target's in the results folder itself;
 * run.json records both data sets' checksums; rows are the target's only; a second run resumes
 * both; --data-dir, which gives one data set's files, is refused before anything is written.
 * Fashion-MNIST comes from the Debian package dataset-fashion-mnist (.ci/run installs it);
 * without it the test says it is skipped.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FASHION_MNIST_DEFAULT_DIR } from "../../src/data/mod.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { fashionFromMnistYaml } from "../fixtures/ticket_transfer.ts";
import { assertCompleted, runChild, runFolder } from "./child_run.ts";

const FIXTURE_ID = "other-datasets-fixture";

function fixtureYaml(): string {
  return fashionFromMnistYaml(smokeFixtureYaml(
    "ticket-transfer",
    FIXTURE_ID,
    "Fashion-MNIST from MNIST, 2 rounds of 40 iterations on 1,000 training images",
    `      trials: 1
      data:
        validation: 500
        train_limit: 1000
        test_limit: 500
      procedure:
        iterations: 40
        eval_every: 20
        rounds: 2
        rewind: { iteration: 4 }
`,
  ));
}

Deno.test({
  name: "a source the experiment does not run on: read first, its runs in <results>/<source>/",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    if (!existsSync(FASHION_MNIST_DEFAULT_DIR)) {
      console.log(
        `skipped: needs Fashion-MNIST in ${FASHION_MNIST_DEFAULT_DIR} (apt-get install dataset-fashion-mnist)`,
      );
      return;
    }
    requireGpu();
    const root = mkdtempSync(join(tmpdir(), "other-datasets-run-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, fixtureYaml());
      const out = join(root, "out");
      const args = [fixture, "--profile", "smoke", "--out", out];

      // --data-dir names one data set's files, and this experiment reads two.
      const refused = await runChild([...args, "--data-dir", root]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(
        refused.stderr,
        /--data-dir gives the files of one data set, but other-datasets-fixture runs on fashion-mnist and reads mnist \(procedure\.ticket-transfer\); leave --data-dir out/,
      );
      assert.ok(!existsSync(out), "a refused start created its --out folder");

      const first = await runChild(args);
      assertCompleted(first, "the one-direction run");
      const folder = runFolder(out, FIXTURE_ID);
      assert.match(first.stderr, /^source mnist: level 0\/2 /m);
      assert.match(first.stderr, /^level 2\/2 /m);
      for (const level of [0, 1, 2]) {
        const source = join(folder, "mnist", "trial-1", `level-${level}`, "ticket", "DONE");
        assert.ok(existsSync(source), `missing ${source}`);
        const arms = level === 0 ? ["ticket"] : ["ticket", "transferred", "random-mask"];
        for (const arm of arms) {
          const done = join(folder, "trial-1", `level-${level}`, arm, "DONE");
          assert.ok(existsSync(done), `missing ${done}`);
        }
      }
      assert.ok(
        existsSync(join(folder, "mnist", "trial-1", "level-0", "ticket", "rewind.safetensors")),
      );

      const csv = readFileSync(join(folder, "results.csv"), "utf8").trim().split("\n");
      assert.deepEqual(csv.slice(1).map((line) => line.split(",").slice(0, 5).join(",")), [
        "fashion-mnist,1,300,0,ticket",
        "fashion-mnist,1,300,1,random-mask",
        "fashion-mnist,1,300,1,ticket",
        "fashion-mnist,1,300,1,transferred",
        "fashion-mnist,1,300,2,random-mask",
        "fashion-mnist,1,300,2,ticket",
        "fashion-mnist,1,300,2,transferred",
      ]);

      const run = JSON.parse(readFileSync(join(folder, "run.json"), "utf8"));
      assert.deepEqual(run.datasets, ["fashion-mnist", "mnist"]);
      assert.deepEqual(Object.keys(run.dataset_sha256), ["fashion-mnist", "mnist"]);

      const again = await runChild(args);
      assertCompleted(again, "the second run");
      assert.match(again.stderr, /^source mnist: level 2: finished earlier/m);
      assert.match(again.stderr, /^level 2: finished earlier/m);
      assert.equal(readFileSync(join(folder, "results.csv"), "utf8"), csv.join("\n") + "\n");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
