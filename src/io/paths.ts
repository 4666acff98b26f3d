/** The results folder layout (design.md section 6), in one place. */
import { join } from "node:path";

export function runDirectory(
  outRoot: string,
  experiment: string,
  profile: string,
  hash: string,
): string {
  return join(outRoot, experiment, `${profile}-${hash}`);
}

/** trial-<n>/level-<k>/<arm>[-<replicate>] */
export function armDirectory(
  run: string,
  trial: number,
  round: number,
  arm: string,
  replicate: number,
): string {
  const name = arm === "random-reinit" ? `${arm}-${replicate}` : arm;
  return join(run, `trial-${trial}`, `level-${round}`, name);
}

export const DONE_MARKER = "DONE";

/** The folder below the results root that holds trained networks shared between experiments. */
export const TRAINED_CACHE = "_trained";
