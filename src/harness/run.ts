/**
 * `reproduce`: experiment file -> resolved config -> procedure -> results folder -> verdicts.
 * Inputs (config, data, GPU) are checked before anything is written, so bad input never leaves
 * a half-written result; each file is written atomically and a finished level is never redone.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { loadDataset, type LoadedDataset, splitValidation, takeFirst } from "../data/mod.ts";
import { uploadDataset } from "../data/gpu_dataset.ts";
import { UsageError } from "../base/errors.ts";
import { acquireGpu, type BackendChoice, BufferPool } from "../gpu/mod.ts";
import { PROCEDURE_SPECS, PROCEDURES } from "../procedures/mod.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { evaluateClaims } from "./claims.ts";
import { resultsCsv } from "../io/csv.ts";
import { findExperiment } from "./experiments.ts";
import { accuracyFigure, earlyStopFigure, widthFigure } from "./figures.ts";
import { configHash } from "../config/hash.ts";
import { figureFileName, runDirectory, runFiles, trainedCacheDirectory } from "../io/paths.ts";
import { collectProvenance } from "./provenance.ts";
import { renderReport } from "./report.ts";
import { resolveConfig } from "./load_experiment.ts";
import type { ClaimResult, ResolvedConfig } from "../config/types.ts";
import type { ProfileName } from "../config/profiles.ts";

export interface ReproduceOptions {
  experiment: string;
  profile: ProfileName;
  trials?: number;
  seed?: number;
  backend: BackendChoice;
  out: string;
  dataDir?: string;
  fresh: boolean;
  printConfig: boolean;
}

export interface ReproduceOutcome {
  exitCode: number;
  directory: string | null;
  claims: ClaimResult[];
}

export async function reproduce(
  options: ReproduceOptions,
  io: { stdout: (line: string) => void; progress: (line: string) => void },
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
  const data = await loadDataset(config.data.dataset, { dataDir: options.dataDir });
  const gpu = await acquireGpu(options.backend);

  const directory = runDirectory(options.out, config.id, config.profile, hash);
  if (options.fresh) rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const files = runFiles(directory);
  writeJsonAtomic(files.config, {
    hash,
    overrides: { trials: options.trials, seed: options.seed },
    config,
  });
  const provenance = collectProvenance(gpu.provenance, {
    seed: config.seed,
    trials: config.trials,
    dataset: data.name,
    checksums: data.checksums,
  });
  const runJsonPath = files.run;
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

  const pool = new BufferPool(gpu.device);
  try {
    const dataset = uploadDataset(pool, splitData(config, data));
    io.progress(
      `${config.id} (${config.profile}, ${hash}): ${data.name} on ${gpu.provenance.backend} ` +
        `"${gpu.provenance.description}", ${config.trials} trial(s), results in ${directory}`,
    );
    const rows = await procedure({
      config,
      gpu,
      dataset,
      directory,
      cacheDirectory: trainedCacheDirectory(options.out),
      checksums: data.checksums,
      progress: io.progress,
    });
    const claims = evaluateClaims(config.claims, rows, config.profile, {
      singleSeed: config.single_seed,
    });
    writeFileAtomic(files.results, resultsCsv(rows));
    const title = `${config.id} (${config.profile})`;
    const figures: string[] = [];
    for (const kind of PROCEDURE_SPECS.find((s) => s.name === config.procedure.name)!.figures) {
      const file = figureFileName(kind);
      const draw =
        { "accuracy": accuracyFigure, "early-stop": earlyStopFigure, "width": widthFigure }[
          kind
        ];
      writeFileAtomic(files.figure(kind), await draw(rows, title));
      figures.push(file);
    }
    writeJsonAtomic(files.summary, {
      experiment: config.id,
      profile: config.profile,
      hash,
      claims,
    });
    runRecord.ended = new Date().toISOString();
    runRecord.status = "complete";
    writeJsonAtomic(runJsonPath, runRecord);
    writeFileAtomic(
      files.report,
      renderReport({
        config,
        hash,
        claims,
        rows,
        provenance: { ...provenance, adapter: provenance.adapter?.description ?? "none" },
        figures,
      }),
    );
    for (const claim of claims) {
      io.stdout(
        `${claim.verdict.padEnd(12)} ${claim.id}: measured ${
          claim.measured ?? "n/a"
        } (paper: ${claim.paper})`,
      );
    }
    io.stdout(`report: ${files.report}`);
    const allPass = claims.every((claim) => claim.verdict === "PASS");
    return { exitCode: allPass ? 0 : 1, directory, claims };
  } catch (error) {
    runRecord.status = `failed: ${error instanceof Error ? error.message : String(error)}`;
    writeJsonAtomic(runJsonPath, runRecord);
    throw error;
  } finally {
    pool.destroy();
  }
}

/** Validation split (seeded) and the CI-size caps of the profile. */
function splitData(config: ResolvedConfig, data: LoadedDataset) {
  const split = splitValidation(data.train, config.data.validation, config.seed);
  return {
    train: config.data.train_limit ? takeFirst(split.train, config.data.train_limit) : split.train,
    validation: split.validation,
    test: config.data.test_limit ? takeFirst(data.test, config.data.test_limit) : data.test,
  };
}
