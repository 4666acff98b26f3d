import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOutRoot, outWriteError } from "../../src/io/out_dir.ts";
import { UsageError } from "../../src/base/errors.ts";
import { readOnlyFolder, skipped, smallDisk } from "./fs_fixtures.ts";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message;
  }
  assert.fail("no error");
}

Deno.test("--out naming a file, or a path below a file, is one sentence saying what to give", () => {
  const root = mkdtempSync(join(tmpdir(), "out-dir-test-"));
  try {
    const file = join(root, "notes.txt");
    writeFileSync(file, "x");
    assert.equal(
      message(() => checkOutRoot(file, "notes.txt")),
      `--out "notes.txt" (${file}) names a file, not a directory; give a directory path (it is created when missing)`,
    );
    assert.equal(
      message(() => checkOutRoot(join(file, "a", "b"))),
      `--out "${
        join(file, "a", "b")
      }" cannot be created: ${file} is a file; give a directory path (it is created when missing)`,
    );
    // A missing folder below a writable one is fine: it is created later.
    checkOutRoot(join(root, "new", "deeper"));
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("--out in a folder that cannot be written is a usage error naming the folder", () => {
  const folder = readOnlyFolder();
  if (!folder) return skipped("a read-only folder");
  try {
    const text = message(() => checkOutRoot(join(folder.path, "results")));
    assert.match(
      text,
      /is not writable \(.*(read-only file system|no write permission)\); choose a directory you can write to$/,
    );
    assert.ok(text.includes(folder.path));
  } finally {
    folder.dispose();
  }
});

Deno.test("--out on a full disk is a usage error before anything is written", () => {
  const disk = smallDisk(256 * 1024, true);
  if (!disk) return skipped("a full disk");
  try {
    assert.match(
      message(() => checkOutRoot(join(disk.path, "results"))),
      /is on a full disk \(\d+ (bytes|KiB) free at .*\); free some space or choose another --out$/,
    );
  } finally {
    disk.dispose();
  }
});

Deno.test("file-system errors below --out become usage errors; others keep their kind", () => {
  const out = "/data/results";
  const error = (code: string, path?: string) =>
    Object.assign(new Error(`${code}: something, write`), { code, path });
  const full = outWriteError(error("ENOSPC"), out, "results");
  assert.ok(full instanceof UsageError);
  assert.equal(
    full.message,
    '--out "results" (/data/results) ran out of disk space; free some space or choose another --out, then run the same command to resume',
  );
  assert.match(
    outWriteError(error("EACCES", "/data/results/x/run.json"), out)!.message,
    /^--out "\/data\/results" is not writable \(\/data\/results\/x\/run.json: no write permission\)/,
  );
  assert.match(outWriteError(error("EROFS", out), out)!.message, /read-only file system/);
  assert.match(outWriteError(error("ENOTDIR", `${out}/a`), out)!.message, /a file is in the way/);
  assert.equal(outWriteError(error("ENOSPC", "/elsewhere/file"), out), null);
  assert.equal(outWriteError(new Error("shader failed"), out), null);
  assert.equal(outWriteError(error("EIO", `${out}/a`), out), null);
});
