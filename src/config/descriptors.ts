/**
 * The vocabulary of the experiment file format: descriptors (what a value may be, with a doc
 * line), the constructors that keep the schema readable, the descriptors every procedure shares
 * (optimizer, fractions), and the shape of a rule that ties fields together. validate.ts and
 * json_schema.ts derive the validator and the JSON Schema from descriptors; procedures declare their own fields with them.
 */
import type { ProfileName } from "./profiles.ts";
import type { ExperimentConfig, OptimizerConfig, ScheduleConfig, TrainingConfig } from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Descriptors: the schema's vocabulary.

interface Described {
  doc?: string;
}
export interface ObjectDesc extends Described {
  kind: "object";
  fields: Record<string, Field>;
  /** At least this many of the fields must be present (a per-profile threshold map needs one). */
  minFields?: number;
  /** Keys that are recognised but refused here, with the reason (e.g. `claims` in overrides). */
  forbidden?: Record<string, string>;
}
export interface ArrayDesc extends Described {
  kind: "array";
  items: Desc;
  minItems?: number;
  maxItems?: number;
}
export interface IntegerDesc extends Described {
  kind: "integer";
  min?: number;
  max?: number;
}
export interface NumberDesc extends Described {
  kind: "number";
  min?: number;
  max?: number;
  /** Bounds are inclusive unless marked exclusive: (0, 1) vs [0, 1]. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}
export interface StringDesc extends Described {
  kind: "string";
  enum?: readonly string[];
  pattern?: string;
  /** How a value matching `pattern` is described to a person. */
  patternDoc?: string;
}
export interface BooleanDesc extends Described {
  kind: "boolean";
}
/** One of several shapes; the value's own type (number, map, ...) picks the alternative. */
export interface UnionDesc extends Described {
  kind: "union";
  of: Desc[];
}
/**
 * One of several maps, picked by a tag value elsewhere in the config (e.g. `procedure.name` picks
 * both the procedure's fields and the shape of `controls`).
 */
export interface TaggedDesc extends Described {
  kind: "tagged";
  /** Path from the config's root to the tag, e.g. "procedure.name". */
  tagPath: string;
  of: Record<string, ObjectDesc>;
}
/** Any map; its fields are checked later (a profile's override of a tagged map). */
export interface MapDesc extends Described {
  kind: "map";
}
export type Desc =
  | TaggedDesc
  | MapDesc
  | ObjectDesc
  | ArrayDesc
  | IntegerDesc
  | NumberDesc
  | StringDesc
  | BooleanDesc
  | UnionDesc;
export interface Field {
  desc: Desc;
  optional?: boolean;
  /**
   * A profile's override may give null to remove the base's value (JSON Merge Patch, RFC 7396):
   * set on the optional fields of the overrides' partial copy, so a profile can switch forms
   * (`model.kind: null` turns a `kind: mlp` base into a layer list).
   */
  removable?: boolean;
}

export const req = (desc: Desc): Field => ({ desc });
export const opt = (desc: Desc): Field => ({ desc, optional: true });
export const obj = (
  doc: string,
  fields: Record<string, Field>,
  extra: Partial<ObjectDesc> = {},
): ObjectDesc => ({
  kind: "object",
  doc,
  fields,
  ...extra,
});
export const oneOf = (values: readonly string[], doc: string): StringDesc => ({
  kind: "string",
  enum: values,
  doc,
});
export const text = (doc: string): StringDesc => ({
  kind: "string",
  pattern: "\\S",
  patternDoc: "a non-empty string",
  doc,
});
export const kebab = (doc: string): StringDesc => ({
  kind: "string",
  pattern: "^[a-z0-9]+(-[a-z0-9]+)*$",
  patternDoc: 'a kebab-case id such as "weak-lth"',
  doc,
});

export const fraction01: NumberDesc = {
  kind: "number",
  min: 0,
  max: 1,
  minExclusive: true,
  maxExclusive: true,
};

