/**
 * The README's quick start: exactly two commands, both through ./lth, and the guarantees they
 * rest on (a frozen lockfile, a git-ignored tools folder, shell scripts that parse). The full
 * check from a fresh clone without Deno is tests/bare_machine_check.sh, which .ci/run runs.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./harness/child_run.ts";

Deno.test("the README opens with a quick start of exactly two ./lth commands", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const sections = readme.split(/^## /m);
  assert.match(sections[1], /^Quick start\n/, "the first section is not the quick start");
  const block = sections[1].match(/```sh\n([\s\S]*?)```/);
  assert.ok(block, "no sh block in the quick start");
  const commands = block[1].trim().split("\n");
  assert.deepEqual(commands, ["./lth reproduce weak-lth", "./lth test"]);
});

Deno.test("./lth is executable, its scripts parse, and it knows its commands", () => {
  assert.ok((statSync(join(REPO, "lth")).mode & 0o111) !== 0, "lth is not executable");
  for (const script of ["lth", "scripts/setup.sh", "tests/bare_machine_check.sh"]) {
    const shell = script.endsWith("check.sh") ? "bash" : "sh";
    const parsed = new Deno.Command(shell, { args: ["-n", join(REPO, script)] }).outputSync();
    assert.ok(parsed.success, `${script}: ${new TextDecoder().decode(parsed.stderr)}`);
  }
  const unknown = new Deno.Command(join(REPO, "lth"), { args: ["frobnicate"] }).outputSync();
  assert.equal(unknown.code, 2);
  assert.match(new TextDecoder().decode(unknown.stderr), /unknown command "frobnicate"/);
});

Deno.test("nothing rewrites deno.lock and the installed Deno stays out of git", () => {
  const config = JSON.parse(readFileSync(join(REPO, "deno.json"), "utf8"));
  assert.equal(config.lock?.frozen, true, "deno.json must freeze the lockfile");
  const ignored = new Deno.Command("git", {
    args: ["check-ignore", "-q", ".tools/deno-2.9.6/bin/deno"],
    cwd: REPO,
  }).outputSync();
  assert.ok(ignored.success, ".tools/ is not git-ignored");
  const setup = readFileSync(join(REPO, "scripts", "setup.sh"), "utf8");
  assert.match(setup, /deno install --frozen/);
  assert.doesNotMatch(setup, /deno install(?! --frozen)/, "an unfrozen deno install");
});

Deno.test(".ci/run installs and tests through the quick start's entry point", () => {
  const ci = readFileSync(join(REPO, ".ci", "run"), "utf8");
  assert.match(ci, /\. scripts\/setup\.sh/);
  assert.match(ci, /step "\.\/lth test" \.\/lth test/);
  assert.match(ci, /tests\/bare_machine_check\.sh/);
  assert.match(ci, /echo "\$passed passed, \$failed failed"/);
});

Deno.test("./lth takes relative paths from the directory it runs in, whatever INIT_CWD says", () => {
  const home = Deno.makeTempDirSync({ prefix: "lth-cwd-test-" });
  try {
    Deno.writeTextFileSync(join(home, "taken"), "a file, so the run stops at the --out check");
    const run = new Deno.Command(join(REPO, "lth"), {
      args: ["reproduce", "strong-lth", "--profile", "smoke", "--out", "taken"],
      cwd: home,
      env: { INIT_CWD: REPO },
    }).outputSync();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 2, stderr);
    assert.ok(stderr.includes(`--out "taken" (${join(home, "taken")}) names a file`), stderr);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});
