import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestListing, resultsDigest } from "../../src/io/digest.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

Deno.test("digestListing hashes results.csv and each checkpoint alone, sorted; other files skipped", () => {
  const directory = mkdtempSync(join(tmpdir(), "digest-"));
  try {
    mkdirSync(join(directory, "trial-0", "level-1"), { recursive: true });
    writeFileSync(join(directory, "results.csv"), "a,b\n");
    writeFileSync(join(directory, "trial-0", "level-1", "model.safetensors"), "weights");
    writeFileSync(join(directory, "report.md"), "not digested");
    assert.deepEqual(digestListing(directory), [
      { path: "results.csv", sha256: sha256("a,b\n") },
      { path: "trial-0/level-1/model.safetensors", sha256: sha256("weights") },
    ]);
    // The folder digest still covers the bytes: changing one checkpoint byte changes it.
    const before = resultsDigest(directory);
    writeFileSync(join(directory, "trial-0", "level-1", "model.safetensors"), "weightz");
    assert.notEqual(resultsDigest(directory), before);
  } finally {
    rmSync(directory, { recursive: true });
  }
});
