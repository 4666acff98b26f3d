/**
 * An experiment on two data sets, run as a person runs it (a child `reproduce`): one subfolder
 * per data set, a dataset column in results.csv, every data set's checksums in run.json, the
 * progress lines naming the data set, and a second run that resumes both from their DONE
 * markers. The fixture is experiments/weak-lth.yaml on [mnist, fashion-mnist] at a tiny size
 * (1 trial, 2 levels of 40 iterations on 1,000 images, the controls at level 2). Fashion-MNIST comes from the Debian
 * package dataset-fashion-mnist (.ci/run installs it); without it the test says it is skipped.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FASHION_MNIST_DEFAULT_DIR } from "../../src/data/mod.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { tinyWeakLthYaml } from "../fixtures/tiny_weak_lth.ts";
import { assertCompleted, runChild, runFolder } from "./child_run.ts";

const FIXTURE_ID = "two-datasets-fixture";

/** weak-lth on both data sets: the data line becomes a list and every selector names mnist. */
function fixtureYaml(): string {
  const yaml = tinyWeakLthYaml(FIXTURE_ID, 1, "two data sets", 1000);
  const listed = yaml.replace(/^ {2}dataset: mnist$/m, "  dataset: [mnist, fashion-mnist]")
    .replaceAll("{ arm: ", "{ dataset: mnist, arm: ");
  assert.notEqual(listed, yaml, "weak-lth.yaml has no `  dataset: mnist` line");
  return listed;
}

Deno.test({
  name: "two data sets: a subfolder each, a dataset column, both checksums, resumed together",
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
    const root = mkdtempSync(join(tmpdir(), "datasets-run-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, fixtureYaml());
      const out = join(root, "out");
      const args = [fixture, "--profile", "smoke", "--out", out];
      const first = await runChild(args);
      assertCompleted(first, "the run on two data sets");
      const folder = runFolder(out, FIXTURE_ID);
      assert.match(
        first.stderr,
        new RegExp(
          `^${FIXTURE_ID} \\(smoke, .*\\): mnist, fashion-mnist on .*; results in ${folder}$`,
          "m",
        ),
      );
      assert.match(first.stderr, /^mnist \(1\/2\): level 0\/2 /m);
      assert.match(first.stderr, /^fashion-mnist \(2\/2\): level 2\/2 /m);
      for (const dataset of ["mnist", "fashion-mnist"]) {
        for (const level of [0, 1, 2]) {
          const done = join(folder, dataset, "trial-1", `level-${level}`, "ticket", "DONE");
          assert.ok(existsSync(done), `missing ${done}`);
        }
      }
      assert.ok(!existsSync(join(folder, "trial-1")), "runs outside the data set subfolders");

      const csv = readFileSync(join(folder, "results.csv"), "utf8").trim().split("\n");
      assert.match(csv[0], /^dataset,trial,width,level,arm,/);
      assert.deepEqual(csv.slice(1).map((line) => line.split(",").slice(0, 5).join(",")), [
        "fashion-mnist,1,300,0,ticket",
        "fashion-mnist,1,300,1,ticket",
        "fashion-mnist,1,300,2,random-mask",
        "fashion-mnist,1,300,2,random-reinit",
        "fashion-mnist,1,300,2,ticket",
        "mnist,1,300,0,ticket",
        "mnist,1,300,1,ticket",
        "mnist,1,300,2,random-mask",
        "mnist,1,300,2,random-reinit",
        "mnist,1,300,2,ticket",
      ]);
      // The data sets differ, so their dense networks do too.
      const column = csv[0].split(",").indexOf("test_accuracy_at_early_stop");
      const accuracy = (line: string) => line.split(",")[column];
      assert.notEqual(accuracy(csv[1]), accuracy(csv[6]));

      const run = JSON.parse(readFileSync(join(folder, "run.json"), "utf8"));
      assert.deepEqual(run.datasets, ["mnist", "fashion-mnist"]);
      assert.deepEqual(Object.keys(run.dataset_sha256), ["mnist", "fashion-mnist"]);
      for (const files of Object.values(run.dataset_sha256) as Record<string, string>[]) {
        assert.equal(Object.keys(files).length, 4);
      }
      assert.notDeepEqual(run.dataset_sha256.mnist, run.dataset_sha256["fashion-mnist"]);

      const again = await runChild(args);
      assertCompleted(again, "the second run");
      assert.match(again.stderr, /^mnist \(1\/2\): level 2: finished earlier/m);
      assert.match(again.stderr, /^fashion-mnist \(2\/2\): level 2: finished earlier/m);
      assert.equal(readFileSync(join(folder, "results.csv"), "utf8"), csv.join("\n") + "\n");

      // --data-dir names one data set's files: refused before anything is written.
      const other = join(root, "other");
      const dataDir = await runChild([...args.slice(0, 3), "--out", other, "--data-dir", root]);
      assert.equal(dataDir.code, 2, dataDir.stderr);
      assert.match(
        dataDir.stderr,
        /--data-dir gives the files of one data set, but two-datasets-fixture runs on mnist, fashion-mnist; leave --data-dir out/,
      );
      assert.ok(!existsSync(other), "a refused start created its --out folder");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
