/**
 * The results digest CI pins: SHA-256 over results.csv and every checkpoint, in sorted path
 * order, each entry hashed as "<relative path>\n<bytes>". Same seed, profile and adapter must
 * give the same digest; `deno run --allow-read src/io/digest.ts DIR` prints it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { RESULTS_FILE, SAFETENSORS } from "./paths.ts";

/** Every file below `directory`, recursively (absolute or as joined onto `directory`). */
export function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** results.csv and every checkpoint below `directory`: "/"-separated relative paths, sorted. */
function digestedFiles(directory: string): string[] {
  return walk(directory)
    .filter((path) => path.endsWith(RESULTS_FILE) || path.endsWith(SAFETENSORS))
    .map((path) => relative(directory, path).split("\\").join("/"))
    .sort();
}

/**
 * One SHA-256 per digested file (the file's bytes alone), in the digest's order, so two copies of
 * a published folder can be compared file by file where their results digests differ.
 */
export function digestListing(directory: string): { path: string; sha256: string }[] {
  return digestedFiles(directory).map((path) => ({
    path,
    sha256: createHash("sha256").update(readFileSync(join(directory, path))).digest("hex"),
  }));
}

export function resultsDigest(directory: string): string {
  const hash = createHash("sha256");
  for (const file of digestedFiles(directory)) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(directory, file)));
  }
  return hash.digest("hex");
}

if (import.meta.main) {
  const [directory] = Deno.args;
  if (!directory) {
    console.error("usage: deno run --allow-read src/io/digest.ts RESULTS_DIR");
    Deno.exit(2);
  }
  console.log(resultsDigest(directory));
}
