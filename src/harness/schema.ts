/**
 * The experiment file format. It is written once, as data (the descriptor tree below), and the
 * two things that need it are derived from that tree: the validator, which turns a YAML file into
 * an ExperimentConfig and points every error at `file:line:column`, and the JSON Schema export
 * (draft 2020-12) for editors. Rules that tie one field to another (list lengths, the arms the
 * procedure produces, ...) cannot be said by one descriptor; they are the CROSS_RULES list, checked
 * once the shape is known to be right, and listed by name in the JSON Schema's description.
 */
import { readFileSync } from "node:fs";
import { basename, extname, isAbsolute, relative, resolve } from "node:path";
import { cwd } from "node:process";
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { UsageError } from "../base/errors.ts";
import { PROCEDURE_SPECS } from "../procedures/specs.ts";
import {
  type CrossRule,
  type Desc,
  type FailAt,
  type Field,
  kebab,
  type NumberDesc,
  obj,
  type ObjectDesc,
  oneOf,
  opt,
  req,
  showValue,
  text,
  type UnionDesc,
} from "../config/descriptors.ts";
import type {
  ClaimConfig,
  ClaimSelector,
  DataConfig,
  ExperimentConfig,
  MlpModelConfig,
  ProfileName,
  ResolvedConfig,
} from "../config/types.ts";

// ---------------------------------------------------------------------------------------------
// The schema.

export const PROFILE_NAMES: readonly ProfileName[] = ["smoke", "quick", "paper"];
const HYPOTHESES = ["weak-lth", "strong-lth", "supermask", "multi-prize", "elastic", "conjecture"];
const SINGLE_STATISTICS = ["value", "difference", "ratio"] as const;
const AXIS_STATISTICS = ["argmax", "max", "min_step"] as const;
const METRICS = [
  "early_stop_iteration",
  "test_accuracy_at_early_stop",
  "final_test_accuracy",
  "min_validation_loss",
];
/** Both datasets are 28x28 grey images in 10 classes: 60,000 training and 10,000 test images. */
const DATASETS: Record<
  DataConfig["dataset"],
  { inputs: number; classes: number; train: number; test: number }
> = {
  "mnist": { inputs: 784, classes: 10, train: 60000, test: 10000 },
  "fashion-mnist": { inputs: 784, classes: 10, train: 60000, test: 10000 },
};

const MODEL = obj(
  "The network.",
  {
    kind: req(oneOf(["mlp"], "Model family.")),
    layers: req({
      kind: "array",
      items: { kind: "integer", min: 1 },
      minItems: 2,
      doc: "Layer widths from input to output, e.g. [784, 300, 100, 10].",
    }),
    activation: req(oneOf(["relu"], "Hidden-layer activation.")),
    init: req(
      oneOf(["glorot-normal", "kaiming-normal", "signed-kaiming-constant"], "Weight initialiser."),
    ),
    prune_biases: req({ kind: "boolean", doc: "Whether biases are pruned along with weights." }),
  } satisfies Record<keyof MlpModelConfig, Field>,
);

const DATA = obj(
  "The dataset and its split.",
  {
    dataset: req(oneOf(Object.keys(DATASETS), "Dataset name.")),
    validation: req({
      kind: "integer",
      min: 1,
      max: 59999,
      doc: "Examples held out of the 60,000 training images as the validation set.",
    }),
    train_limit: opt({
      kind: "integer",
      min: 1,
      doc: "Cap on the training examples used (after the split).",
    }),
    test_limit: opt({
      kind: "integer",
      min: 1,
      max: 10000,
      doc: "Cap on the test examples evaluated.",
    }),
  } satisfies Record<keyof DataConfig, Field>,
);