export const SCHEDULE = obj(
  "Learning rate per iteration t of the run: lr * warmup(t) * decay(t) (src/train/lr_schedule.ts). Absent: constant.",
  {
    kind: req(oneOf(
      ["constant", "step", "cosine"],
      "decay(t): constant 1; step gamma^(milestones <= t); cosine 0.5 * (1 + cos(pi * t / iterations)).",
    )),
    milestones: opt({
      kind: "array",
      items: { kind: "integer", min: 1 },
      minItems: 1,
      doc:
        "step: iterations at which the rate is multiplied by gamma; strictly increasing, below the iterations.",
    }),
    gamma: opt({
      kind: "number",
      min: 0,
      max: 1,
      minExclusive: true,
      doc: "step: the factor at each milestone (default 0.1).",
    }),
    warmup_iterations: opt({
      kind: "integer",
      min: 0,
      doc:
        "Linear warm-up from 0: warmup(t) = min(1, t / warmup_iterations), as open_lth (default 0: none).",
    }),
    per: opt(oneOf(
      ["iteration", "epoch"],
      "cosine: a new rate every iteration (default), or once per epoch, held within it (Ramanujan et al.'s code).",
    )),
    steps_per_epoch: opt({
      kind: "integer",
      min: 1,
      doc:
        "cosine per epoch: iterations per epoch (default: ceil(training examples / batch_size)).",
    }),
  } satisfies Record<keyof ScheduleConfig, Field>,
);

export const OPTIMIZER = obj(
  "Optimizer and its hyperparameters.",
  {
    name: req(oneOf(["adam", "sgd"], "Optimizer.")),
    learning_rate: req({
      kind: "number",
      min: 0,
      minExclusive: true,
      doc: "Step size (the schedule's base rate).",
    }),
    momentum: opt({ kind: "number", min: 0, max: 1, maxExclusive: true, doc: "SGD momentum." }),
    nesterov: opt({
      kind: "boolean",
      doc: "SGD Nesterov momentum, PyTorch's form (default false; needs momentum > 0).",
    }),
    weight_decay: opt({
      kind: "number",
      min: 0,
      doc: "L2 penalty coefficient, added to the gradient as PyTorch's SGD and Adam do.",
    }),
    weight_decay_applies_to: opt(oneOf(
      ["all", "weights"],
      "Entries weight decay applies to: all (every trained entry, PyTorch's default) or weights (no biases). Default all.",
    )),
    schedule: opt(SCHEDULE),
    beta1: opt({
      kind: "number",
      min: 0,
      max: 1,
      maxExclusive: true,
      doc: "Adam first-moment decay.",
    }),
    beta2: opt({
      kind: "number",
      min: 0,
      max: 1,
      maxExclusive: true,
      doc: "Adam second-moment decay.",
    }),
    epsilon: opt({ kind: "number", min: 0, minExclusive: true, doc: "Adam denominator guard." }),
  } satisfies Record<keyof OptimizerConfig, Field>,
);

/** A value as the user would recognise it in the file. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    const shown = `[${value.map(showValue).join(", ")}]`;
    return shown.length <= 60 ? shown : `a list of ${value.length} entries`;
  }
  if (typeof value === "object") return Object.keys(value).length === 0 ? "an empty map" : "a map";
  return String(value);
}

/** Reports a rule violation at a config path (e.g. "procedure.eval_every"); never returns. */
export type FailAt = (path: string, message: string, atKey?: boolean) => never;

/** A rule across fields, checked once every field has the right shape. */
export interface CrossRule {
  /** The rule in one line (listed in the JSON Schema's description). */
  doc: string;
  /** `profile` is set while a profile's merged config is checked. */
  check(cfg: ExperimentConfig, fail: FailAt, profile?: ProfileName): void;
}

/** "optimizer fields match the optimizer" for the optimizer at `path`. */
export function optimizerFieldsRule(
  path: string,
  get: (cfg: ExperimentConfig) => OptimizerConfig,
): CrossRule {
  const adamOnly = ["beta1", "beta2", "epsilon"] as const;
  const sgdOnly = ["momentum", "nesterov"] as const;
  return {
    doc:
      `${path} fields match the optimizer: momentum, nesterov for sgd (nesterov with momentum > 0); beta1, beta2, epsilon for adam`,
    check(cfg, fail) {
      const o = get(cfg);
      const foreign = o.name === "adam" ? sgdOnly : adamOnly;
      for (const key of foreign) {
        if (o[key] !== undefined) {
          fail(
            `${path}.${key}`,
            `applies only to ${o.name === "adam" ? "sgd" : "adam"}, got ${
              o[key]
            } with ${o.name}; remove it`,
            true,
          );
        }
      }
      if (o.nesterov && !(o.momentum ?? 0)) {
        fail(
          `${path}.nesterov`,
          `Nesterov momentum needs momentum > 0, got momentum ${
            o.momentum ?? "absent (0)"
          }; set ${path}.momentum or remove nesterov`,
        );
      }
    },
  };
}

