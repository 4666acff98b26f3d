/**
 * Command line: `reproduce [experiment] [options]`, `report <results folder>`,
 * `verify <results folder> [--digests]`, `list [results root]`, `serve [results root]`. Exit codes: 0 every claim PASS; 1 a claim
 * FAIL or INCONCLUSIVE; 2 usage, config or data error; 3 GPU or runtime error; 130 Ctrl-C.
 */
import { exitCodeOf, UsageError } from "./base/errors.ts";
import { choiceOption, integerOption, parseArgs } from "./cli/args.ts";
import { experimentsText, helpText } from "./cli/help.ts";
import { onInterrupt } from "./cli/interrupt.ts";
import { shardOption } from "./cli/shard_option.ts";
import { Stderr } from "./cli/terminal.ts";
import { userPath } from "./cli/user_cwd.ts";
import { listCommand } from "./cli/list_command.ts";
import { serveCommand } from "./cli/serve_command.ts";
import { reportCommand } from "./cli/report_command.ts";
import { verifyCommand } from "./cli/verify_command.ts";
import { listExperiments } from "./harness/experiments.ts";
import { reproduce } from "./harness/run.ts";
import { PROFILE_NAMES } from "./config/profiles.ts";

/** An experiment argument that names a file (not an id) is a path from the user's directory. */
function experimentArgument(value: string): string {
  const isPath = /\.ya?ml$/.test(value) || value.includes("/") || value.includes("\\");
  return isPath ? userPath(value) : value;
}

/** The subcommands: each takes the arguments after its name and returns the exit code. */
const COMMANDS: Record<string, (rest: string[], stderr: Stderr) => Promise<number>> = {
  reproduce: reproduceCommand,
  report: (rest) => reportCommand(rest),
  verify: (rest) => verifyCommand(rest),
  list: (rest) => listCommand(rest),
  serve: (rest) => serveCommand(rest),
};

async function main(args: string[], stderr: Stderr): Promise<number> {
  const [command, ...rest] = args;
  const run = Object.hasOwn(COMMANDS, command ?? "") ? COMMANDS[command] : undefined;
  if (run === undefined) {
    throw new UsageError(
      `unknown command "${command ?? ""}"; the commands are ${
        Object.keys(COMMANDS).join(", ")
      } (see reproduce --help)`,
    );
  }
  return await run(rest, stderr);
}

async function reproduceCommand(rest: string[], stderr: Stderr): Promise<number> {
  const { values, positionals } = parseArgs(rest);
  if (values.help) {
    console.log(helpText());
    return 0;
  }
  if (positionals.length === 0) {
    console.log(experimentsText(listExperiments()));
    return 0;
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `reproduce takes one experiment, got ${positionals.length}: "${
        positionals.join('", "')
      }"; run them one after the other`,
    );
  }
  const out = values.out as string;
  const dataDir = values["data-dir"];
  const running = onInterrupt(
    () => stderr.endProgress(),
    (line) => stderr.notice(line),
    values.fresh === true,
  );
  const outcome = await reproduce({
    experiment: experimentArgument(positionals[0]),
    profile: choiceOption("profile", values.profile, PROFILE_NAMES),
    trials: integerOption("trials", values.trials),
    seed: integerOption("seed", values.seed),
    backend: choiceOption("backend", values.backend, ["auto", "vulkan", "gl"] as const),
    out: userPath(out),
    outAsGiven: out,
    dataDir: typeof dataDir === "string" ? userPath(dataDir) : undefined,
    fresh: values.fresh === true,
    printConfig: values["print-config"] === true,
    shard: shardOption(
      typeof values.shard === "string" ? values.shard : undefined,
      typeof values["shard-count"] === "string" ? values["shard-count"] : undefined,
      (name) => Deno.env.get(name),
    ),
  }, {
    stdout: (line) => {
      stderr.endProgress();
      console.log(line);
    },
    notice: (line) => stderr.notice(line),
    progress: (line) => stderr.progress(line),
    started: running,
  });
  return outcome.exitCode;
}

if (import.meta.main) {
  const stderr = new Stderr();
  try {
    Deno.exit(await main(Deno.args, stderr));
  } catch (error) {
    stderr.endProgress();
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof UsageError) && Deno.env.get("LTH_DEBUG")) console.error(error);
    Deno.exit(exitCodeOf(error));
  }
}