const WEIGHTS_REMAINING: NumberDesc = {
  kind: "number",
  min: 0,
  max: 1,
  minExclusive: true,
  doc: "Fraction of prunable weights remaining; the nearest level within 0.005 is used.",
};
const WIDTH: Desc = { kind: "integer", min: 1, doc: "Hidden width (results.csv width)." };
/** A single value, or a list of at least two: the axis of an argmax / max / min_step claim. */
const axisOr = (desc: Desc, doc: string): UnionDesc => ({
  kind: "union",
  doc,
  of: [desc, { kind: "array", items: desc, minItems: 2, doc: "The axis of the statistic." }],
});
const SELECTOR = obj(
  "Which runs a metric is read from.",
  {
    arm: req({
      kind: "string",
      pattern: "^[A-Za-z0-9_.-]+$",
      patternDoc: 'an arm name such as "ticket"',
      doc: "Arm name (one the procedure produces).",
    }),
    weights_remaining: opt(
      axisOr(
        WEIGHTS_REMAINING,
        "Weights remaining, or a list of them; absent = the only level the arm has.",
      ),
    ),
    width: opt(
      axisOr(WIDTH, "Hidden width, or a list of them; absent = the only width the arm has."),
    ),
  } satisfies Record<keyof ClaimSelector, Field>,
);

const THRESHOLD_VALUE: UnionDesc = {
  kind: "union",
  doc: 'A number, or [low, high] for the op "in".',
  of: [
    { kind: "number", doc: "Threshold the measured value is compared with." },
    {
      kind: "array",
      items: { kind: "number" },
      minItems: 2,
      maxItems: 2,
      doc: '[low, high]: the measured value must lie in this closed interval (op "in").',
    },
  ],
};
const THRESHOLD: UnionDesc = {
  kind: "union",
  doc: "A threshold, or a map from profile to threshold (the evaluator picks the run's profile).",
  of: [
    ...THRESHOLD_VALUE.of,
    obj(
      "Threshold per profile.",
      Object.fromEntries(PROFILE_NAMES.map((p) => [p, opt(THRESHOLD_VALUE)])),
      { minFields: 1 },
    ),
  ],
};

const CLAIM = obj(
  "One falsifiable claim with its threshold.",
  {
    id: req(kebab("Claim id, unique in the file.")),
    text: req(text("The claim as one falsifiable sentence.")),
    metric: req(oneOf(METRICS, "Metric read from each run.")),
    select: req(SELECTOR),
    baseline: opt(SELECTOR),
    statistic: req(
      oneOf(
        [...SINGLE_STATISTICS, ...AXIS_STATISTICS],
        "value: metric(select); difference: minus baseline; ratio: over baseline; along the " +
          "selector's one list (the axis): argmax = the axis value with the highest metric, " +
          "max = that metric, min_step = the smallest increase between neighbouring axis values.",
      ),
    ),
    op: req(
      oneOf(
        ["<", "<=", ">", ">=", "in"],
        "Comparison: measured <op> threshold; in: low <= measured <= high.",
      ),
    ),
    threshold: req(THRESHOLD),
    why: opt(text("The calibration argument for the threshold.")),
    paper: req(text("The paper's value with its source, shown beside ours.")),
  } satisfies Record<keyof ClaimConfig, Field>,
);

const PROCEDURE: Desc = {
  kind: "tagged",
  doc: "How the networks are trained and pruned; `name` picks the procedure.",
  tagPath: "procedure.name",
  of: Object.fromEntries(PROCEDURE_SPECS.map((spec) => [
    spec.name,
    obj(spec.doc, {
      name: req(oneOf([spec.name], "Procedure name (the procedure registry maps it to code).")),
      ...spec.fields,
    }),
  ])),
};
const CONTROLS: Desc = {
  kind: "tagged",
  doc: "Control arms; their fields depend on procedure.name.",
  tagPath: "procedure.name",
  of: Object.fromEntries(PROCEDURE_SPECS.map((spec) => [spec.name, spec.controls])),
};

const EXPERIMENT_FIELDS = {
  id: req(kebab("Experiment id; equals the file's base name.")),
  hypothesis: req(oneOf(HYPOTHESES, "Which hypothesis the experiment tests.")),
  claim: req(text("The paper's claim as one falsifiable sentence.")),
  citation: req(text("Where the claim comes from.")),
  model: req(MODEL),
  data: req(DATA),
  procedure: req(PROCEDURE),
  controls: req(CONTROLS),
  trials: req({ kind: "integer", min: 1, max: 100, doc: "Independent trials (seeds)." }),
  seed: req({ kind: "integer", min: 0, max: 0xffffffff, doc: "Base seed of every random stream." }),
  claims: req({
    kind: "array",
    items: CLAIM,
    minItems: 1,
    doc: "The claims checked after the run.",
  }),
} satisfies Record<keyof ExperimentConfig, Field>;

