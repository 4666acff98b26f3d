import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { indexResults } from "../../src/harness/results_index.ts";

function write(file: string, text: string) {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
}

Deno.test("indexResults: status from run.json, verdict counts from summary.json", () => {
  const root = mkdtempSync(join(tmpdir(), "lth-index-"));
  try {
    const done = join(root, "weak-lth", "quick-0123456789ab");
    write(join(done, "run.json"), JSON.stringify({ status: "complete", started: "2026-01-01" }));
    write(
      join(done, "summary.json"),
      JSON.stringify({
        claims: [{ verdict: "PASS" }, { verdict: "INCONCLUSIVE" }, { verdict: "PASS" }],
      }),
    );
    const running = join(root, "weak-lth", "smoke-ffffffffffff");
    write(join(running, "run.json"), JSON.stringify({ status: "running" }));
    write(join(root, "elastic", "paper-aaaaaaaaaaaa", "run.json"), "{ half written");
    mkdirSync(join(root, "elastic", "not-a-results-folder"), { recursive: true });
    mkdirSync(join(root, "_trained", "quick-000000000000"), { recursive: true });

    const folders = indexResults(root);
    assert.deepEqual(
      folders.map((f) => [f.experiment, f.profile, f.hash]),
      [
        ["elastic", "paper", "aaaaaaaaaaaa"],
        ["weak-lth", "quick", "0123456789ab"],
        ["weak-lth", "smoke", "ffffffffffff"],
      ],
    );
    assert.match(folders[0].status, /^run\.json unreadable/);
    assert.equal(folders[0].verdicts, undefined);
    assert.equal(folders[1].status, "complete");
    assert.equal(folders[1].started, "2026-01-01");
    assert.deepEqual(folders[1].verdicts, { PASS: 2, FAIL: 0, INCONCLUSIVE: 1 });
    assert.equal(folders[2].status, "running");
    assert.equal(folders[2].verdicts, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

Deno.test("indexResults: a missing results root is empty", () => {
  assert.deepEqual(indexResults(join(tmpdir(), "lth-index-no-such-root")), []);
});
