/**
 * Resume after a real kill: a child `reproduce` is SIGKILLed once a level is finished, started
 * again, and must end byte-identical to a run that was never interrupted. The fixture is a tiny
 * copy of experiments/weak-lth.yaml (2 levels of 40 iterations on 2,000 images), written to a
 * temporary folder, so the test takes seconds even on a software adapter.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultsDigest } from "../../src/io/digest.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { tinyWeakLthYaml } from "../fixtures/tiny_weak_lth.ts";
import { assertSameFiles, files } from "../fixtures/files.ts";
import { assertCompleted, runChild, runFolder } from "./child_run.ts";

const FIXTURE_ID = "resume-fixture";

Deno.test({
  name:
    "a run killed after a finished level resumes and ends byte-identical to an uninterrupted one",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu(); // fail with the adapter's reason rather than a child's exit code 3
    const root = mkdtempSync(join(tmpdir(), "resume-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, tinyWeakLthYaml(FIXTURE_ID, 1, "resume test fixture"));
      const outA = join(root, "a");
      const outB = join(root, "b");
      const args = (out: string) => [fixture, "--profile", "smoke", "--out", out];

      const a = await runChild(args(outA));
      assertCompleted(a, "the uninterrupted run");
      const dirA = runFolder(outA, FIXTURE_ID);

      // Kill the second run as soon as level 1 is finished (its ticket's DONE exists).
      const levelOneDone = join("trial-1", "level-1", "ticket", "DONE");
      const killed = await runChild(args(outB), () => {
        if (!existsSync(join(outB, FIXTURE_ID))) return false;
        const runs = readdirSync(join(outB, FIXTURE_ID));
        return runs.some((run) => existsSync(join(outB, FIXTURE_ID, run, levelOneDone)));
      });
      assert.ok(
        killed.stopped,
        `the run finished (exit ${killed.code}) before level 1's DONE marker was seen:\n${killed.stderr}`,
      );
      assert.equal(killed.signal, "SIGKILL");
      const dirB = runFolder(outB, FIXTURE_ID);
      assert.ok(existsSync(join(dirB, levelOneDone)));
      assert.ok(
        !existsSync(join(dirB, "results.csv")),
        "the killed run had already written results.csv: it finished before the kill",
      );
      assert.ok(!existsSync(join(dirB, "summary.json")));

      const resumed = await runChild(args(outB));
      assertCompleted(resumed, "the resumed run");
      assert.match(resumed.stderr, /level 0: finished earlier/);
      assert.match(resumed.stderr, /level 1: finished earlier/);
      assert.equal(runFolder(outB, FIXTURE_ID), dirB, "the resumed run used another folder");

      // Same results, same checkpoints, same per-run records, file for file.
      const namesA = assertSameFiles(
        dirA,
        dirB,
        (path) =>
          path === "results.csv" || path.endsWith(".safetensors") ||
          path.endsWith("row.json") || path.endsWith("metrics.jsonl") || path.endsWith("DONE"),
      );
      assert.ok(namesA.includes("results.csv"));
      assert.equal(namesA.filter((path) => path.endsWith(".safetensors")).length, 10);
      assert.equal(resultsDigest(dirB), resultsDigest(dirA));

      const leftovers = [...files(outA), ...files(outB)].filter((path) => /\.tmp-/.test(path));
      assert.deepEqual(leftovers, [], "temporary files were left behind");
      const run = JSON.parse(readFileSync(join(dirB, "run.json"), "utf8"));
      assert.equal(run.status, "complete");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});

Deno.test("bad command lines and bad experiment files exit 2 with one clear message and write nothing", async () => {
  const root = mkdtempSync(join(tmpdir(), "resume-usage-test-"));
  try {
    const out = join(root, "out");

    const unknown = await runChild(["no-such-experiment", "--profile", "smoke", "--out", out]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /unknown experiment "no-such-experiment"/);
    assert.match(unknown.stderr, /weak-lth/);

    const option = await runChild(["weak-lth", "--profil", "smoke", "--out", out]);
    assert.equal(option.code, 2, option.stderr);
    assert.match(option.stderr, /--profil/);
    for (const known of ["--profile", "--trials", "--seed", "--backend", "--out", "--data-dir"]) {
      assert.ok(option.stderr.includes(known), `the message does not list ${known}`);
    }

    // An unknown key in an experiment given by path: file:line:column, the key, exit 2.
    const fixture = join(root, `${FIXTURE_ID}.yaml`);
    const lines = tinyWeakLthYaml(FIXTURE_ID, 1, "resume test fixture").split("\n");
    const at = lines.findIndex((line) => line.startsWith("  batch_size:"));
    assert.ok(at > 0, "the fixture has no procedure.batch_size line");
    lines.splice(at + 1, 0, "  batch_sise: 60");
    writeFileSync(fixture, lines.join("\n"));
    const badYaml = await runChild([fixture, "--profile", "smoke", "--out", out]);
    assert.equal(badYaml.code, 2, badYaml.stderr);
    assert.ok(
      badYaml.stderr.includes(`${FIXTURE_ID}.yaml:${at + 2}:`),
      `the message does not point at ${FIXTURE_ID}.yaml:${at + 2}:\n${badYaml.stderr}`,
    );
    assert.match(badYaml.stderr, /batch_sise/);
    assert.equal(badYaml.stderr.trim().split("\n").length, 1, `not one line:\n${badYaml.stderr}`);

    assert.ok(!existsSync(out), `a failed start created ${out}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
