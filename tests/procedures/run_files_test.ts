import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { armFiles } from "../../src/io/paths.ts";
import { isDone, readRow, writeRunFiles } from "../../src/procedures/run_files.ts";
import { makeRow } from "../fixtures/rows.ts";

const row = makeRow({ trial: 1, level: 2, arm: "ticket" }, {
  early_stop_iteration: 100,
  final_test_accuracy: 0.89,
  min_validation_loss: 0.3,
});

Deno.test("a run's row reads back as written, and DONE marks it finished", () => {
  const dir = mkdtempSync(join(tmpdir(), "run-files-test-"));
  try {
    assert.equal(isDone(dir), false);
    writeRunFiles(dir, { checkpoints: {}, curve: [], row, metadata: {} });
    assert.equal(isDone(dir), true);
    assert.deepEqual(readRow(dir), row);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("a row.json written before the level rename (key round) reads back with its level", () => {
  const dir = mkdtempSync(join(tmpdir(), "run-files-test-"));
  try {
    const { level, ...rest } = row;
    writeFileSync(armFiles(dir).row, JSON.stringify({ ...rest, round: level }));
    const back = readRow(dir);
    assert.deepEqual(back, row);
    assert.ok(!("round" in back));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
