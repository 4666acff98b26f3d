/** What a procedure receives from the harness and what it returns. */
import type { GpuDataset } from "../data/gpu_dataset.ts";
import type { Gpu } from "../gpu/mod.ts";
import type { ResolvedConfig, ResultRow } from "../config/types.ts";
import type { DatasetName } from "../config/datasets.ts";

/** A data set a procedure reads besides its own (ProcedureSpec.otherDatasets). */
export interface OtherDataset {
  /** Split and capped as the procedure's own (data.validation, train_limit, test_limit). */
  dataset: GpuDataset;
  /** SHA-256 of every file of it, by file name. */
  checksums: Record<string, string>;
  /**
   * Where this data set's runs lie in the results folder: its own folder when the experiment
   * runs on it too (so both procedure calls find the same runs), else <results>/<name>/.
   */
  directory: string;
}

export interface ProcedureContext {
  config: ResolvedConfig;
  gpu: Gpu;
  dataset: GpuDataset;
  /** The results folder of this resolved config; procedures write below it. */
  directory: string;
  /**
   * Trained networks shared between experiments and profiles, keyed by everything that decides
   * their bits (trained_cache.ts), below the results root.
   */
  cacheDirectory: string;
  /** SHA-256 of every dataset file, by file name. */
  checksums: Record<string, string>;
  /**
   * The trials this process runs, ascending: every trial 1..config.trials, or a shard's share
   * (src/harness/shards.ts). A run's bits do not depend on which other trials run beside it.
   */
  trials: readonly number[];
  /** The data sets the procedure's spec asks for besides this one (empty for most). */
  otherDatasets: ReadonlyMap<DatasetName, OtherDataset>;
  /** One progress line (the harness decides where it goes). */
  progress: (line: string) => void;
}

export type Procedure = (context: ProcedureContext) => Promise<ResultRow[]>;
