/**
 * Loading an experiment file and resolving one profile of it. Loading checks the whole file and
 * every profile's merged config, so a bad override fails at load rather than mid-run; resolving
 * merges a profile's overrides and the command line's trials/seed over the base and checks the
 * result again. Errors point at `file:line:column` of the value, inside the overrides block when
 * the value came from there.
 */
import { readFileSync } from "node:fs";
import { basename, extname, isAbsolute, relative, resolve } from "node:path";
import { cwd } from "node:process";
import { UsageError } from "../base/errors.ts";
import type { FailAt } from "../config/descriptors.ts";
import { deepMerge } from "../config/plain_data.ts";
import { PROFILE_NAMES, type ProfileName } from "../config/profiles.ts";
import type { ExperimentConfig, ResolvedConfig } from "../config/types.ts";
import { check, type Ctx, fail } from "../config/validate.ts";
import { type LocIndex, readYaml } from "../config/yaml_document.ts";
import { CROSS_RULES } from "./cross_rules.ts";
import { EXPERIMENT_FILE } from "./experiment_file_schema.ts";
import { EXPERIMENT } from "./experiment_schema.ts";

export interface ProfileSpec {
  note: string;
  /** One trial on purpose: single values decide verdicts (ResolvedConfig.single_seed). */
  single_seed: boolean;
  overrides: Record<string, unknown>;
}

export interface ExperimentFile {
  path: string;
  base: ExperimentConfig;
  profiles: Record<ProfileName, ProfileSpec>;
}

/** Positions kept for each loaded file, so resolveConfig can point back into it. */
const positions = new WeakMap<ExperimentFile, { shown: string; index: LocIndex }>();

/** The path as shown in messages: relative to the working directory when inside it. */
function shownFile(path: string): string {
  const abs = resolve(path);
  const rel = relative(cwd(), abs);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

/**
 * The positions of a profile's merged config: the base's, overlaid by the overrides block's
 * (re-rooted from `profiles.<profile>.overrides.x` to `x`), following deepMerge: a map merges, so
 * the base's children keep their positions; a list or scalar replaces the base value whole.
 */
function mergedIndex(index: LocIndex, profile: ProfileName): LocIndex {
  const out: LocIndex = new Map();
  for (const [path, loc] of index) {
    if (path !== "profiles" && !path.startsWith("profiles.")) out.set(path, loc);
  }
  const prefix = `profiles.${profile}.overrides`;
  // The index is in document order, so a value's entry comes before its children's entries.
  for (const [path, loc] of index) {
    if (!path.startsWith(prefix + ".")) continue;
    const target = path.slice(prefix.length + 1);
    if (!loc.isMap) {
      // A list or scalar replaces the base value whole: the base's children positions go too.
      for (const old of [...out.keys()]) {
        if (old === target || old.startsWith(target + ".") || old.startsWith(target + "[")) {
          out.delete(old);
        }
      }
    }
    out.set(target, loc);
  }
  return out;
}

/** Checks the shape of an experiment, then the rules across its fields. */
function validateExperiment(value: unknown, ctx: Ctx): ExperimentConfig {
  const withRoot = { ...ctx, root: value };
  check(EXPERIMENT, value, "", withRoot);
  const cfg = value as ExperimentConfig;
  const failAt: FailAt = (path, message, atKey) => fail(withRoot, path, message, atKey);
  for (const rule of CROSS_RULES) rule.check(cfg, failAt, ctx.profile);
  return cfg;
}

export function loadExperimentFile(path: string): ExperimentFile {
  const shown = shownFile(path);
  const ext = extname(path);
  if (ext !== ".yaml" && ext !== ".yml") {
    throw new UsageError(
      `experiment file ${JSON.stringify(shown)} is not YAML; expected a .yaml file.`,
    );
  }
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read experiment file ${JSON.stringify(shown)} (${
        (error as Error).message
      }); check the path.`,
    );
  }
  const { value, index } = readYaml(source, shown);
  const ctx: Ctx = { index, file: shown, root: value };
  check(EXPERIMENT_FILE, value, "", ctx);
  const raw = value as ExperimentConfig & { profiles: Record<ProfileName, Partial<ProfileSpec>> };

  const id = basename(path, ext);
  if (raw.id !== id) {
    fail(
      ctx,
      "id",
      `expected ${JSON.stringify(id)} (the file's base name), got ${JSON.stringify(raw.id)}`,
    );
  }

  const { profiles: rawProfiles, ...rest } = raw;
  const base = validateExperiment(rest, ctx);
  const profiles = {} as Record<ProfileName, ProfileSpec>;
  for (const name of PROFILE_NAMES) {
    const spec = {
      note: rawProfiles[name].note!,
      single_seed: rawProfiles[name].single_seed ?? false,
      overrides: rawProfiles[name].overrides ?? {},
    };
    // Each profile is checked as it will run, so a bad override fails at load, not mid-run.
    validateExperiment(deepMerge(base, spec.overrides), {
      index: mergedIndex(index, name),
      file: shown,
      profile: name,
    });
    profiles[name] = spec;
  }
  const file: ExperimentFile = { path, base, profiles };
  positions.set(file, { shown, index });
  return file;
}

/** The base config with one profile's overrides and the command line's trials/seed applied. */
export function resolveConfig(
  file: ExperimentFile,
  profile: ProfileName,
  overrides: { trials?: number; seed?: number } = {},
): ResolvedConfig {
  const spec = file.profiles[profile];
  if (!spec) {
    throw new UsageError(
      `unknown profile ${JSON.stringify(profile)}; expected one of: ${PROFILE_NAMES.join(", ")}.`,
    );
  }
  const known = positions.get(file);
  const shown = known?.shown ?? shownFile(file.path);
  const index = mergedIndex(known?.index ?? new Map(), profile);
  const merged = deepMerge(file.base, spec.overrides) as Record<string, unknown>;
  for (const key of ["trials", "seed"] as const) {
    if (overrides[key] === undefined) continue;
    merged[key] = overrides[key];
    index.set(key, {
      where: "command line",
      keyWhere: "command line",
      source: `--${key}`,
      isMap: false,
    });
  }
  const config = validateExperiment(merged, { index, file: shown, profile });
  return { ...config, profile, profile_note: spec.note, single_seed: spec.single_seed };
}
