/**
 * Resume of the sweep procedures after a real kill: a child `reproduce` of a tiny copy of
 * experiments/strong-lth.yaml (and of supermask.yaml) is SIGKILLed as soon as its first job has
 * finished, started again, and must end byte-identical to an uninterrupted run, with the finished
 * job read back instead of redone.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultsDigest } from "../../src/io/digest.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { assertSameFiles } from "../fixtures/files.ts";
import { assertCompleted, runChild, runFolder } from "./child_run.ts";

/** The experiment file with a new id and a tiny smoke profile replacing its profiles. */
function fixtureYaml(experiment: string, id: string, smoke: string): string {
  return smokeFixtureYaml(
    experiment,
    id,
    "resume test fixture",
    `      trials: 1
      data:
        validation: 500
        train_limit: 1000
        test_limit: 500
${smoke}`,
  );
}

const CASES = [
  {
    experiment: "strong-lth",
    smoke: `      procedure:
        sweeps:
          - { widths: [8, 12], weights_remaining: [0.5], weight_inits: [signed-kaiming-constant, kaiming-normal] }
        iterations: 20
        eval_every: 10
        dense: { iterations: 20, eval_every: 10 }
`,
    // The first job: width 8's dense network.
    firstDone: join("trial-1", "h8", "level-0", "dense", "DONE"),
  },
  {
    experiment: "supermask",
    smoke: `      procedure:
        train: { iterations: 20, eval_every: 10 }
        weights_remaining: [0.5, 0.2]
        learned: { iterations: 20, eval_every: 10 }
`,
    firstDone: join("trial-1", "level-1", "large_final.init", "DONE"),
  },
];

for (const c of CASES) {
  Deno.test({
    name: `${c.experiment}: a run killed after its first job resumes byte-identical`,
    ignore: ignoreGpuTests,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      requireGpu();
      const id = `resume-${c.experiment}`;
      const root = mkdtempSync(join(tmpdir(), "resume-sweep-test-"));
      try {
        const fixture = join(root, `${id}.yaml`);
        writeFileSync(fixture, fixtureYaml(c.experiment, id, c.smoke));
        const args = (out: string) => [fixture, "--profile", "smoke", "--out", out];
        const outA = join(root, "a"), outB = join(root, "b");
        assertCompleted(await runChild(args(outA)), "the uninterrupted run");
        const dirA = runFolder(outA, id);

        const killed = await runChild(args(outB), () => {
          try {
            return existsSync(join(runFolder(outB, id), c.firstDone));
          } catch {
            return false; // the run folder does not exist yet
          }
        });
        assert.ok(killed.stopped, `the run finished before ${c.firstDone}:\n${killed.stderr}`);
        const dirB = runFolder(outB, id);
        assert.ok(!existsSync(join(dirB, "results.csv")), "killed after it had finished");
        const resumed = await runChild(args(outB));
        assertCompleted(resumed, "the resumed run");

        const names = assertSameFiles(
          dirA,
          dirB,
          (path) =>
            path === "results.csv" || path.endsWith(".safetensors") ||
            path.endsWith("row.json") || path.endsWith("metrics.jsonl"),
        );
        assert.ok(names.some((path) => path.endsWith(".safetensors")));
        assert.equal(resultsDigest(dirB), resultsDigest(dirA));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  });
}
