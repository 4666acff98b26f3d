/**
 * The source folders form a stack: each imports only folders below it, so a reader finds each
 * concept in one place and no two folders depend on each other. docs/architecture.md describes
 * the stack; this test holds the code to it, and keeps the repository free of pointers to notes
 * outside it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SRC = join(ROOT, "src");

/** Bottom to top. src/cli.ts (the entry point) sits above everything, src/cli/ included. */
export const STACK = [
  "base",
  "config",
  "io",
  "gpu",
  "nn",
  "data",
  "model",
  "train",
  "prune",
  "tangent",
  "procedures",
  "harness",
  "dashboard",
  "cli",
] as const;

function files(directory: string, suffix: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : files(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

/** The folder under src/ a file belongs to ("" for src/cli.ts). */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split("/");
  return parts.length === 1 ? "" : parts[0];
}

function rank(folder: string): number {
  return folder === "" ? STACK.length : STACK.indexOf(folder as typeof STACK[number]);
}

const IMPORT =
  /(?:^|\s)(?:import|export)[^"';]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']/g;

function relativeImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

Deno.test("every folder of src/ has a place in the stack", () => {
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  assert.deepEqual(folders, [...STACK].sort());
});

Deno.test("src/ folders import only folders below them", () => {
  const violations: string[] = [];
  for (const path of files(SRC, ".ts")) {
    const from = folderOf(path);
    for (const specifier of relativeImports(path)) {
      const target = resolve(dirname(path), specifier);
      assert.ok(
        target.startsWith(SRC),
        `${relative(ROOT, path)} imports outside src/: ${specifier}`,
      );
      const to = folderOf(target);
      if (to === from) continue;
      if (rank(to) >= rank(from)) {
        violations.push(
          `${relative(ROOT, path)} (${from || "cli"}) imports ${specifier} (${to || "cli"})`,
        );
      }
    }
  }
  assert.deepEqual(violations, [], `upward or sideways imports:\n${violations.join("\n")}`);
});

Deno.test("the import check sees the imports it must see", () => {
  const path = join(SRC, "train", "trainer.ts");
  const imports = relativeImports(path);
  assert.ok(imports.some((s) => s.startsWith("../gpu/")), `no gpu import found in ${imports}`);
  assert.ok(rank("harness") > rank("procedures") && rank("base") === 0);
});

Deno.test("no file points at design notes outside the repository", () => {
  const outside = /\.\.\/shared|design\.md/;
  const offenders = [
    ...files(join(ROOT, "src"), ".ts"),
    ...files(join(ROOT, "tests"), ".ts"),
    ...files(join(ROOT, "docs"), ".md"),
    join(ROOT, "README.md"),
  ]
    .filter((path) => path !== fileURLToPath(import.meta.url))
    .filter((path) => outside.test(readFileSync(path, "utf8")))
    .map((path) => relative(ROOT, path));
  assert.deepEqual(offenders, []);
});
