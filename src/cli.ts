/**
 * Command line: `reproduce [experiment] [options]`. Exit codes: 0 every claim PASS; 1 a claim
 * FAIL or INCONCLUSIVE; 2 usage, config or data error; 3 GPU or runtime error.
 */
import { parseArgs } from "node:util";
import { exitCodeOf, UsageError } from "./base/errors.ts";
import { listExperiments } from "./harness/experiments.ts";
import { reproduce } from "./harness/run.ts";
import { DEFAULT_PROFILE, PROFILE_NAMES } from "./config/profiles.ts";

const OPTIONS = {
  profile: { type: "string", default: DEFAULT_PROFILE },
  trials: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string", default: "auto" },
  out: { type: "string", default: "results" },
  "data-dir": { type: "string" },
  fresh: { type: "boolean", default: false },
  "print-config": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const PROFILE_CHOICES = PROFILE_NAMES.join("|");
const USAGE =
  `usage: deno task reproduce [experiment] [--profile ${PROFILE_CHOICES}] [--trials N] [--seed S]
       [--backend auto|vulkan|gl] [--out DIR] [--data-dir DIR] [--fresh] [--print-config]
With no experiment, lists the experiments and their claims.`;

function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) {
    throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  }
  return Number(value);
}

function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} "${value}" is not one of: ${allowed.join(", ")}`);
  }
  return value as T;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== "reproduce") {
    throw new UsageError(`unknown command "${command ?? ""}"; the command is: reproduce\n${USAGE}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const known = Object.keys(OPTIONS).map((name) => `--${name}`).join(", ");
    throw new UsageError(`${(error as Error).message.split("\n")[0]}; known options: ${known}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    for (const experiment of listExperiments()) {
      console.log(`${experiment.id} (${experiment.hypothesis}): ${experiment.claim}`);
      for (const claim of experiment.claims) console.log(`  - ${claim.id}: ${claim.text}`);
    }
    console.log(`\n${USAGE}`);
    return 0;
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `reproduce takes one experiment, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const interactive = Deno.stderr.isTerminal();
  let pending = false;
  const outcome = await reproduce({
    experiment: positionals[0],
    profile: choice("profile", values.profile, PROFILE_NAMES),
    trials: integerOption("trials", values.trials),
    seed: integerOption("seed", values.seed),
    backend: choice("backend", values.backend, ["auto", "vulkan", "gl"] as const),
    out: values.out,
    dataDir: values["data-dir"],
    fresh: values.fresh,
    printConfig: values["print-config"],
  }, {
    stdout: (line) => {
      if (pending) console.error();
      pending = false;
      console.log(line);
    },
    progress: (line) => {
      if (interactive) {
        Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}`));
        pending = true;
      } else {
        console.error(line);
      }
    },
  });
  return outcome.exitCode;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof UsageError) && Deno.env.get("LTH_DEBUG")) console.error(error);
    Deno.exit(exitCodeOf(error));
  }
}
