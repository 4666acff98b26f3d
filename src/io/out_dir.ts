/**
 * The results root (`--out`): checked before anything is written, and file-system failures
 * below it mapped to one sentence with exit code 2. A bad --out is the user's to fix (another
 * path, free space), not a runtime fault, so it must never surface as a raw ENOTDIR/EACCES or as
 * exit code 3.
 */
import * as fs from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { UsageError } from "../base/errors.ts";

/** Below this much free space a run cannot write its first checkpoints; say so up front. */
export const MIN_FREE_BYTES = 1024 * 1024;

/** Error codes by what the user can do about them. */
const NO_SPACE = new Set(["ENOSPC", "EDQUOT"]);
const NOT_WRITABLE = new Set(["EACCES", "EPERM", "EROFS"]);
const NOT_A_DIRECTORY = new Set(["ENOTDIR", "EEXIST", "EISDIR"]);

/** `--out "x"`, with the absolute path when the user gave a relative one. */
function shown(out: string, given: string): string {
  return given === out ? `--out "${given}"` : `--out "${given}" (${out})`;
}

/** The nearest existing path at or above `path`. */
function nearestExisting(path: string): string {
  let at = path;
  while (!fs.existsSync(at)) {
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  return at;
}

/**
 * Checks, without creating anything, that `out` (absolute) is or can become a writable
 * directory with some free space; `given` is the value as the user typed it.
 */
export function checkOutRoot(out: string, given: string = out): void {
  const existing = nearestExisting(out);
  const stat = fs.statSync(existing);
  if (!stat.isDirectory()) {
    const what = existing === out
      ? "names a file, not a directory"
      : `cannot be created: ${existing} is a file`;
    throw new UsageError(
      `${shown(out, given)} ${what}; give a directory path (it is created when missing)`,
    );
  }
  // access(W_OK) passes for root on a read-only mount (Deno's checks the mode bits), so try
  // it: a probe folder, removed at once, leaves nothing behind.
  try {
    fs.rmdirSync(fs.mkdtempSync(join(existing, ".lth-write-probe-")));
  } catch (error) {
    if (NO_SPACE.has((error as { code?: string }).code ?? "")) throw fullDisk(out, given, existing);
    throw unwritable(out, given, existing, error);
  }
  const free = freeBytes(existing);
  if (free !== null && free < MIN_FREE_BYTES) throw fullDisk(out, given, existing, free);
}

function fullDisk(out: string, given: string, at: string, free?: number): UsageError {
  const left = free === undefined ? "no space left" : `${formatBytes(free)} free`;
  return new UsageError(
    `${
      shown(out, given)
    } is on a full disk (${left} at ${at}); free some space or choose another --out`,
  );
}

function freeBytes(path: string): number | null {
  try {
    const stats = fs.statfsSync(path);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    // No statfs on this platform: the write itself reports a full disk (outWriteError).
    return null;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function unwritable(out: string, given: string, at: string, error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const why = code === "EROFS" ? "a read-only file system" : "no write permission";
  return new UsageError(
    `${shown(out, given)} is not writable (${at}: ${why}); choose a directory you can write to`,
  );
}

/**
 * The usage error for a file-system failure while writing below `out`, or null when `error` is
 * something else (then it is a runtime error and keeps its exit code).
 */
export function outWriteError(error: unknown, out: string, given: string = out): UsageError | null {
  const code = (error as { code?: string } | null)?.code;
  if (typeof code !== "string") return null;
  const path = (error as { path?: string }).path;
  const inside = path === undefined ||
    (() => {
      const rel = relative(out, resolve(path));
      return !rel.startsWith("..") && !isAbsolute(rel);
    })();
  if (!inside) return null;
  const where = path ? ` (writing ${path})` : "";
  if (NO_SPACE.has(code)) {
    return new UsageError(
      `${
        shown(out, given)
      } ran out of disk space${where}; free some space or choose another --out, then run the same command to resume`,
    );
  }
  if (NOT_WRITABLE.has(code)) return unwritable(out, given, path ?? out, error);
  if (NOT_A_DIRECTORY.has(code)) {
    return new UsageError(
      `${
        shown(out, given)
      } cannot hold the results${where}: a file is in the way; give a directory path`,
    );
  }
  return null;
}
