/**
 * Folders the results root cannot use, for the --out tests: read-only and full. As a normal
 * user a read-only folder is a chmod away; root writes through permissions, so there a
 * read-only tmpfs is mounted instead (and a small tmpfs is the only way to fill a disk). Where
 * mounting is not permitted (a container without CAP_SYS_ADMIN), the fixture is null and the
 * test says it is skipped.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FolderFixture {
  path: string;
  /** Unmount and delete. */
  dispose(): void;
}

function run(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

function mounted(options: string): FolderFixture | null {
  const path = mkdtempSync(join(tmpdir(), "lth-mount-"));
  if (!run("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path])) {
    rmSync(path, { recursive: true, force: true });
    return null;
  }
  return {
    path,
    dispose: () => {
      run("umount", [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export function readOnlyFolder(): FolderFixture | null {
  if (Deno.uid() !== 0) {
    const path = mkdtempSync(join(tmpdir(), "lth-readonly-"));
    chmodSync(path, 0o500);
    return {
      path,
      dispose: () => {
        chmodSync(path, 0o700);
        rmSync(path, { recursive: true, force: true });
      },
    };
  }
  return mounted("ro,size=1m");
}

/** A tmpfs of `bytes`; `fill` writes it full. */
export function smallDisk(bytes: number, fill = false): FolderFixture | null {
  const disk = mounted(`size=${Math.ceil(bytes / 1024)}k`);
  if (disk && fill) {
    mkdirSync(join(disk.path, "filler"));
    try {
      writeFileSync(join(disk.path, "filler", "zeros"), new Uint8Array(bytes));
    } catch {
      // ENOSPC: the disk is now full, as wanted.
    }
  }
  return disk;
}

/** Why a fixture test is skipped, printed so a skip is never silent. */
export function skipped(what: string): void {
  console.log(`skipped: ${what} needs mount(8) (root with CAP_SYS_ADMIN) or a non-root user`);
}