/** A resolved experiment (no profiles): what the validator checks after merging a profile. */
const EXPERIMENT = obj("A lottery-ticket experiment.", EXPERIMENT_FIELDS);

/** Deep-optional copy of an object descriptor: overrides may set any subset of the fields. */
function partial(desc: ObjectDesc): ObjectDesc {
  const fields: Record<string, Field> = {};
  for (const [key, field] of Object.entries(desc.fields)) {
    const d = field.desc;
    // A tagged map's shape depends on the merged config; it is checked after the merge.
    fields[key] = opt(
      d.kind === "object" ? partial(d) : d.kind === "tagged" ? { kind: "map", doc: d.doc } : d,
    );
  }
  return { ...desc, fields };
}

const SAME_FOR_EVERY_PROFILE = "is the same for every profile";
const NOT_OVERRIDABLE = ["id", "hypothesis", "claims"];
const OVERRIDES: ObjectDesc = {
  kind: "object",
  doc: "Partial config deep-merged over the base (maps merge, lists replace).",
  fields: Object.fromEntries(
    Object.entries(partial(EXPERIMENT).fields).filter(([k]) => !NOT_OVERRIDABLE.includes(k)),
  ),
  forbidden: {
    id: `the id ${SAME_FOR_EVERY_PROFILE}; remove it from the overrides`,
    hypothesis: `the hypothesis ${SAME_FOR_EVERY_PROFILE}; remove it from the overrides`,
    claims: `claims may not be overridden; give the claim's threshold a map per profile instead`,
  },
};

const PROFILE = obj("One profile: how it departs from the paper, and the overrides that do it.", {
  note: req(text("How this profile departs from the paper's protocol.")),
  overrides: opt(OVERRIDES),
});

/** The whole file: an experiment plus its three profiles. */
const FILE = obj("A lottery-ticket experiment file.", {
  ...EXPERIMENT_FIELDS,
  profiles: req(obj("smoke (CI), quick (a CPU in minutes), paper (the paper's protocol).", {
    smoke: req(PROFILE),
    quick: req(PROFILE),
    paper: req(PROFILE),
  })),
});

// ---------------------------------------------------------------------------------------------
// Where each value came from: path -> file:line:column.

interface Loc {
  /** "file:line:col" of the value (or "command line"). */
  where: string;
  /** "file:line:col" of the key that holds the value: where a missing child key is reported. */
  keyWhere: string;
  /** The path as written in the file (under `profiles.<p>.overrides` for an override). */
  source: string;
  isMap: boolean;
}
type LocIndex = Map<string, Loc>;

const childPath = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);
const itemPath = (path: string, i: number): string => `${path}[${i}]`;

/** Nesting deeper than this can only come from an alias that refers to its own ancestor. */
const MAX_DEPTH = 64;

/** Converts the YAML tree to plain JS values, recording each value's position by path. */
function readDocument(
  doc: Document,
  lines: LineCounter,
  file: string,
): { value: unknown; index: LocIndex } {
  const index: LocIndex = new Map();
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const walk = (node: unknown, path: string, keyWhere: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) {
      throw new UsageError(
        `${keyWhere}: ${
          path.slice(0, 60)
        }...: nesting deeper than ${MAX_DEPTH} levels (a self-referring alias?); flatten the value.`,
      );
    }
    if (isAlias(node)) return walk(node.resolve(doc), path, keyWhere, depth + 1);
    const range = (node as { range?: [number, number, number] } | null)?.range;
    // An empty value (`key:`) has no text of its own, so it is reported at its key.
    const empty = node == null || (isScalar(node) && node.value === null && node.source === "");
    const where = empty || !range ? keyWhere : at(range[0]);
    index.set(path, { where, keyWhere, source: path, isMap: isMap(node) });
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = pair.key;
        const keyAt = isScalar(key) && key.range ? at(key.range[0]) : where;
        if (!isScalar(key)) {
          throw new UsageError(
            `${keyAt}: ${path || "top level"}: a key is a ${
              isMap(key) ? "map" : "list"
            }; use plain text keys.`,
          );
        }
        const name = String(key.value);
        out[name] = walk(pair.value, childPath(path, name), keyAt, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        // A list item has no key: a child missing from it is reported at the item itself.
        const start = (item as { range?: [number, number, number] } | null)?.range?.[0];
        return walk(item, itemPath(path, i), start === undefined ? where : at(start), depth + 1);
      });
    }
    if (isScalar(node)) return node.value;
    return null;
  };
  const contents = doc.contents;
  const start = `${file}:1:1`;
  return { value: walk(contents, "", start, 0), index };
}

