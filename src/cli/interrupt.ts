/**
 * Ctrl-C during `reproduce`: one line saying where the partial results are and that the same
 * command resumes (every finished level is on disk, see README "Resume"), run.json marked
 * "interrupted", exit 130 (128 + SIGINT, the shell convention).
 */
export interface RunInProgress {
  directory: string;
  markInterrupted: () => void;
}

/** `fresh`: the command had --fresh, which would delete the partial results when run again. */
export function interruptMessage(run: RunInProgress | null, fresh = false): string {
  if (run === null) return "interrupted before any result was written; nothing to resume";
  const again = fresh ? "the same command again without --fresh" : "the same command again";
  return `interrupted: partial results are in ${run.directory}; run ${again} to resume where it stopped`;
}

/**
 * Installs the handler; `before` ends a pending progress line, `say` writes the line. Returns a
 * function that tells the handler which run is in progress.
 */
export function onInterrupt(
  before: () => void,
  say: (line: string) => void,
  fresh = false,
  exit: (code: number) => void = Deno.exit,
): (run: RunInProgress) => void {
  let current: RunInProgress | null = null;
  const handler = () => {
    before();
    current?.markInterrupted();
    say(interruptMessage(current, fresh));
    exit(130);
  };
  try {
    Deno.addSignalListener("SIGINT", handler);
  } catch {
    // No signal support on this platform: the default (exit without the line) stays.
  }
  return (run) => {
    current = run;
  };
}
