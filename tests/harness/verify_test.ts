import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyResults } from "../../src/harness/verify.ts";
import {
  decodeSafetensors,
  decodeSafetensorsMetadata,
  encodeSafetensors,
} from "../../src/io/safetensors.ts";
import { assertCompleted, runChild, runFolder } from "./child_run.ts";

Deno.test("verify: a fresh smoke folder passes; each tampering is named", async () => {
  const out = mkdtempSync(join(tmpdir(), "verify-"));
  try {
    const run = await runChild(["weak-lth", "--profile", "smoke", "--out", out]);
    assertCompleted(run, "weak-lth smoke");
    const original = runFolder(out, "weak-lth");
    assert.deepEqual(verifyResults(original), []);
    const copy = (name: string) => {
      const path = join(out, name);
      cpSync(original, path, { recursive: true });
      return path;
    };

    const csv = copy("csv");
    const lines = readFileSync(join(csv, "results.csv"), "utf8").split("\n");
    lines[1] = lines[1].replace(/,0\.\d{6},0\.\d{6},0\.\d{8},/, ",0.123456,0.873000,0.30899763,");
    writeFileSync(join(csv, "results.csv"), lines.join("\n"));
    assert.match(
      verifyResults(csv).join("\n"),
      /^results\.csv line 2 \(trial 1, level 0, arm [a-z-]+\): expected the values of a run folder's row\.json, seen .*accuracy 0\.123456 \/ 0\.873000.* which no row\.json has/m,
    );

    const masks = copy("masks");
    const level = join(masks, "trial-1", "level-1", "ticket");
    const checkpoint = join(level, readdirSync(level).find((f) => f.startsWith("final"))!);
    const bytes = readFileSync(checkpoint);
    const tensors = decodeSafetensors(bytes);
    tensors.find((t) => t.name.endsWith(".mask"))!.data[0] = 0.5;
    writeFileSync(checkpoint, encodeSafetensors(tensors, decodeSafetensorsMetadata(bytes)));
    assert.match(verifyResults(masks).join("\n"), /mask \S+\.mask entry 0 is 0\.5/);

    const summary = copy("summary");
    const path = join(summary, "summary.json");
    const recorded = JSON.parse(readFileSync(path, "utf8"));
    recorded.claims[0].verdict = "PASS";
    writeFileSync(path, JSON.stringify(recorded));
    assert.match(
      verifyResults(summary).join("\n"),
      new RegExp(`summary.json claim ${recorded.claims[0].id}: verdict was "PASS", now`),
    );
  } finally {
    rmSync(out, { recursive: true });
  }
});