/** The positions of a profile's merged config: the base's, overlaid by the overrides block's. */
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

// ---------------------------------------------------------------------------------------------
// The validator, derived from the descriptors.

interface Ctx {
  index: LocIndex;
  /** Shown when no position is known (a config built in code). */
  file: string;
  /** Set while checking a profile's merged config. */
  profile?: ProfileName;
  /** The whole value being checked, where tagged descriptors find their tag. */
  root?: unknown;
}

/** "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "". */
function parentPath(path: string): string {
  const m = /(\[\d+\]|\.[^.[\]]+|^[^.[\]]+)$/.exec(path);
  return m ? path.slice(0, m.index) : "";
}

/** The position of a path, or of its nearest recorded ancestor with the source path extended. */
function locate(ctx: Ctx, path: string): Loc {
  for (let p = path;; p = parentPath(p)) {
    const loc = ctx.index.get(p);
    if (loc) {
      if (p === path) return loc;
      const source = loc.source === "" ? path : loc.source + path.slice(p.length);
      return { ...loc, source, isMap: false };
    }
    if (p === "") return { where: ctx.file, keyWhere: ctx.file, source: path, isMap: false };
  }
}

/** The path as the user wrote it; the profile is named when the value came from the base. */
function shownPath(ctx: Ctx, path: string): string {
  const loc = locate(ctx, path);
  const name = loc.source === "" ? "top level" : loc.source;
  const fromBase = !loc.source.startsWith("profiles.") && loc.where !== "command line";
  return ctx.profile && fromBase ? `${name} (profile ${ctx.profile})` : name;
}

function fail(ctx: Ctx, path: string, message: string, useKey = false): never {
  const loc = locate(ctx, path);
  throw new UsageError(`${useKey ? loc.keyWhere : loc.where}: ${shownPath(ctx, path)}: ${message}`);
}

