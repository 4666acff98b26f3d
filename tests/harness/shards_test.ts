/**
 * Shards (src/harness/shards.ts): which trials a shard runs, the lease that keeps a second process
 * off a shard, and the merge: two shards of a tiny weak-lth run started as concurrent processes
 * end with the results digest (results.csv, checkpoints, curves) of one unsharded run, the last
 * shard writing run.json and the outputs.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import {
  acquireLease,
  LEASE_STALE_MS,
  markShardDone,
  shardFiles,
  shardProgress,
  shardsMissing,
  shardTrials,
} from "../../src/harness/shards.ts";
import { resultsDigest } from "../../src/io/digest.ts";
import { tinyWeakLthYaml } from "../fixtures/tiny_weak_lth.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { runChild, runFolder } from "./child_run.ts";

Deno.test("a shard runs the trials t with (t - 1) mod n = i; an empty shard is refused", () => {
  assert.deepEqual(shardTrials(5, { index: 0, count: 2 }), [1, 3, 5]);
  assert.deepEqual(shardTrials(5, { index: 1, count: 2 }), [2, 4]);
  assert.deepEqual(shardTrials(3, { index: 2, count: 3 }), [3]);
  assert.throws(
    () => shardTrials(2, { index: 2, count: 3 }),
    (error: unknown) =>
      error instanceof UsageError &&
      /shard 2\/3 has no trials: the experiment runs 2; use at most 2 shards/.test(error.message),
  );
});

Deno.test("a shard's lease refuses a second process while fresh and is taken over when stale", () => {
  const directory = mkdtempSync(join(tmpdir(), "lease-test-"));
  try {
    const shard = { index: 1, count: 3 };
    const { lease } = shardFiles(directory, shard);
    const release = acquireLease(directory, shard);
    assert.throws(
      () => acquireLease(directory, shard),
      /shard 1\/3 .* is being run by pid \d+ on .* renewed \d+ s ago\); wait for it/,
    );
    release();
    assert.ok(!existsSync(lease));
    // A lease from another host, renewed a minute ago, is held.
    const holder = { pid: 4194311, host: "node-17", started: "2026-01-01T00:00:00Z" };
    writeFileSync(lease, JSON.stringify(holder));
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lease, minuteAgo, minuteAgo);
    assert.throws(() => acquireLease(directory, shard), /pid 4194311 on node-17/);
    // Not renewed for longer than LEASE_STALE_MS: its holder is gone, the lease is taken over.
    const stale = new Date(Date.now() - LEASE_STALE_MS - 1000);
    utimesSync(lease, stale, stale);
    const taken = acquireLease(directory, shard);
    assert.equal(JSON.parse(readFileSync(lease, "utf8")).pid, Deno.pid);
    taken();
    assert.deepEqual(shardsMissing(directory, 3), [0, 1, 2]);
    writeFileSync(lease, JSON.stringify(holder));
    markShardDone(directory, { index: 0, count: 3 }, [1]);
    assert.deepEqual(shardsMissing(directory, 3), [1, 2]);
    assert.equal(shardProgress(directory), "shards of 3: 1 done, 1 running (1), missing 2");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

const FIXTURE_ID = "shards-fixture";

Deno.test({
  name: "two shards run as concurrent processes merge into the unsharded run's bytes",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    const root = mkdtempSync(join(tmpdir(), "shards-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, tinyWeakLthYaml(FIXTURE_ID, 3, "shards test fixture"));
      const args = (out: string) => [fixture, "--profile", "smoke", "--out", out];
      const whole = await runChild(args(join(root, "whole")));
      assert.ok(whole.code === 0 || whole.code === 1, whole.stderr);
      const sharded = join(root, "sharded");
      const shards = await Promise.all([
        runChild([...args(sharded), "--shard", "0/2"]),
        runChild([...args(sharded), "--shard", "1/2"]),
      ]);
      for (const shard of shards) assert.ok(shard.code === 0 || shard.code === 1, shard.stderr);
      // One of them finished last and merged (both may, writing the same bytes).
      assert.ok(shards.some((shard) => /^report: /m.test(shard.stdout)), shards[0].stdout);
      const a = runFolder(join(root, "whole"), FIXTURE_ID);
      const b = runFolder(sharded, FIXTURE_ID);
      assert.equal(resultsDigest(b), resultsDigest(a));
      assert.equal(
        readFileSync(join(b, "results.csv"), "utf8"),
        readFileSync(join(a, "results.csv"), "utf8"),
      );
      assert.equal(JSON.parse(readFileSync(join(b, "run.json"), "utf8")).status, "complete");
      assert.deepEqual(shardsMissing(b, 2), []);
      for (const index of [0, 1]) {
        assert.ok(!existsSync(shardFiles(b, { index, count: 2 }).lease), `lease ${index} left`);
      }
      // Shard 0 has trials 1 and 3, shard 1 trial 2.
      const done = JSON.parse(readFileSync(shardFiles(b, { index: 0, count: 2 }).done, "utf8"));
      assert.deepEqual(done.trials, [1, 3]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
