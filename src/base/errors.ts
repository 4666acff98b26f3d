/**
 * User-facing failures and the exit code each maps to (docs/architecture.md):
 * 2 = usage, config or data error; 3 = GPU or runtime error.
 * Each message is one sentence: what failed, the value seen, what to do.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  override readonly name = "UsageError";
}

export class GpuError extends Error {
  readonly exitCode = 3;
  override readonly name = "GpuError";
}

/** Exit code for any thrown value: our own errors carry one, anything else is a runtime error. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof GpuError) return error.exitCode;
  return 3;
}
