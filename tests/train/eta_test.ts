import assert from "node:assert/strict";
import { formatDuration, StageClock } from "../../src/train/eta.ts";

/** IMP-like: 6 rounds of 1 run, a control round (3 runs) at round 3. */
const stages = [1, 1, 1, 3, 1, 1].map((runs) => ({ runs, iterations: 100 }));

Deno.test("nothing is estimated before any iteration is timed", () => {
  const clock = new StageClock(stages);
  assert.equal(clock.remainingSeconds(), null);
  clock.start(0, 0);
  assert.equal(clock.remainingSeconds(), null);
});

Deno.test("after the first round, control rounds are costed by their runs, not as one", () => {
  const clock = new StageClock(stages);
  // 1 run: 10 s per round (0.1 s per iteration).
  clock.start(0, 0);
  clock.update(0, 100, 10_000);
  // Left: rounds 1, 2, 4, 5 at 10 s and round 3 scaled to 3 runs, 30 s (an upper bound).
  assert.equal(clock.remainingSeconds(), 70);
  clock.start(1, 10_000);
  clock.update(1, 50, 15_000);
  assert.equal(clock.remainingSeconds(), 65);
});

Deno.test("a measured control round replaces the scaled guess", () => {
  const clock = new StageClock(stages);
  for (let round = 0; round < 4; round++) {
    const runs = stages[round].runs;
    clock.start(round, round * 100_000);
    // The 3-run round takes 20 s, not 30: batching is cheaper per run.
    clock.update(round, 100, round * 100_000 + (runs === 1 ? 10_000 : 20_000));
  }
  assert.equal(clock.remainingSeconds(), 20);
});

Deno.test("rounds loaded from disk take no time and teach nothing", () => {
  const clock = new StageClock(stages);
  for (const round of [0, 1, 2]) clock.skip(round);
  assert.equal(clock.remainingSeconds(), null);
  clock.start(3, 0);
  clock.update(3, 50, 15_000);
  // Round 3: 50 more iterations at 0.3 s; rounds 4-5 at a third of that rate each.
  assert.equal(clock.remainingSeconds(), 15 + 2 * 10);
});

Deno.test("durations read as seconds, minutes or hours", () => {
  assert.equal(formatDuration(null), "?");
  assert.equal(formatDuration(42.4), "42s");
  assert.equal(formatDuration(187), "3m07s");
  assert.equal(formatDuration(3900), "1h05m");
});
