/** --shard, --shard-count and the schedulers' variables (src/cli/shard_option.ts). */
import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import { shardOption } from "../../src/cli/shard_option.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const none = env({});

function refused(run: () => unknown, message: RegExp): void {
  assert.throws(
    run,
    (error: unknown) => error instanceof UsageError && message.test(error.message),
  );
}

Deno.test("--shard i/n, from 0; malformed or out-of-range values are refused", () => {
  assert.equal(shardOption(undefined, undefined, none), undefined);
  assert.deepEqual(shardOption("2/5", undefined, none), { index: 2, count: 5 });
  refused(
    () => shardOption("5/5", undefined, none),
    /--shard 5\/5 gives shard 5 of 5; a shard index runs from 0/,
  );
  refused(() => shardOption("1-of-5", undefined, none), /--shard expects i\/n .*got "1-of-5"/);
  refused(() => shardOption("1/0", undefined, none), /shard 1 of 0/);
  refused(() => shardOption("1/4", "4", none), /leave --shard-count out/);
});

Deno.test("Slurm: SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT", () => {
  const slurm = { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "5" };
  assert.deepEqual(shardOption(undefined, undefined, env(slurm)), { index: 3, count: 5 });
  assert.deepEqual(
    shardOption(
      undefined,
      undefined,
      env({ ...slurm, SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1" }),
    ),
    { index: 3, count: 5 },
  );
  refused(
    () => shardOption(undefined, undefined, env({ SLURM_ARRAY_TASK_ID: "3" })),
    /SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N/,
  );
  assert.deepEqual(shardOption(undefined, "8", env({ SLURM_ARRAY_TASK_ID: "3" })), {
    index: 3,
    count: 8,
  });
  // The flag wins over the scheduler's variables.
  assert.deepEqual(shardOption("0/2", undefined, env(slurm)), { index: 0, count: 2 });
});

Deno.test("Kubernetes: JOB_COMPLETION_INDEX with --shard-count or LTH_SHARD_COUNT", () => {
  assert.deepEqual(
    shardOption(undefined, undefined, env({ JOB_COMPLETION_INDEX: "4", LTH_SHARD_COUNT: "5" })),
    { index: 4, count: 5 },
  );
  assert.deepEqual(
    shardOption(undefined, "6", env({ JOB_COMPLETION_INDEX: "4", LTH_SHARD_COUNT: "5" })),
    { index: 4, count: 6 },
  );
  refused(
    () => shardOption(undefined, undefined, env({ JOB_COMPLETION_INDEX: "4" })),
    /JOB_COMPLETION_INDEX is set .* but no shard count: pass --shard-count N or set LTH_SHARD_COUNT/,
  );
  refused(
    () =>
      shardOption(undefined, undefined, env({ JOB_COMPLETION_INDEX: "5", LTH_SHARD_COUNT: "5" })),
    /the Indexed Job \(JOB_COMPLETION_INDEX\) gives shard 5 of 5/,
  );
  refused(
    () =>
      shardOption(undefined, undefined, env({ JOB_COMPLETION_INDEX: "x", LTH_SHARD_COUNT: "5" })),
    /JOB_COMPLETION_INDEX must be a non-negative integer, got "x"/,
  );
  refused(() => shardOption(undefined, "5", none), /--shard-count needs a shard index/);
});
