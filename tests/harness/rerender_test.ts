import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rerender } from "../../src/harness/rerender.ts";
import { UsageError } from "../../src/base/errors.ts";
import { assertCompleted, runChild, runFolder } from "./child_run.ts";

Deno.test("report: unchanged folder gets identical summary/report; an edited threshold is named", async () => {
  const out = mkdtempSync(join(tmpdir(), "rerender-"));
  try {
    const run = await runChild(["weak-lth", "--profile", "smoke", "--out", out]);
    assertCompleted(run, "weak-lth smoke");
    const original = runFolder(out, "weak-lth");

    const copy = join(out, "copy");
    cpSync(original, copy, { recursive: true });
    const again = await rerender(copy);
    assert.deepEqual(again.changes, []);
    for (const file of ["summary.json", "report.md"]) {
      assert.equal(
        readFileSync(join(copy, file), "utf8"),
        readFileSync(join(original, file), "utf8"),
        `${file} changed on re-rendering an untouched folder`,
      );
    }

    const edited = join(out, "edited");
    cpSync(original, edited, { recursive: true });
    const configPath = join(edited, "config.json");
    const saved = JSON.parse(readFileSync(configPath, "utf8"));
    const claim = saved.config.claims[0];
    claim.threshold = 0.5;
    writeFileSync(configPath, JSON.stringify(saved));
    const { changes } = await rerender(edited);
    assert.deepEqual(changes, [`claim ${claim.id}: threshold was 1, now 0.5`]);
    assert.match(readFileSync(join(edited, "summary.json"), "utf8"), /"threshold": 0\.5/);
    assert.match(
      readFileSync(join(edited, "report.md"), "utf8"),
      new RegExp(
        `\\*\\*Re-evaluated\\.\\*\\*[^\\n]*\\n\\n- claim ${claim.id}: threshold was 1, now 0\\.5\\n`,
      ),
    );

    await assert.rejects(() => rerender(out), UsageError);
  } finally {
    rmSync(out, { recursive: true });
  }
});
