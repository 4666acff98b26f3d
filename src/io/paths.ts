/**
 * The results folder layout, in one place: every path below the results root is built here.
 *
 *   <out>/<experiment>/<profile>-<hash>/       runDirectory: one resolved config
 *     config.json run.json results.csv          runFiles
 *     summary.json report.md <figure>.svg
 *     [<dataset>/]                              datasetDirectory: only when data.dataset is a
 *                                               list; the procedure's folders below it
 *     trial-<n>/                                trialDirectory
 *       h<width>/                               only for a width sweep (edge-popup)
 *         level-<k>/                            levelDirectory
 *           <criterion>.masks.safetensors       masksFile (supermask: one per criterion)
 *           <arm>[-<replicate>]/                armDirectory: one run
 *             init.safetensors                  armFiles (final.safetensors only if trained;
 *             final.safetensors                 no checkpoint when the level's masks file
 *             metrics.jsonl row.json DONE       defines the run)
 *   <out>/_trained/<key>/                       trainedDirectory: a run's files, shared between
 *                                               experiments (procedures/trained_cache.ts)
 */
import { join } from "node:path";

export function runDirectory(
  outRoot: string,
  experiment: string,
  profile: string,
  hash: string,
): string {
  return join(outRoot, experiment, `${profile}-${hash}`);
}

/** The results table's file name (also what the results digest, io/digest.ts, reads). */
export const RESULTS_FILE = "results.csv";

/** The files at the top of a run folder. */
export function runFiles(run: string) {
  return {
    /** The resolved config, its hash and the command-line overrides. */
    config: join(run, "config.json"),
    /** Provenance and status, rewritten as the run starts, ends or fails. */
    run: join(run, "run.json"),
    results: join(run, RESULTS_FILE),
    /** The claims' verdicts. */
    summary: join(run, "summary.json"),
    report: join(run, "report.md"),
    figure: (kind: string) => join(run, figureFileName(kind)),
  };
}

/**
 * Where the procedure writes its runs for one data set of an experiment that lists several
 * (data.dataset a list): a subfolder named after the data set.
 */
export function datasetDirectory(run: string, dataset: string): string {
  return join(run, dataset);
}

/** A figure's file name, as report.md links it (relative to the run folder). */
export function figureFileName(kind: string): string {
  return `${kind}.svg`;
}

export function trialDirectory(run: string, trial: number): string {
  return join(run, `trial-${trial}`);
}

/** Where one level's runs lie: trial-<n>/[h<width>/]level-<k>. */
export interface LevelPlace {
  trial: number;
  level: number;
  /** The swept width, for procedures whose folders split by width (edge-popup): h<width>/. */
  width?: number;
}

/** One run: an arm of a level, and its replicate (random-reinit counts them from 1). */
export interface ArmPlace extends LevelPlace {
  arm: string;
  replicate?: number;
}

export function levelDirectory(run: string, place: LevelPlace): string {
  const trial = trialDirectory(run, place.trial);
  const parent = place.width === undefined ? trial : join(trial, `h${place.width}`);
  return join(parent, `level-${place.level}`);
}

/** <level>/<arm>, or <level>/<arm>-<replicate> for random-reinit's replicates. */
export function armDirectory(run: string, place: ArmPlace): string {
  const name = place.arm === "random-reinit" ? `${place.arm}-${place.replicate ?? 0}` : place.arm;
  return join(levelDirectory(run, place), name);
}

/** The extension of every tensor file (checkpoints and masks; the digest covers them all). */
export const SAFETENSORS = ".safetensors";

/** A criterion's masks of one level, stored once for every arm that uses them (supermask). */
export function masksFile(levelDir: string, criterion: string): string {
  return join(levelDir, `${criterion}.masks${SAFETENSORS}`);
}

/** A run's checkpoint file names: the parameters it started from and those it ended with. */
export const CHECKPOINT_FILES = {
  init: `init${SAFETENSORS}`,
  final: `final${SAFETENSORS}`,
  /** IMP with rewinding to iteration k: the dense run's parameters after k iterations. */
  rewind: `rewind${SAFETENSORS}`,
  /** IMP's controls.stability: the final parameters of the run's second copy. */
  copy: `copy${SAFETENSORS}`,
} as const;

/** The files of one run (an arm directory, or a trained-cache entry). */
export function armFiles(directory: string) {
  return {
    checkpoint: (name: string) => join(directory, name),
    init: join(directory, CHECKPOINT_FILES.init),
    final: join(directory, CHECKPOINT_FILES.final),
    rewind: join(directory, CHECKPOINT_FILES.rewind),
    /** The test and validation error along the line to the second copy (controls.stability). */
    line: join(directory, "line.json"),
    /** The tangent-space ridge's CG residuals and validation scores per lambda. */
    ridge: join(directory, "ridge.json"),
    /** The evaluation curve, one JSON point per line. */
    metrics: join(directory, "metrics.jsonl"),
    /** The run's results.csv row. */
    row: join(directory, "row.json"),
    /** Written last: a run whose marker exists is finished and never redone. */
    done: join(directory, "DONE"),
  };
}

/** The folder below the results root that holds trained networks shared between experiments. */
export function trainedCacheDirectory(outRoot: string): string {
  return join(outRoot, "_trained");
}

/** One trained network of the cache, by its key (procedures/trained_cache.ts). */
export function trainedDirectory(cacheDirectory: string, key: string): string {
  return join(cacheDirectory, key);
}
