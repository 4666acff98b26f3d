/**
 * Compares a results folder's digest with the pin for this backend and adapter in
 * tests/pins/<name>.json. Changing a pin is a deliberate commit that says why. With --update,
 * writes the pin instead.
 */
import { readFileSync } from "node:fs";
import { resultsDigest } from "../../src/io/digest.ts";
import { writeJsonAtomic } from "../../src/io/atomic.ts";
import { runFiles } from "../../src/io/paths.ts";

const [name, directory, flag] = Deno.args;
const run = JSON.parse(readFileSync(runFiles(directory).run, "utf8"));
const key = `${run.backend}: ${run.adapter?.description ?? "none"}`;
const pinFile = new URL(`./${name}.json`, import.meta.url);
let pins: Record<string, string> = {};
try {
  pins = JSON.parse(readFileSync(pinFile, "utf8"));
} catch {
  pins = {};
}
const digest = resultsDigest(directory);
if (flag === "--update") {
  pins[key] = digest;
  writeJsonAtomic(pinFile.pathname, pins);
  console.log(`pinned ${name} for "${key}": ${digest}`);
  Deno.exit(0);
}
if (!(key in pins)) {
  console.error(
    `no pin for "${key}" in tests/pins/${name}.json (digest ${digest}); if this adapter is new, add it with --update in a commit that says why`,
  );
  Deno.exit(1);
}
if (pins[key] !== digest) {
  console.error(
    `results digest ${digest} differs from the pin ${
      pins[key]
    } for "${key}": the smoke results changed; find why, or re-pin deliberately with --update`,
  );
  Deno.exit(1);
}
console.log(`digest matches the pin for "${key}": ${digest}`);
