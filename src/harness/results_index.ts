/**
 * What a results root holds: every results folder (<root>/<experiment>/<profile>-<hash>/, see
 * io/paths.ts) with the status its run.json records and the verdict counts of its summary.json.
 * Read-only; a results folder whose files are missing or unreadable is listed with what is
 * wrong, never skipped, so a listing shows half-written folders too. Folders not named
 * <profile>-<hash12> are not results folders and are left out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { shardProgress } from "./shards.ts";
import { runFiles } from "../io/paths.ts";
import type { Verdict } from "../config/types.ts";

export interface ResultsFolder {
  experiment: string;
  profile: string;
  hash: string;
  directory: string;
  /** run.json's status (running, complete, interrupted, failed: ...), or why there is none. */
  status: string;
  /** Claims per verdict from summary.json; absent until the run has written one. */
  verdicts?: Record<Verdict, number>;
  /** run.json's last start, ISO time. */
  started?: string;
}

/** A folder name <profile>-<hash12>: the profile may contain no dash, the hash is 12 hex digits. */
const FOLDER_PATTERN = /^([a-z]+)-([0-9a-f]{12})$/;
/** Folders of the root that are not experiments (io/paths.ts: the shared trained-run cache). */
const RESERVED = /^_/;

const VERDICTS: readonly Verdict[] = ["PASS", "FAIL", "INCONCLUSIVE"];

function subfolders(directory: string): string[] {
  return readdirSync(directory).filter((name) => statSync(join(directory, name)).isDirectory())
    .sort();
}

function readJson(file: string): { value?: Record<string, unknown>; problem?: string } {
  if (!existsSync(file)) return { problem: "missing" };
  try {
    return { value: JSON.parse(readFileSync(file, "utf8")) };
  } catch (error) {
    return { problem: `unreadable (${(error as Error).message})` };
  }
}

/** One results folder's status and verdicts. */
export function describeResultsFolder(
  directory: string,
  experiment: string,
  profile: string,
  hash: string,
): ResultsFolder {
  const files = runFiles(directory);
  const run = readJson(files.run);
  const folder: ResultsFolder = {
    experiment,
    profile,
    hash,
    directory,
    status: run.value ? String(run.value.status) : `run.json ${run.problem}`,
  };
  // A sharded run has no run.json until its last shard merges: its shards say where it stands.
  const shards = folder.status === "complete" ? null : shardProgress(directory);
  if (shards) folder.status = run.value ? `${folder.status}; ${shards}` : shards;
  if (typeof run.value?.started === "string") folder.started = run.value.started;
  const summary = readJson(files.summary);
  const claims = summary.value?.claims;
  if (Array.isArray(claims)) {
    const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    for (const claim of claims) {
      const verdict = (claim as { verdict?: Verdict }).verdict;
      if (verdict && verdict in counts) counts[verdict]++;
    }
    folder.verdicts = counts;
  }
  return folder;
}

/** Every results folder below `root`, by experiment then folder name; [] when root is absent. */
export function indexResults(root: string): ResultsFolder[] {
  if (!existsSync(root)) return [];
  const folders: ResultsFolder[] = [];
  for (const experiment of subfolders(root).filter((name) => !RESERVED.test(name))) {
    for (const name of subfolders(join(root, experiment))) {
      const match = FOLDER_PATTERN.exec(name);
      if (!match) continue;
      folders.push(
        describeResultsFolder(join(root, experiment, name), experiment, match[1], match[2]),
      );
    }
  }
  return folders;
}
