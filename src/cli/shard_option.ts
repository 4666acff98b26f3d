/**
 * Which shard of an experiment this process runs (src/harness/shards.ts): `--shard i/n`, or the
 * scheduler's index when a job array started us - Slurm's SLURM_ARRAY_TASK_ID (less
 * SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT, or a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX, whose count (the Job's completions) comes from `--shard-count` or
 * LTH_SHARD_COUNT since the pod has no variable for it. None of them: every trial.
 */
import { UsageError } from "../base/errors.ts";
import type { Shard } from "../harness/shards.ts";

/** A count or index as the scheduler or the user wrote it: a non-negative decimal integer. */
function wholeNumber(what: string, text: string): number {
  if (!/^[0-9]+$/.test(text.trim())) {
    throw new UsageError(`${what} must be a non-negative integer, got "${text}"`);
  }
  return Number(text.trim());
}

function checked(shard: Shard, source: string): Shard {
  if (shard.count < 1 || shard.index >= shard.count) {
    throw new UsageError(
      `${source} gives shard ${shard.index} of ${shard.count}; a shard index runs from 0 to the count - 1`,
    );
  }
  return shard;
}

export function shardOption(
  shardText: string | undefined,
  countText: string | undefined,
  env: (name: string) => string | undefined,
): Shard | undefined {
  const count = countText === undefined ? undefined : wholeNumber("--shard-count", countText);
  if (shardText !== undefined) {
    const match = /^([0-9]+)\/([0-9]+)$/.exec(shardText);
    if (!match) {
      throw new UsageError(`--shard expects i/n (shard i of n, from 0), got "${shardText}"`);
    }
    if (count !== undefined) {
      throw new UsageError("--shard i/n names the count already; leave --shard-count out");
    }
    return checked({ index: Number(match[1]), count: Number(match[2]) }, `--shard ${shardText}`);
  }
  const slurmId = env("SLURM_ARRAY_TASK_ID");
  if (slurmId !== undefined) {
    const min = env("SLURM_ARRAY_TASK_MIN");
    const slurmCount = env("SLURM_ARRAY_TASK_COUNT");
    const total = count ??
      (slurmCount === undefined ? undefined : wholeNumber("SLURM_ARRAY_TASK_COUNT", slurmCount));
    if (total === undefined) {
      throw new UsageError(
        "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N (the array's size)",
      );
    }
    const index = wholeNumber("SLURM_ARRAY_TASK_ID", slurmId) -
      (min === undefined ? 0 : wholeNumber("SLURM_ARRAY_TASK_MIN", min));
    return checked({ index, count: total }, "the Slurm array (SLURM_ARRAY_TASK_ID - MIN)");
  }
  const k8sIndex = env("JOB_COMPLETION_INDEX");
  if (k8sIndex !== undefined) {
    const fromEnv = env("LTH_SHARD_COUNT");
    const total = count ??
      (fromEnv === undefined ? undefined : wholeNumber("LTH_SHARD_COUNT", fromEnv));
    if (total === undefined) {
      throw new UsageError(
        "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but no shard count: pass --shard-count N or set LTH_SHARD_COUNT to the Job's completions",
      );
    }
    return checked(
      { index: wholeNumber("JOB_COMPLETION_INDEX", k8sIndex), count: total },
      "the Indexed Job (JOB_COMPLETION_INDEX)",
    );
  }
  if (count !== undefined) {
    throw new UsageError(
      "--shard-count needs a shard index: from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, or use --shard i/n",
    );
  }
  return undefined;
}
