import assert from "node:assert/strict";
import { interruptMessage } from "../../src/cli/interrupt.ts";

Deno.test("the Ctrl-C line names the partial results and how to resume", () => {
  const run = { directory: "/r/weak-lth/quick-0123456789ab", markInterrupted: () => {} };
  assert.equal(
    interruptMessage(run),
    "interrupted: partial results are in /r/weak-lth/quick-0123456789ab; run the same command again to resume where it stopped",
  );
  // Run again as typed, --fresh would delete what was done: say to leave it out.
  assert.match(interruptMessage(run, true), /run the same command again without --fresh to resume/);
  assert.equal(
    interruptMessage(null),
    "interrupted before any result was written; nothing to resume",
  );
});
