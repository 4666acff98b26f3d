/**
 * The descriptors of a claim: which metric, read from which runs (a selector, and a baseline for
 * a difference or ratio), reduced by which statistic, compared with which threshold (one for
 * every profile, or one per profile).
 */
import {
  type Desc,
  type Field,
  kebab,
  type NumberDesc,
  obj,
  oneOf,
  opt,
  req,
  text,
  type UnionDesc,
} from "../config/descriptors.ts";
import { DATASET_NAMES } from "../config/datasets.ts";
import { PROFILE_NAMES } from "../config/profiles.ts";
import type { ClaimConfig, ClaimSelector, MatchingConfig } from "../config/types.ts";

/** Statistics of single selectors: the metric, or it against a baseline. */
const SINGLE_STATISTICS = ["value", "difference", "ratio"] as const;
/** Statistics along the selector's one list-valued field (the axis). */
export const AXIS_STATISTICS = [
  "argmax",
  "max",
  "min_step",
  "max_difference",
  "max_ratio",
  "min_step_difference",
] as const;
/** Axis statistics that compare with a baseline (one value, or the max along its own axis). */
export const BASELINE_AXIS_STATISTICS = [
  "max_difference",
  "max_ratio",
  "min_step_difference",
] as const;
const METRICS = [
  "smallest_matching",
  "early_stop_iteration",
  "test_accuracy_at_early_stop",
  "final_test_accuracy",
  "min_validation_loss",
  "kappa",
  "instability",
];

const WEIGHTS_REMAINING: NumberDesc = {
  kind: "number",
  min: 0,
  max: 1,
  minExclusive: true,
  doc: "Fraction of prunable weights remaining; the nearest level within 0.005 is used.",
};
const ARM: Desc = {
  kind: "string",
  pattern: "^[A-Za-z0-9_.-]+$",
  patternDoc: 'an arm name such as "ticket"',
  doc: "Arm name (one the procedure produces).",
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
      kind: "union",
      doc: "Arm name (one the procedure produces), or a list of them: the axis of max, " +
        "max_difference or max_ratio.",
      of: [ARM, { kind: "array", items: ARM, minItems: 2, doc: "The axis of the statistic." }],
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
    dataset: opt(
      oneOf(
        DATASET_NAMES,
        "The data set the runs are on (results.csv dataset); required when data.dataset lists several.",
      ),
    ),
    level: opt({
      kind: "integer",
      min: 0,
      doc:
        "The level (results.csv round: an IMP round, an elastic transfer's source round) instead of weights_remaining, for arms whose kept fraction is an outcome of each level.",
    }),
  } satisfies Record<keyof ClaimSelector, Field>,
);

/** A smallest_matching claim's rule for "matches the dense level". */
const MATCHING = obj(
  "For the metric smallest_matching: a level matches its arm's dense level (weights remaining 1) while its accuracy is at least the dense accuracy minus the tolerance.",
  {
    accuracy: req(
      oneOf(
        ["test_accuracy_at_early_stop", "final_test_accuracy"],
        "The accuracy compared along the levels.",
      ),
    ),
    tolerance: req({
      kind: "number",
      min: 0,
      max: 1,
      doc:
        "How far below the dense accuracy a level still matches, a fraction (0.003 = 0.3 points).",
    }),
  } satisfies Record<keyof MatchingConfig, Field>,
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

export const CLAIM = obj(
  "One falsifiable claim with its threshold.",
  {
    id: req(kebab("Claim id, unique in the file.")),
    text: req(text("The claim as one falsifiable sentence.")),
    metric: req(
      oneOf(
        METRICS,
        "Metric read from each run, or smallest_matching: per trial, the smallest weights remaining at which the arm matches its dense level (set by matching), interpolated in log(weights remaining).",
      ),
    ),
    select: req(SELECTOR),
    baseline: opt(SELECTOR),
    statistic: req(
      oneOf(
        [...SINGLE_STATISTICS, ...AXIS_STATISTICS],
        "value: metric(select); difference: minus baseline; ratio: over baseline; along the " +
          "selector's one list (the axis): argmax = the axis value with the highest metric, " +
          "max = that metric, min_step = the smallest increase between neighbouring axis values, " +
          "max_difference = max of select minus max of baseline (each along its own axis, or " +
          "the baseline's one value), max_ratio = max of select over max of baseline, " +
          "min_step_difference = min_step of select minus baseline, paired along the same axis " +
          "(the baseline lists the same field with as many values).",
      ),
    ),
    op: req(
      oneOf(
        ["<", "<=", ">", ">=", "in"],
        "Comparison: measured <op> threshold; in: low <= measured <= high.",
      ),
    ),
    threshold: req(THRESHOLD),
    margin: opt({
      kind: "number",
      min: 0,
      doc:
        "The smallest effect that counts: a PASS needs the 95% CI beyond threshold + margin (> and >=) or threshold - margin (< and <=); default 0.",
    }),
    matching: opt(MATCHING),
    why: opt(text("The calibration argument for the threshold.")),
    paper: req(text("The paper's value with its source, shown beside ours.")),
    reading: opt(
      obj(
        "What a PASS and a FAIL say about the hypothesis, written before the result is seen; the report opens with the sentence of each claim's verdict.",
        {
          pass: req(text("The sentence the report opens with when the claim passes.")),
          fail: req(text("The sentence the report opens with when the claim fails.")),
        },
      ),
    ),
  } satisfies Record<keyof ClaimConfig, Field>,
);
