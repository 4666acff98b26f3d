/** What produced a result: code version, runtime, GPU, seeds, data checksums. */
import type { AdapterProvenance } from "../gpu/mod.ts";
import { REPO_ROOT } from "./experiments.ts";
import { mesaVersion } from "./mesa_version.ts";

export interface Provenance {
  git_commit: string;
  git_dirty: boolean | null;
  deno_version: string;
  v8_version: string;
  os: string;
  backend: string;
  adapter: AdapterProvenance | null;
  mesa_version: string | null;
  seed: number;
  trials: number;
  /** The data sets the run read, in the order the config lists them. */
  datasets: string[];
  /** Per data set: SHA-256 of each of its files, by file name. */
  dataset_sha256: Record<string, Record<string, string>>;
}

function git(args: string[]): string | null {
  try {
    const out = new Deno.Command("git", { args, cwd: REPO_ROOT, stdout: "piped", stderr: "null" })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

export function collectProvenance(
  adapter: AdapterProvenance | null,
  run: {
    seed: number;
    trials: number;
    /** Each data set read, with its files' checksums. */
    datasets: { name: string; checksums: Record<string, string> }[];
  },
): Provenance {
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return {
    git_commit: git(["rev-parse", "HEAD"]) ?? "unknown",
    git_dirty: status === null ? null : status.length > 0,
    deno_version: Deno.version.deno,
    v8_version: Deno.version.v8,
    os: `${Deno.build.os}-${Deno.build.arch}`,
    backend: adapter?.backend ?? "none",
    adapter,
    mesa_version: mesaVersion(adapter),
    seed: run.seed,
    trials: run.trials,
    datasets: run.datasets.map((data) => data.name),
    dataset_sha256: Object.fromEntries(run.datasets.map((data) => [data.name, data.checksums])),
  };
}
