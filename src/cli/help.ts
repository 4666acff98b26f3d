/**
 * What `reproduce --help` and `reproduce` without an experiment print. The option lines come
 * from the option table (args.ts), so a new option cannot be left out of the help.
 */
import { OPTIONS } from "./args.ts";
import { PROFILES, runTime } from "./run_times.ts";
import type { ExperimentSummary } from "../harness/experiments.ts";
import { PROFILE_NAMES, type ProfileName } from "../config/profiles.ts";

const PROFILE_ORDER: readonly ProfileName[] = PROFILE_NAMES;

function table(rows: string[][], indent = "  "): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) =>
    indent + row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")
  );
}

/** Help lines stay within this width. */
const WIDTH = 100;

/** `text` in lines of at most `width` characters, broken at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

function optionLines(): string[] {
  const names = OPTIONS.map((option) =>
    `${option.short ? `-${option.short}, ` : ""}--${option.name}${
      option.value ? ` ${option.value}` : ""
    }`
  );
  const column = Math.max(...names.map((name) => name.length)) + 4;
  return OPTIONS.flatMap((option, i) => {
    const text = option.default === undefined
      ? option.meaning
      : `${option.meaning}; default: ${option.default}`;
    return wrap(text, WIDTH - column).map((part, j) =>
      (j === 0 ? `  ${names[i]}` : "").padEnd(column) + part
    );
  });
}

export function helpText(): string {
  const options = optionLines();
  const profiles = table([
    ["", "", "2-core CPU", "one GPU"],
    ...PROFILE_ORDER.map((name) => [
      name,
      PROFILES[name].what,
      PROFILES[name].cpu,
      PROFILES[name].gpu,
    ]),
  ]);
  return [
    "usage: ./lth reproduce [experiment] [options]",
    "       deno task reproduce [experiment] [options]   (the same, with Deno 2.9.6 on PATH)",
    "       ./lth report <results folder>                re-evaluate claims, rewrite outputs",
    "       ./lth verify <results folder> [--digests]    check a results folder (exit 1: mismatch)",
    "       ./lth list [results root]                    experiments, results folders, verdicts",
    "",
    "Runs one experiment (an id from experiments/, or a path to a .yaml file): trains its",
    "networks, writes a results folder and prints a verdict per claim (PASS, FAIL or",
    "INCONCLUSIVE) beside the paper's value. Without an experiment, lists the experiments",
    "with their claims and profiles.",
    "",
    "options:",
    ...options,
    "",
    "profiles, with the expected run time of one experiment on a 2-core CPU (Mesa's lavapipe) and",
    "on one data-centre GPU (est.: extrapolated from measured step times); `./lth reproduce` lists",
    "each experiment's:",
    ...profiles,
    "",
    "results: <out>/<experiment>/<profile>-<config hash>/ (default: ./results/...): report.md",
    "  (verdicts first), results.csv, summary.json, figures (*.svg), run.json (provenance) and",
    "  per-run checkpoints under trial-<n>/. The folder is printed when the run starts and at",
    "  the end. An interrupted run (Ctrl-C) resumes where it stopped when the same command runs",
    "  again; --fresh starts over.",
    "",
    "exit codes: 0 every claim PASS; 1 some claim FAIL or INCONCLUSIVE; 2 usage, config or",
    "  data error; 3 GPU or runtime error; 130 interrupted (Ctrl-C).",
  ].join("\n");
}

/** Each experiment: its claim, its claims' ids and texts, its profiles with their run times. */
export function experimentsText(experiments: ExperimentSummary[]): string {
  const out: string[] = [];
  for (const experiment of experiments) {
    const hypothesis = experiment.hypothesis === experiment.id
      ? ""
      : ` (hypothesis ${experiment.hypothesis})`;
    out.push(`${experiment.id}${hypothesis}: ${experiment.claim}`);
    out.push("  claims:");
    for (const claim of experiment.claims) out.push(`    ${claim.id}: ${claim.text}`);
    out.push("  profiles (expected run time on a 2-core CPU | on one GPU):");
    out.push(...table(
      experiment.profiles.map((profile) => {
        const time = runTime(experiment.id, profile.name);
        return [
          `--profile ${profile.name}`,
          `${profile.trials} trial${profile.trials === 1 ? "" : "s"}`,
          `${time.cpu} | ${time.gpu}`,
        ];
      }),
      "    ",
    ));
    out.push("");
  }
  out.push(
    "Run one: ./lth reproduce <experiment> [--profile smoke|quick|paper]; --help for all options.",
  );
  return out.join("\n");
}
