/**
 * Shards: a deterministic share of an experiment's trials run by one process into the shared
 * results folder, so a cluster's job array (Slurm `--array`, a Kubernetes Indexed Job) runs one
 * experiment on a shared file system. Shard i of n runs the trials t with (t - 1) mod n = i. A
 * trial's runs give the same bits whichever trials train beside them, and every file is written
 * atomically (a temporary name per process, then rename), so two processes on the same runs write
 * the same bytes and the merged folder is byte for byte the unsharded one.
 * Under `shards/` of the results folder, per shard `<i>-of-<n>`:
 *   .lease     created exclusively while a process runs the shard (pid, host, start), its
 *              modification time renewed every 30 s (a heartbeat: Deno may not read /proc or
 *              signal processes); a second process on the shard is refused while the heartbeat
 *              is younger than 5 minutes, and takes an older lease over (its holder crashed);
 *   .run.json  the shard's provenance and status (run.json is the merged run's);
 *   .done      written when the shard's runs are finished.
 * The shard that finds every `.done` of its n writes results.csv, summary.json, report.md, the
 * figures and run.json, reading every run back (a plain `reproduce` of the folder does the same).
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { UsageError } from "../base/errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Every trial, 1..trials. */
export function allTrials(trials: number): number[] {
  return Array.from({ length: trials }, (_, t) => t + 1);
}

/** The trials of a shard: t in 1..trials with (t - 1) mod count = index. */
export function shardTrials(trials: number, shard: Shard): number[] {
  const mine = allTrials(trials).filter((t) => (t - 1) % shard.count === shard.index);
  if (mine.length === 0) {
    throw new UsageError(
      `shard ${shard.index}/${shard.count} has no trials: the experiment runs ${trials}; use at most ${trials} shards (e.g. --array=0-${
        trials - 1
      } for Slurm, completions: ${trials} for Kubernetes)`,
    );
  }
  return mine;
}

export function shardName(shard: Shard): string {
  return `${shard.index}-of-${shard.count}`;
}

export function shardFiles(directory: string, shard: Shard) {
  const base = join(directory, "shards", shardName(shard));
  return { lease: `${base}.lease`, run: `${base}.run.json`, done: `${base}.done` };
}

/** The shards of `count` not yet done (their `.done` missing), ascending. */
export function shardsMissing(directory: string, count: number): number[] {
  return allTrials(count).map((i) => i - 1).filter((index) =>
    !existsSync(shardFiles(directory, { index, count }).done)
  );
}

interface LeaseRecord {
  pid: number;
  host: string;
  started: string;
}

/** How often a lease holder renews its lease, and the age after which a lease is stale. */
export const LEASE_HEARTBEAT_MS = 30_000;
export const LEASE_STALE_MS = 5 * 60_000;

/**
 * Takes the shard's lease (exclusive create) and renews it every LEASE_HEARTBEAT_MS until the
 * returned release is called. Refused while another process's lease is fresh; a lease not renewed
 * for LEASE_STALE_MS (its holder crashed or was killed) is taken over.
 */
export function acquireLease(directory: string, shard: Shard): () => void {
  const { lease } = shardFiles(directory, shard);
  mkdirSync(join(directory, "shards"), { recursive: true });
  const record: LeaseRecord = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lease, "wx");
      writeSync(fd, JSON.stringify(record) + "\n");
      closeSync(fd);
      const heartbeat = setInterval(() => {
        const now = new Date();
        try {
          utimesSync(lease, now, now);
        } catch {
          // Removed by hand: the next run takes a new one.
        }
      }, LEASE_HEARTBEAT_MS);
      // The heartbeat never keeps the process alive on its own.
      Deno.unrefTimer(heartbeat);
      return () => {
        clearInterval(heartbeat);
        rmSync(lease, { force: true });
      };
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
    let holder: LeaseRecord | null = null;
    try {
      holder = JSON.parse(readFileSync(lease, "utf8"));
    } catch {
      // Being written this instant, or unreadable: treat as held.
    }
    let age = 0;
    try {
      age = Date.now() - statSync(lease).mtimeMs;
    } catch {
      continue; // released this instant: try again
    }
    if (age > LEASE_STALE_MS) {
      rmSync(lease, { force: true });
      continue;
    }
    throw new UsageError(
      `shard ${shard.index}/${shard.count} of ${directory} is being run by ${
        holder ? `pid ${holder.pid} on ${holder.host} since ${holder.started}` : "another process"
      } (${lease}, renewed ${Math.round(age / 1000)} s ago); wait for it: a lease not renewed for ${
        LEASE_STALE_MS / 60_000
      } minutes is taken over`,
    );
  }
  throw new UsageError(`could not take the lease ${lease}; rerun`);
}

/** Records the shard finished (its trials and when). */
export function markShardDone(directory: string, shard: Shard, trials: readonly number[]): void {
  writeJsonAtomic(shardFiles(directory, shard).done, {
    shard: shardName(shard),
    trials,
    ended: new Date().toISOString(),
  });
}

/**
 * What the shard files of a results folder say, per shard count: "shards of 5: 3 done, 1 running
 * (2), missing 4", or null without shards. Running means leased, missing neither done nor leased.
 */
export function shardProgress(directory: string): string | null {
  const folder = join(directory, "shards");
  if (!existsSync(folder)) return null;
  const counts = new Set<number>();
  for (const name of readdirSync(folder)) {
    const match = /^[0-9]+-of-([0-9]+)\.(done|lease|run\.json)$/.exec(name);
    if (match) counts.add(Number(match[1]));
  }
  if (counts.size === 0) return null;
  return [...counts].sort((a, b) => a - b).map((count) => {
    const shards = allTrials(count).map((i) => shardFiles(directory, { index: i - 1, count }));
    const done = shards.filter((files) => existsSync(files.done)).length;
    const running = shards.flatMap((files, i) =>
      !existsSync(files.done) && existsSync(files.lease) ? [i] : []
    );
    const missing = shards.flatMap((files, i) =>
      !existsSync(files.done) && !existsSync(files.lease) ? [i] : []
    );
    return `shards of ${count}: ${done} done` +
      (running.length > 0 ? `, ${running.length} running (${running.join(", ")})` : "") +
      (missing.length > 0 ? `, missing ${missing.join(", ")}` : "");
  }).join("; ");
}
