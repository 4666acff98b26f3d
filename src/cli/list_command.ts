/**
 * `list`: every experiment of the experiments folder with its results folders below the results
 * root (status, verdict counts), then results folders of experiments no longer in the folder
 * (a renamed file, or one run by path).
 */
import { UsageError } from "../base/errors.ts";
import { type ExperimentSummary, listExperiments } from "../harness/experiments.ts";
import { indexResults, type ResultsFolder } from "../harness/results_index.ts";
import { userPath } from "./user_cwd.ts";

/** `list [results root]` (default results/, as reproduce's --out). */
export function listCommand(args: string[]): Promise<number> {
  if (args.length > 1 || args.some((arg) => arg.startsWith("-"))) {
    throw new UsageError(
      `list takes at most one results root, got ${
        JSON.stringify(args)
      }; pass the folder given to reproduce --out, or nothing for results/`,
    );
  }
  const root = args[0] ?? "results";
  for (const line of listLines(listExperiments(), indexResults(userPath(root)), root)) {
    console.log(line);
  }
  return Promise.resolve(0);
}

function folderLine(folder: ResultsFolder): string {
  const verdicts = folder.verdicts
    ? Object.entries(folder.verdicts).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`)
      .join(", ") || "no claims"
    : "no verdicts yet";
  return `    ${folder.profile}-${folder.hash}  ${folder.status}  ${verdicts}  ${folder.directory}`;
}

/** The listing's lines; `root` is the results root as the user gave it, for the header. */
export function listLines(
  experiments: ExperimentSummary[],
  folders: ResultsFolder[],
  root: string,
): string[] {
  const lines = [`experiments, and their results folders below ${root}:`];
  const known = new Set(experiments.map((e) => e.id));
  for (const experiment of experiments) {
    const own = folders.filter((folder) => folder.experiment === experiment.id);
    lines.push(`  ${experiment.id} (${experiment.hypothesis})${own.length ? "" : ": no results"}`);
    lines.push(...own.map(folderLine));
  }
  const others = folders.filter((folder) => !known.has(folder.experiment));
  if (others.length) {
    lines.push("results of experiments not in the experiments folder:");
    for (const id of [...new Set(others.map((f) => f.experiment))]) {
      lines.push(`  ${id}`, ...others.filter((f) => f.experiment === id).map(folderLine));
    }
  }
  return lines;
}
