/**
 * The deploy files run the CLI's real commands: deploy/slurm's sbatch script is run with bash as
 * each task of its array (the Slurm variables set, LTH_PROFILE=smoke and a tiny copy of weak-lth),
 * and deploy/k8s's Indexed Job command as each pod (JOB_COMPLETION_INDEX set, the manifest's own
 * LTH_SHARD_COUNT); each merged results folder must have the digest of one unsharded run.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { resultsDigest } from "../../src/io/digest.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { REPO, runChild, runFolder } from "../harness/child_run.ts";
import { tinyWeakLthYaml } from "../fixtures/tiny_weak_lth.ts";

const FIXTURE_ID = "deploy-fixture";

/** Runs `command` in the repository with `env` added; fails the test on an error exit. */
async function run(command: string[], env: Record<string, string>): Promise<string> {
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: REPO,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assert.ok(
    output.code === 0 || output.code === 1,
    `${command.join(" ")} exited ${output.code}:\n${text(output.stderr)}`,
  );
  return text(output.stdout);
}

/** The array's task ids from `#SBATCH --array=a-b`. */
function slurmTasks(script: string): number[] {
  const match = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(script);
  assert.ok(match, "the sbatch script has no #SBATCH --array=a-b line");
  const [from, to] = [Number(match[1]), Number(match[2])];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

Deno.test({
  name: "deploy/slurm and deploy/k8s run real commands whose shards merge into the unsharded run",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    const root = mkdtempSync(join(tmpdir(), "deploy-test-"));
    try {
      const script = readFileSync(join(REPO, "deploy/slurm/weak-lth-paper.sbatch"), "utf8");
      const tasks = slurmTasks(script);
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, tinyWeakLthYaml(FIXTURE_ID, tasks.length, "deploy test fixture"));
      const whole = await runChild([fixture, "--profile", "smoke", "--out", join(root, "whole")]);
      assert.ok(whole.code === 0 || whole.code === 1, whole.stderr);
      const expected = resultsDigest(runFolder(join(root, "whole"), FIXTURE_ID));

      // Slurm: the script itself, once per array task, as sbatch would start it.
      assert.match(
        script,
        /\.\/lth reproduce "\$\{LTH_EXPERIMENT:-weak-lth\}" --profile "\$\{LTH_PROFILE:-paper\}"/,
      );
      for (const task of tasks) {
        await run(["bash", "deploy/slurm/weak-lth-paper.sbatch"], {
          SLURM_SUBMIT_DIR: REPO,
          SLURM_ARRAY_TASK_ID: String(task),
          SLURM_ARRAY_TASK_MIN: String(tasks[0]),
          SLURM_ARRAY_TASK_COUNT: String(tasks.length),
          LTH_EXPERIMENT: fixture,
          LTH_PROFILE: "smoke",
          LTH_RESULTS: join(root, "slurm"),
        });
      }
      assert.equal(resultsDigest(runFolder(join(root, "slurm"), FIXTURE_ID)), expected);

      // Kubernetes: the container's command with the experiment, profile and volume swapped for
      // the fixture's, once per completion index, with the manifest's own shard count.
      const job = parse(readFileSync(join(REPO, "deploy/k8s/weak-lth-paper.yaml"), "utf8"));
      assert.equal(job.spec.completionMode, "Indexed");
      const container = job.spec.template.spec.containers[0];
      const count = container.env.find((e: { name: string }) => e.name === "LTH_SHARD_COUNT")
        ?.value;
      assert.equal(Number(count), job.spec.completions, "LTH_SHARD_COUNT must equal completions");
      const mount = container.volumeMounts[0].mountPath;
      assert.deepEqual(
        container.command,
        ["./lth", "reproduce", "weak-lth", "--profile", "paper", "--out", mount],
      );
      const command = (container.command as string[]).map((word) =>
        word === "weak-lth"
          ? fixture
          : word === "paper"
          ? "smoke"
          : word === mount
          ? join(root, "k8s")
          : word
      );
      for (let index = 0; index < job.spec.completions; index++) {
        await run(command, { JOB_COMPLETION_INDEX: String(index), LTH_SHARD_COUNT: count });
      }
      assert.equal(resultsDigest(runFolder(join(root, "k8s"), FIXTURE_ID)), expected);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
