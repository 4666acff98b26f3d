/**
 * The experiments folder: list what is there, and find one by id or by path. The folder is
 * found from this file's location, so the CLI works from any working directory.
 */
import { existsSync, readdirSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../base/errors.ts";
import { type ExperimentFile, loadExperimentFile } from "./load_experiment.ts";
import type { Hypothesis } from "../config/types.ts";
import type { ProfileName } from "../config/profiles.ts";

/** The repository root: this file lives at <root>/src/harness/experiments.ts. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const EXPERIMENTS_DIR = join(REPO_ROOT, "experiments");

export interface ExperimentSummary {
  id: string;
  path: string;
  hypothesis: Hypothesis;
  claim: string;
  claims: { id: string; text: string }[];
  /** Each profile with its number of trials. */
  profiles: { name: ProfileName; trials: number }[];
}

const isYaml = (name: string): boolean => [".yaml", ".yml"].includes(extname(name));

/** The ids present in a folder: YAML base names (an experiment's id equals its base name). */
function experimentIds(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new UsageError(
      `cannot read the experiments folder ${JSON.stringify(dir)} (${
        (error as Error).message
      }); check that it exists.`,
    );
  }
  return names.filter(isYaml).map((name) => name.slice(0, -extname(name).length)).sort();
}

function fileOf(dir: string, id: string): string | undefined {
  return [".yaml", ".yml"].map((ext) => join(dir, id + ext)).find((path) => existsSync(path));
}

/** Every experiment in `dir`, sorted by id; each file is validated as it is read. */
export function listExperiments(dir: string = EXPERIMENTS_DIR): ExperimentSummary[] {
  return experimentIds(dir).map((id) => {
    const path = fileOf(dir, id)!;
    const { base, profiles } = loadExperimentFile(path);
    return {
      id: base.id,
      path,
      hypothesis: base.hypothesis,
      claim: base.claim,
      claims: base.claims.map((c) => ({ id: c.id, text: c.text })),
      profiles: (Object.keys(profiles) as ProfileName[]).map((name) => ({
        name,
        trials: (profiles[name].overrides.trials as number | undefined) ?? base.trials,
      })),
    };
  });
}

/** An experiment by id (looked up in `dir`) or by path to a .yaml file. */
export function findExperiment(nameOrPath: string, dir: string = EXPERIMENTS_DIR): ExperimentFile {
  const looksLikePath = isYaml(nameOrPath) || nameOrPath.includes("/") || nameOrPath.includes("\\");
  if (looksLikePath) {
    if (!existsSync(nameOrPath)) {
      throw new UsageError(
        `experiment file ${
          JSON.stringify(nameOrPath)
        } does not exist; give an existing .yaml path or one of the ids: ${
          experimentIds(dir).join(", ")
        }.`,
      );
    }
    return loadExperimentFile(nameOrPath);
  }
  const path = fileOf(dir, nameOrPath);
  if (!path) {
    const ids = experimentIds(dir);
    throw new UsageError(
      `unknown experiment ${JSON.stringify(nameOrPath)}; expected one of: ${
        ids.length ? ids.join(", ") : "(none in " + dir + ")"
      }, or a path to a .yaml file.`,
    );
  }
  return loadExperimentFile(path);
}
