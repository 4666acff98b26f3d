/**
 * `reproduce` as a person runs it: a child process per case, through `deno task` where the
 * case is about the user's directory. Error cases end before any training (a second or two);
 * the runs that train use the smallest experiment (strong-lth smoke, a few seconds).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runFolder } from "../harness/child_run.ts";
import { readOnlyFolder, skipped, smallDisk } from "../io/fs_fixtures.ts";

const CLI = join(REPO, "src", "cli.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `deno task reproduce ARGS` from `cwd`, like a person in that directory. INIT_CWD is removed
 * from the environment as in a shell: these tests run under `deno task test`, which sets it, and
 * a nested `deno task` keeps an INIT_CWD it inherits.
 */
async function task(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const inherited = Deno.env.toObject();
  delete inherited.INIT_CWD;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", join(REPO, "deno.json"), "reproduce", ...args],
    cwd,
    stdin: "null",
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

/** The one-sentence error of a failed start: exit 2, a single "error:" line. */
function assertUsageError(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `not one line:\n${run.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(lines[0], /ENOTDIR|EACCES|EROFS|ENOSPC|os error/, "a raw error code");
}

Deno.test({
  name: "a relative --out is taken from the user's directory; GL fallback; smoke output",
  sanitizeResources: false,
  async fn(t) {
    const home = mkdtempSync(join(tmpdir(), "cli-user-dir-"));
    try {
      // No Vulkan ICD can load: auto must fall back to GL and say so.
      const run = await task(
        ["strong-lth", "--profile", "smoke", "--out", "my-results"],
        home,
        { VK_ICD_FILENAMES: join(home, "no-such-icd.json") },
      );
      assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}\n${run.stderr}`);
      await t.step("results land below the user's directory", () => {
        const folder = runFolder(join(home, "my-results"), "strong-lth");
        assert.ok(existsSync(join(folder, "report.md")));
        assert.ok(!existsSync(join(REPO, "my-results")), "results went to the repository");
      });
      await t.step("auto falls back to GL when Vulkan has no adapter, saying so on stderr", () => {
        assert.match(run.stderr, /^note: .*so --backend auto uses GL/m);
        const record = JSON.parse(
          readFileSync(join(runFolder(join(home, "my-results"), "strong-lth"), "run.json"), "utf8"),
        );
        assert.equal(record.backend, "gl");
      });
      await t.step("the header names the results folder and stays a line of its own", () => {
        const folder = runFolder(join(home, "my-results"), "strong-lth");
        assert.match(
          run.stderr,
          new RegExp(`^strong-lth \\(smoke, .*; results in ${folder}$`, "m"),
        );
      });
      await t.step("a smoke run says its claims are not evaluated; verdicts in units", () => {
        const lines = run.stdout.trim().split("\n");
        assert.match(lines[0], /^smoke profile: a pipeline check.*not evaluated at smoke size/);
        for (const line of lines.slice(1, -1)) {
          assert.match(line, /^(PASS|FAIL|INCONCLUSIVE) +[a-z0-9-]+: .*; pass if .*; paper: /);
          assert.doesNotMatch(line, /\d\.\d{5,}/, `unrounded number: ${line}`);
        }
        assert.match(lines.at(-1)!, /^report: .*report\.md$/);
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
});

Deno.test("--out naming a file exits 2 with one sentence, before anything is written", async () => {
  const home = mkdtempSync(join(tmpdir(), "cli-out-file-"));
  try {
    writeFileSync(join(home, "taken"), "a file");
    const run = await task(["strong-lth", "--profile", "smoke", "--out", "taken"], home);
    assertUsageError(
      run,
      /--out "taken" \(.*taken\) names a file, not a directory; give a directory path/,
    );
    const below = await task(["strong-lth", "--profile", "smoke", "--out", "taken/sub"], home);
    assertUsageError(below, /cannot be created: .*taken is a file/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

Deno.test("--out in an unwritable folder exits 2 with one sentence", async () => {
  const folder = readOnlyFolder();
  if (!folder) return skipped("a read-only folder");
  try {
    const out = join(folder.path, "results");
    const run = await task(["strong-lth", "--profile", "smoke", "--out", out], REPO);
    assertUsageError(run, /is not writable .*; choose a directory you can write to/);
  } finally {
    folder.dispose();
  }
});

Deno.test({
  name: "a disk that fills up during the run exits 2 with one sentence, not 3",
  sanitizeResources: false,
  async fn() {
    // 2 MiB passes the start check; strong-lth smoke writes about 5 MB of checkpoints.
    const disk = smallDisk(2 * 1024 * 1024);
    if (!disk) return skipped("a small disk");
    try {
      const run = await task(["strong-lth", "--profile", "smoke", "--out", disk.path], REPO);
      assert.equal(run.code, 2, run.stderr);
      const error = run.stderr.trim().split("\n").at(-1)!;
      assert.match(
        error,
        /^error: --out ".*" ran out of disk space.*free some space or choose another --out/,
      );
      const full = smallDisk(256 * 1024, true);
      if (!full) return;
      try {
        const start = await task(["strong-lth", "--profile", "smoke", "--out", full.path], REPO);
        assertUsageError(start, /is on a full disk/);
      } finally {
        full.dispose();
      }
    } finally {
      disk.dispose();
    }
  },
});

Deno.test("numeric options take negative numbers to their own range message", async () => {
  const seed = await task(["weak-lth", "--seed", "-1", "--print-config"], REPO);
  assertUsageError(seed, /--seed: expected an integer in 0\.\.4294967295, got -1$/);
  const trials = await task(["weak-lth", "--trials", "-2", "--print-config"], REPO);
  assertUsageError(trials, /--trials: expected an integer in 1\.\.100, got -2$/);
  const unknown = await task(["weak-lth", "--foo"], REPO);
  assertUsageError(unknown, /^error: unknown option "--foo"; known options: --profile/);
});

Deno.test("--help and the experiment list go to stdout and exit 0", async () => {
  const help = await task(["--help"], REPO);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--out DIR +results root, relative to the current directory/);
  const list = await task([], REPO);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^weak-lth: /m);
  assert.match(list.stdout, /--profile quick +3 trials +15-20 min \| about 1 min \(est.\)/);
});

Deno.test({
  name: "Ctrl-C prints one line naming the partial results and saying the same command resumes",
  sanitizeResources: false,
  async fn() {
    const out = mkdtempSync(join(tmpdir(), "cli-interrupt-"));
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI, "reproduce", "weak-lth", "--profile", "smoke", "--out", out],
        cwd: REPO,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      let stderr = "";
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      // Interrupt once training is under way (the first progress line).
      while (!/^level /m.test(stderr)) {
        const { value, done } = await reader.read();
        if (done) break;
        stderr += value;
      }
      child.kill("SIGINT");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stderr += value;
      }
      const status = await child.status;
      await child.stdout.cancel();
      assert.equal(status.code, 130, stderr);
      const folder = runFolder(out, "weak-lth");
      const last = stderr.trim().split("\n").at(-1);
      assert.equal(
        last,
        `interrupted: partial results are in ${folder}; run the same command again to resume where it stopped`,
      );
      assert.equal(stderr.match(/interrupted/g)?.length, 1, "more than one line");
      assert.equal(
        JSON.parse(readFileSync(join(folder, "run.json"), "utf8")).status,
        "interrupted",
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
});
