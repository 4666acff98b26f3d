/**
 * Helpers for tests that run `reproduce` as a child process (and may SIGKILL it mid-run).
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(REPO, "src", "cli.ts");
/** A child that runs longer than this is killed and the test fails (fixtures take seconds). */
const CHILD_LIMIT_MS = 300_000;

/** The one run folder `<out>/<id>/smoke-<hash>`. */
export function runFolder(out: string, id: string): string {
  const parent = join(out, id);
  const runs = readdirSync(parent).filter((name) => name.startsWith("smoke-"));
  assert.equal(runs.length, 1, `expected one run folder in ${parent}, found ${runs.join(", ")}`);
  return join(parent, runs[0]);
}

function reproduceCommand(args: string[], env: Record<string, string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "reproduce", ...args],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  });
}

export interface Finished {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Starts `reproduce args`; `stop` resolves (and kills the child) when it returns true. */
export async function runChild(
  args: string[],
  stopWhen?: () => boolean,
  /** Variables set for the child besides the inherited ones (a scheduler's shard index). */
  env: Record<string, string> = {},
): Promise<Finished & { stopped: boolean }> {
  const child = reproduceCommand(args, env).spawn();
  let exited = false;
  let stopped = false;
  const output = child.output().finally(() => (exited = true));
  const started = Date.now();
  while (!exited) {
    if (stopWhen?.()) {
      child.kill("SIGKILL");
      stopped = true;
      break;
    }
    if (Date.now() - started > CHILD_LIMIT_MS) {
      child.kill("SIGKILL");
      await output;
      assert.fail(`reproduce ${args.join(" ")} ran longer than ${CHILD_LIMIT_MS / 1000}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const result = await output;
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: result.code,
    signal: result.signal,
    stdout: decode(result.stdout),
    stderr: decode(result.stderr),
    stopped,
  };
}

export function assertCompleted(run: Finished, what: string): void {
  // The fixture cannot reach the claims' levels: every claim is INCONCLUSIVE, exit code 1.
  assert.ok(
    run.code === 0 || run.code === 1,
    `${what} exited with ${run.code}; stderr:\n${run.stderr}`,
  );
  assert.match(run.stdout, /^report: .*report\.md$/m, `${what} printed no report line`);
}
