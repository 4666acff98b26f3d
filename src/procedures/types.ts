/** What a procedure receives from the harness and what it returns. */
import type { GpuDataset } from "../data/gpu_dataset.ts";
import type { Gpu } from "../gpu/mod.ts";
import type { ResolvedConfig, ResultRow } from "../config/types.ts";

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
  /** One progress line (the harness decides where it goes). */
  progress: (line: string) => void;
}

export type Procedure = (context: ProcedureContext) => Promise<ResultRow[]>;
