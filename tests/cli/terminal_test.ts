import assert from "node:assert/strict";
import { fit, Stderr } from "../../src/cli/terminal.ts";

function capture(interactive: boolean, columns = 40) {
  let text = "";
  const stderr = new Stderr({ interactive, write: (t) => (text += t), columns: () => columns });
  return { stderr, text: () => text };
}

Deno.test("on a terminal the header stays and progress lines replace each other, cut to the width", () => {
  const { stderr, text } = capture(true);
  stderr.notice("results in /tmp/results/weak-lth/quick-0123456789ab");
  stderr.progress("round 1/15 iter 200/4000 ".repeat(4));
  stderr.progress("round 1/15 iter 400/4000");
  stderr.notice("interrupted");
  const lines = text().split("\n");
  assert.equal(lines[0], "results in /tmp/results/weak-lth/quick-0123456789ab");
  // Each progress line fits in 39 columns, so no wrapped remainder can push the header away.
  for (const part of lines[1].split("\r\x1b[2K").slice(1)) assert.ok(part.length <= 39, part);
  assert.ok(lines[1].endsWith("round 1/15 iter 400/4000"));
  assert.equal(lines[2], "interrupted");
});

Deno.test("off a terminal every progress line is its own line", () => {
  const { stderr, text } = capture(false);
  stderr.notice("header");
  stderr.progress("a");
  stderr.progress("b");
  stderr.endProgress();
  assert.equal(text(), "header\na\nb\n");
});

Deno.test("fit keeps short lines and ends cut ones with an ellipsis", () => {
  assert.equal(fit("short", 80), "short");
  const cut = fit("x".repeat(100), 50);
  assert.equal(cut.length, 49);
  assert.ok(cut.endsWith("…"));
});
