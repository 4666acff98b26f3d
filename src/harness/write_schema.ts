/**
 * Writes experiments/experiment.schema.json, the JSON Schema editors use to check experiment
 * files (point a YAML language server at it). It is derived from src/harness/experiment_json_schema.ts, and a
 * test fails when the committed file is stale: `deno run -A src/harness/write_schema.ts`.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import { EXPERIMENTS_DIR } from "./experiments.ts";
import { experimentJsonSchema } from "./experiment_json_schema.ts";

export const SCHEMA_FILE = join(EXPERIMENTS_DIR, "experiment.schema.json");

export function schemaText(): string {
  return JSON.stringify(experimentJsonSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  writeFileAtomic(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
