/**
 * Atomic file writes: a reader (or a resumed run) sees either the old file or the complete new
 * one, never a torn write. The data goes to a temporary file in the same directory (rename is
 * only atomic within one file system), is fsynced so its bytes are on disk before the name
 * points at them, and is then renamed over the target.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as process from "node:process";
import { randomBytes } from "node:crypto";

/** Write `data` to `file` atomically, creating parent directories as needed. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  // pid + random suffix: two writers (or two processes) never share a temporary name.
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx");
    let written = 0;
    while (written < bytes.length) {
      written += fs.writeSync(fd, bytes, written, bytes.length - written);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  syncDirectory(dir);
}

/** Write `value` as 2-space-indented JSON with a trailing newline, atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

/**
 * fsync the directory so the rename itself survives a crash (POSIX keeps directory entries
 * separately from file data). Windows cannot open a directory for fsync; there it is skipped.
 */
function syncDirectory(dir: string): void {
  if (process.platform === "win32") return;
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