/** The rules of the learning-rate schedule at `path` (an optimizer's), in a budget of iterations. */
export function scheduleRule(
  path: string,
  budgetPath: string,
  get: (cfg: ExperimentConfig) => TrainingConfig,
): CrossRule {
  return {
    doc:
      `${path} fits its kind and ${budgetPath}: milestones (required) and gamma only for step, milestones strictly increasing and below ${budgetPath}; per and steps_per_epoch only for cosine, steps_per_epoch only per epoch; warmup_iterations at most ${budgetPath}`,
    check(cfg, fail) {
      const training = get(cfg);
      const schedule = training.optimizer.schedule;
      if (!schedule) return;
      const { iterations } = training;
      const only = (key: keyof ScheduleConfig, what: string, applies: boolean) => {
        if (!applies && schedule[key] !== undefined) {
          fail(
            `${path}.${key}`,
            `applies only to ${what}, got ${showValue(schedule[key])} with kind ${schedule.kind}${
              key === "steps_per_epoch" && schedule.kind === "cosine"
                ? ` and per ${schedule.per ?? "iteration"}`
                : ""
            }; remove it`,
            true,
          );
        }
      };
      only("milestones", "kind step", schedule.kind === "step");
      only("gamma", "kind step", schedule.kind === "step");
      only("per", "kind cosine", schedule.kind === "cosine");
      only("steps_per_epoch", "kind cosine with per epoch", schedule.per === "epoch");
      if (schedule.kind === "step" && schedule.milestones === undefined) {
        fail(
          `${path}.milestones`,
          `missing; a step schedule needs milestones (iterations in 1..${
            iterations - 1
          }, strictly increasing)`,
          true,
        );
      }
      (schedule.milestones ?? []).forEach((m, i, all) => {
        const low = i === 0 ? 1 : all[i - 1] + 1;
        if (m < low || m >= iterations) {
          fail(
            `${path}.milestones[${i}]`,
            `expected an integer in ${low}..${
              iterations - 1
            } (strictly increasing, below ${budgetPath}), got ${m}`,
          );
        }
      });
      const warmup = schedule.warmup_iterations ?? 0;
      if (warmup > iterations) {
        fail(
          `${path}.warmup_iterations`,
          `expected an integer in 0..${iterations} (${budgetPath}), got ${warmup}`,
        );
      }
    },
  };
}

/** A training budget's fields (TrainingConfig in ./types.ts), to spread into a procedure's. */
export function trainingFields(what: string): Record<keyof TrainingConfig, Field> {
  return {
    optimizer: req(OPTIMIZER),
    batch_size: req({ kind: "integer", min: 1, doc: "Examples per step." }),
    iterations: req({
      kind: "integer",
      min: 1,
      doc: `Training iterations ${what}; always run in full.`,
    }),
    eval_every: req({
      kind: "integer",
      min: 1,
      doc: "Iterations between validation/test evaluations.",
    }),
    loss: opt(
      oneOf(
        ["cross-entropy", "square"],
        "The loss trained and evaluated: softmax cross-entropy (the default when absent) or 1/2 ||logits - one-hot||^2.",
      ),
    ),
  };
}

/** The rules of a training budget at `path` (e.g. "procedure" or "procedure.dense"). */
export function trainingRules(
  path: string,
  get: (cfg: ExperimentConfig) => TrainingConfig,
): CrossRule[] {
  return [
    optimizerFieldsRule(`${path}.optimizer`, (cfg) => get(cfg).optimizer),
    scheduleRule(`${path}.optimizer.schedule`, `${path}.iterations`, get),
    {
      doc: `${path}.eval_every is at most ${path}.iterations`,
      check(cfg, fail) {
        const t = get(cfg);
        if (t.eval_every > t.iterations) {
          fail(
            `${path}.eval_every`,
            `expected an integer in 1..${t.iterations} (${path}.iterations), got ${t.eval_every}`,
          );
        }
      },
    },
  ];
}

/** "`path` lists each value once". */
export function distinctRule(path: string, get: (cfg: ExperimentConfig) => unknown[]): CrossRule {
  return {
    doc: `${path} lists each value once`,
    check(cfg, fail) {
      const seen = new Set<unknown>();
      get(cfg).forEach((value, i) => {
        if (seen.has(value)) {
          fail(`${path}[${i}]`, `${JSON.stringify(value)} is listed twice; list each value once`);
        }
        seen.add(value);
      });
    },
  };
}
