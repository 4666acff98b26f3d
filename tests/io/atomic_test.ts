import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../src/io/atomic.ts";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "atomic-test-"));
}

Deno.test("writeFileAtomic creates parent directories and leaves no temporary file", () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "a", "b", "out.txt");
    writeFileAtomic(file, "hello\n");
    assert.equal(fs.readFileSync(file, "utf8"), "hello\n");
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["out.txt"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("writeFileAtomic replaces existing content, bytes included", () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "out.bin");
    writeFileAtomic(file, "a much longer first version of the file");
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...fs.readFileSync(file)], [1, 2, 3]);
    assert.deepEqual(fs.readdirSync(dir), ["out.bin"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("writeFileAtomic cleans up its temporary file when the rename fails", () => {
  const dir = tempDir();
  try {
    // A non-empty directory at the target path makes the rename fail after the data is written.
    const target = path.join(dir, "target");
    fs.mkdirSync(path.join(target, "child"), { recursive: true });
    assert.throws(() => writeFileAtomic(target, "x"));
    assert.deepEqual(fs.readdirSync(dir), ["target"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("writeJsonAtomic writes 2-space JSON with a trailing newline", () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "x.json");
    writeJsonAtomic(file, { a: 1, b: [true, null] });
    assert.equal(
      fs.readFileSync(file, "utf8"),
      '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