/** What a descriptor accepts, in words: "an integer in 1..100", "a number in (0, 1)". */
export function expected(desc: Desc): string {
  switch (desc.kind) {
    case "object":
      return desc.minFields
        ? `a map with at least one of: ${Object.keys(desc.fields).join(", ")}`
        : "a map";
    case "array":
      if (desc.minItems !== undefined && desc.minItems === desc.maxItems) {
        return `a list of ${desc.minItems} entries`;
      }
      return desc.minItems ? `a list of at least ${desc.minItems} entries` : "a list";
    case "tagged":
    case "map":
      return "a map";
    case "integer":
      if (desc.min !== undefined && desc.max !== undefined) {
        return `an integer in ${desc.min}..${desc.max}`;
      }
      if (desc.min !== undefined) return `an integer >= ${desc.min}`;
      return desc.max !== undefined ? `an integer <= ${desc.max}` : "an integer";
    case "number": {
      const { min, max } = desc;
      if (min !== undefined && max !== undefined) {
        return `a number in ${desc.minExclusive ? "(" : "["}${min}, ${max}${
          desc.maxExclusive ? ")" : "]"
        }`;
      }
      if (min !== undefined) return `a number ${desc.minExclusive ? ">" : ">="} ${min}`;
      if (max !== undefined) return `a number ${desc.maxExclusive ? "<" : "<="} ${max}`;
      return "a number";
    }
    case "string":
      if (desc.enum) return `one of: ${desc.enum.join(", ")}`;
      return desc.patternDoc ?? "a string";
    case "boolean":
      return "true or false";
    case "union":
      return desc.of.map(expected).join(" or ");
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The value at a path such as "procedure.name" (maps only), or undefined. */
function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split(".")) {
    if (!isPlainObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** The descriptor kind a value would satisfy, to pick a union's alternative. */
function kindOf(value: unknown): Desc["kind"] | "other" {
  if (Array.isArray(value)) return "array";
  if (isPlainObject(value)) return "object";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return "other";
}

function check(desc: Desc, value: unknown, path: string, ctx: Ctx): void {
  const bad = (): never => fail(ctx, path, `expected ${expected(desc)}, got ${showValue(value)}`);
  switch (desc.kind) {
    case "object": {
      if (!isPlainObject(value)) return bad();
      for (const key of Object.keys(value)) {
        const reason = desc.forbidden?.[key];
        if (reason) fail(ctx, childPath(path, key), reason, true);
        if (!(key in desc.fields)) {
          const where = locate(ctx, childPath(path, key)).keyWhere;
          const parent = path === "" ? "at the top level" : `in ${shownPath(ctx, path)}`;
          throw new UsageError(
            `${where}: unknown key ${JSON.stringify(key)} ${parent}; expected one of: ${
              Object.keys(desc.fields).join(", ")
            }`,
          );
        }
      }
      let present = 0;
      for (const [key, field] of Object.entries(desc.fields)) {
        if (value[key] === undefined) {
          if (!field.optional) {
            fail(ctx, childPath(path, key), `missing; expected ${expected(field.desc)}`, true);
          }
          continue;
        }
        present++;
        check(field.desc, value[key], childPath(path, key), ctx);
      }
      if (desc.minFields && present < desc.minFields) bad();
      return;
    }
    case "array":
      if (
        !Array.isArray(value) || value.length < (desc.minItems ?? 0) ||
        value.length > (desc.maxItems ?? Infinity)
      ) return bad();
      value.forEach((item, i) => check(desc.items, item, itemPath(path, i), ctx));
      return;
    case "map":
      if (!isPlainObject(value)) bad();
      return;
    case "tagged": {
      const tag = valueAt(ctx.root, desc.tagPath);
      const alternative = typeof tag === "string" ? desc.of[tag] : undefined;
      if (!alternative) {
        fail(
          ctx,
          desc.tagPath,
          `expected one of: ${Object.keys(desc.of).join(", ")}, got ${showValue(tag)}`,
          tag === undefined,
        );
      }
      check(alternative, value, path, ctx);
      return;
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return bad();
      if (
        (desc.min !== undefined && value < desc.min) || (desc.max !== undefined && value > desc.max)
      ) bad();
      return;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return bad();
      const { min, max } = desc;
      if (min !== undefined && (desc.minExclusive ? value <= min : value < min)) bad();
      if (max !== undefined && (desc.maxExclusive ? value >= max : value > max)) bad();
      return;
    }
    case "string":
      if (typeof value !== "string") return bad();
      if (desc.enum && !desc.enum.includes(value)) bad();
      if (desc.pattern && !new RegExp(desc.pattern).test(value)) bad();
      return;
    case "boolean":
      if (typeof value !== "boolean") bad();
      return;
    case "union": {
      const kind = kindOf(value);
      const alt = desc.of.find((d) =>
        d.kind === kind || (d.kind === "integer" && kind === "number")
      );
      if (!alt) return bad();
      check(alt, value, path, ctx);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules across fields, checked on a config whose shape is already right.

/** The procedure's spec; the shape check has already refused an unknown name. */
function specOf(cfg: ExperimentConfig) {
  return PROCEDURE_SPECS.find((spec) => spec.name === cfg.procedure.name)!;
}

/** The selectors' list-valued fields: the axis of an argmax / max / min_step statistic. */
function axes(selector: ClaimSelector): string[] {
  return (["weights_remaining", "width"] as const).filter((key) => Array.isArray(selector[key]));
}

const CROSS_RULES: CrossRule[] = [
  {
    doc: "model.layers starts at the dataset's input size (784) and ends at its class count (10)",
    check(cfg, fail) {
      const shape = DATASETS[cfg.data.dataset];
      const layers = cfg.model.layers;
      if (layers[0] !== shape.inputs) {
        fail(
          "model.layers[0]",
          `expected ${shape.inputs} (the ${cfg.data.dataset} input size), got ${layers[0]}`,
        );
      }
      const last = layers.length - 1;
      if (layers[last] !== shape.classes) {
        fail(
          `model.layers[${last}]`,
          `expected ${shape.classes} (the ${cfg.data.dataset} classes), got ${layers[last]}`,
        );
      }
    },
  },
  {
    doc: "data.train_limit is at most the training images left after the validation split",
    check(cfg, fail) {
      // 60,000 training images - validation = the training set the limit caps.
      const left = DATASETS[cfg.data.dataset].train - cfg.data.validation;
      if (cfg.data.train_limit !== undefined && cfg.data.train_limit > left) {
        fail(
          "data.train_limit",
          `expected an integer in 1..${left} (60000 - validation), got ${cfg.data.train_limit}`,
        );
      }
    },
  },
  {
    doc: "the procedure's own rules (listed with each procedure)",
    check(cfg, fail, profile) {
      for (const rule of specOf(cfg).rules) rule.check(cfg, fail, profile);
    },
  },
  {
    doc: "claim ids are unique",
    check(cfg, fail) {
      const seen = new Set<string>();
      cfg.claims.forEach((c, i) => {
        if (seen.has(c.id)) {
          fail(
            `claims[${i}].id`,
            `duplicate claim id ${JSON.stringify(c.id)}; give each claim its own id`,
          );
        }
        seen.add(c.id);
      });
    },
  },
  {
    doc: "a claim has a baseline exactly when its statistic is difference or ratio",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const needsBaseline = c.statistic === "difference" || c.statistic === "ratio";
        if (!needsBaseline && c.baseline) {
          fail(
            `claims[${i}].baseline`,
            `a "${c.statistic}" statistic takes no baseline; remove it or use difference or ratio`,
            true,
          );
        }
        if (needsBaseline && !c.baseline) {
          fail(
            `claims[${i}].baseline`,
            `missing; a "${c.statistic}" statistic needs a baseline selector (arm, weights_remaining)`,
            true,
          );
        }
      });
    },
  },
  {
    doc:
      "argmax, max and min_step claims select exactly one list (the axis); other claims select single values",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const axisStatistic = (AXIS_STATISTICS as readonly string[]).includes(c.statistic);
        for (const role of ["select", "baseline"] as const) {
          const selector = c[role];
          if (!selector) continue;
          const lists = axes(selector);
          if (axisStatistic && role === "select" && lists.length !== 1) {
            fail(
              `claims[${i}].select`,
              `a "${c.statistic}" statistic needs exactly one list (weights_remaining or width) as its axis, got ${
                lists.length === 0 ? "none" : lists.join(" and ")
              }`,
            );
          }
          if (!axisStatistic && lists.length > 0) {
            fail(
              `claims[${i}].${role}.${lists[0]}`,
              `a "${c.statistic}" statistic reads one value; give one number, or use argmax, max or min_step`,
            );
          }
        }
      });
    },
  },
  {
    doc: 'the op "in" takes a threshold [low, high] with low <= high; other ops take a number',
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const values = typeof c.threshold === "object" && !Array.isArray(c.threshold)
          ? Object.entries(c.threshold).map(([p, v]) => [`.${p}`, v] as const)
          : [["", c.threshold] as const];
        for (const [suffix, value] of values) {
          const path = `claims[${i}].threshold${suffix}`;
          if (c.op === "in" && !(Array.isArray(value) && value[0] <= value[1])) {
            fail(path, `the op "in" needs [low, high] with low <= high, got ${showValue(value)}`);
          }
          if (c.op !== "in" && Array.isArray(value)) {
            fail(
              path,
              `the op "${c.op}" needs one number, got ${showValue(value)}; or use the op "in"`,
            );
          }
        }
      });
    },
  },
  {
    doc:
      "claims select only arms the config produces (a width or level it lacks reads as missing data)",
    check(cfg, fail) {
      const arms = specOf(cfg).arms(cfg);
      cfg.claims.forEach((c, i) => {
        for (const role of ["select", "baseline"] as const) {
          const selector = c[role];
          if (!selector) continue;
          if (!arms.includes(selector.arm)) {
            fail(
              `claims[${i}].${role}.arm`,
              `arm ${
                JSON.stringify(selector.arm)
              } is not produced by this config; expected one of: ${arms.join(", ")}`,
            );
          }
        }
      });
    },
  },
  {
    doc: "a per-profile threshold map has a value for the profile being run",
    check(cfg, fail, profile) {
      if (!profile) return;
      cfg.claims.forEach((c, i) => {
        if (
          typeof c.threshold === "object" && !Array.isArray(c.threshold) &&
          c.threshold[profile] === undefined
        ) {
          fail(
            `claims[${i}].threshold`,
            `no value for profile ${profile}; add "${profile}: <number>" to the map`,
          );
        }
      });
    },
  },
];

