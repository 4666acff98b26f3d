import assert from "node:assert/strict";
import {
  armDirectory,
  armFiles,
  figureFileName,
  levelDirectory,
  masksFile,
  runDirectory,
  runFiles,
  trainedCacheDirectory,
  trainedDirectory,
} from "../../src/io/paths.ts";

// The layout is part of the pinned digests (which hash relative paths) and of every resume: these
// are the names the results folders have always had.
Deno.test("the results folder layout keeps its names", () => {
  const run = runDirectory("out", "weak-lth", "smoke", "0123456789ab");
  assert.equal(run, "out/weak-lth/smoke-0123456789ab");
  assert.deepEqual({ ...runFiles(run), figure: runFiles(run).figure("accuracy") }, {
    config: `${run}/config.json`,
    run: `${run}/run.json`,
    results: `${run}/results.csv`,
    summary: `${run}/summary.json`,
    report: `${run}/report.md`,
    figure: `${run}/accuracy.svg`,
  });
  assert.equal(figureFileName("early-stop"), "early-stop.svg");
  const imp = (arm: string, replicate: number) =>
    armDirectory("r", { trial: 2, level: 7, arm, replicate });
  assert.equal(imp("ticket", 0), "r/trial-2/level-7/ticket");
  assert.equal(imp("random-reinit", 3), "r/trial-2/level-7/random-reinit-3");
  assert.equal(imp("random-mask", 0), "r/trial-2/level-7/random-mask");
  assert.equal(
    armDirectory("r", { trial: 1, width: 8, level: 0, arm: "dense" }),
    "r/trial-1/h8/level-0/dense",
  );
  const level = levelDirectory("r", { trial: 1, level: 2 });
  assert.equal(level, "r/trial-1/level-2");
  assert.equal(masksFile(level, "large_final"), "r/trial-1/level-2/large_final.masks.safetensors");
  const files = armFiles("a");
  assert.deepEqual({ ...files, checkpoint: files.checkpoint("x.safetensors") }, {
    checkpoint: "a/x.safetensors",
    init: "a/init.safetensors",
    final: "a/final.safetensors",
    rewind: "a/rewind.safetensors",
    line: "a/line.json",
    ridge: "a/ridge.json",
    metrics: "a/metrics.jsonl",
    row: "a/row.json",
    done: "a/DONE",
  });
  assert.equal(trainedDirectory(trainedCacheDirectory("out"), "k"), "out/_trained/k");
});