function validateExperiment(value: unknown, ctx: Ctx): ExperimentConfig {
  const withRoot = { ...ctx, root: value };
  check(EXPERIMENT, value, "", withRoot);
  const cfg = value as ExperimentConfig;
  const failAt: FailAt = (path, message, atKey) => fail(withRoot, path, message, atKey);
  for (const rule of CROSS_RULES) rule.check(cfg, failAt, ctx.profile);
  return cfg;
}

// ---------------------------------------------------------------------------------------------
// Loading, merging, resolving.

export interface ProfileSpec {
  note: string;
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

/** Deep merge: maps merge key by key; lists and scalars in `over` replace what `base` has. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(over)) {
    out[key] = key in out ? deepMerge(out[key], value) : structuredClone(value);
  }
  return out;
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
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new UsageError(`${shown}:${line}:${col}: YAML syntax error: ${syntax.message}`);
  }
  const { value, index } = readDocument(doc, lines, shown);
  const ctx: Ctx = { index, file: shown, root: value };
  check(FILE, value, "", ctx);
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
    const spec = { note: rawProfiles[name].note!, overrides: rawProfiles[name].overrides ?? {} };
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
  return { ...config, profile, profile_note: spec.note };
}

// ---------------------------------------------------------------------------------------------
// JSON Schema export, derived from the same descriptors.

function toJsonSchema(desc: Desc): Record<string, unknown> {
  const doc = desc.doc ? { description: desc.doc } : {};
  switch (desc.kind) {
    case "object": {
      const properties: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(desc.fields)) {
        properties[key] = toJsonSchema(field.desc);
      }
      const required = Object.entries(desc.fields).filter(([, f]) => !f.optional).map(([k]) => k);
      return {
        type: "object",
        ...doc,
        properties,
        ...(required.length ? { required } : {}),
        ...(desc.minFields ? { minProperties: desc.minFields } : {}),
        additionalProperties: false,
      };
    }
    case "array":
      return {
        type: "array",
        ...doc,
        items: toJsonSchema(desc.items),
        ...(desc.minItems ? { minItems: desc.minItems } : {}),
        ...(desc.maxItems ? { maxItems: desc.maxItems } : {}),
      };
    case "map":
      return { type: "object", ...doc };
    case "tagged":
      // The tag lives elsewhere (desc.tagPath); editors see every alternative.
      return {
        ...doc,
        anyOf: Object.values(desc.of).map(toJsonSchema),
      };
    case "integer":
    case "number": {
      const out: Record<string, unknown> = { type: desc.kind, ...doc };
      if (desc.min !== undefined) {
        out[desc.kind === "number" && desc.minExclusive ? "exclusiveMinimum" : "minimum"] =
          desc.min;
      }
      if (desc.max !== undefined) {
        out[desc.kind === "number" && desc.maxExclusive ? "exclusiveMaximum" : "maximum"] =
          desc.max;
      }
      return out;
    }
    case "string":
      return {
        type: "string",
        ...doc,
        ...(desc.enum ? { enum: [...desc.enum] } : {}),
        ...(desc.pattern ? { pattern: desc.pattern } : {}),
      };
    case "boolean":
      return { type: "boolean", ...doc };
    case "union":
      return { ...doc, anyOf: desc.of.map(toJsonSchema) };
  }
}

/** The experiment file format as a JSON Schema (draft 2020-12); cross-field rules are in the description. */
export function experimentJsonSchema(): Record<string, unknown> {
  const body = toJsonSchema(FILE);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Lottery-ticket experiment",
    ...body,
    description: `${FILE.doc} Also checked, across fields: ${
      CROSS_RULES.map((r) => r.doc).join("; ")
    }; id equals the file's base name. Per procedure: ${
      PROCEDURE_SPECS.map((spec) => `${spec.name}: ${spec.rules.map((r) => r.doc).join("; ")}`)
        .join(". ")
    }.`,
  };
}
