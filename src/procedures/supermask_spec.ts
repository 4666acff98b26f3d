/** The `supermask` procedure's fields, controls, arms and rules (its code is supermask.ts). */
import { firstWidth } from "./configured_model.ts";
import {
  distinctRule,
  fraction01,
  obj,
  oneOf,
  req,
  trainingFields,
  trainingRules,
} from "../config/descriptors.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";
import { MASK_CRITERIA, type MaskCriterion } from "../prune/criteria.ts";
import type { KeptValues } from "../prune/kept_values.ts";
import { SCORE_INITS } from "./edge_popup_spec.ts";
import type { ProcedureSpec } from "./spec.ts";

/** The real criteria; `random` is the control arm (controls.random_mask). */
export const CRITERIA = MASK_CRITERIA.filter((c) => c !== "random");
/** What a kept weight is set to in the untrained network (Zhou et al.'s "mask-1 actions"). */
export const KEPT_VALUES = ["init", "signed-constant"] as const;

export interface SupermaskProcedure {
  name: "supermask";
  /** The dense training the masks are read from (the weak-LTH protocol). */
  train: TrainingConfig;
  /** Fractions of each layer's weights a mask keeps, one level each. */
  weights_remaining: number[];
  criteria: Exclude<MaskCriterion, "random">[];
  /** init: w_i; signed-constant: sign(w_i) * std of the layer's init distribution. */
  kept_values: (typeof KEPT_VALUES[number])[];
  /** The learned Bernoulli supermask. */
  learned: TrainingConfig & {
    /** One learned arm per kind of frozen weights: `learned.<weights>`. */
    weights: (typeof KEPT_VALUES[number])[];
    score_init: typeof SCORE_INITS[number];
  };
}

export interface SupermaskControls {
  /** The `random` criterion: uniformly random masks with the same per-layer counts. */
  random_mask: boolean;
  /** Signed constants with random signs instead of the initial signs, for every criterion. */
  random_signs: boolean;
}

export const supermaskConfig = (cfg: ExperimentConfig) =>
  cfg.procedure as unknown as SupermaskProcedure;
export const supermaskControls = (cfg: ExperimentConfig) =>
  cfg.controls as unknown as SupermaskControls;

/** Arm names: `<criterion>.<kept values>`, e.g. large_final_same_sign.signed-constant. */
export function maskArm(criterion: MaskCriterion, values: string): string {
  return `${criterion}.${values}`;
}

/** (criterion, kept values) of every untrained arm, controls included. */
export function untrainedArms(cfg: ExperimentConfig): [MaskCriterion, KeptValues][] {
  const p = supermaskConfig(cfg);
  const controls = supermaskControls(cfg);
  const criteria: MaskCriterion[] = [
    ...p.criteria,
    ...(controls.random_mask ? ["random" as const] : []),
  ];
  const values: KeptValues[] = [
    ...p.kept_values,
    ...(controls.random_signs ? ["random-signs" as const] : []),
  ];
  return criteria.flatMap((c) => values.map((v) => [c, v] as [MaskCriterion, KeptValues]));
}

/** The arm of a learned supermask over frozen weights of this kind. */
export function learnedArm(weights: string): string {
  return `learned.${weights}`;
}

export const SUPERMASK_SPEC: ProcedureSpec = {
  name: "supermask",
  doc:
    "Supermasks (Zhou et al.): masks from the initial and final weights of one dense training, applied to the untrained network by criterion and kept values, and a learned Bernoulli supermask on frozen weights.",
  fields: {
    train: req(obj("The dense training the masks are read from (the weak-LTH protocol).", {
      ...trainingFields("of the dense network"),
    })),
    weights_remaining: req({
      kind: "array",
      items: fraction01,
      minItems: 1,
      doc: "Fractions of each layer's weights a mask keeps; one level each.",
    }),
    criteria: req({
      kind: "array",
      items: oneOf(CRITERIA, "Mask criterion (random is controls.random_mask)."),
      minItems: 1,
      doc: "Mask criteria scored from the initial and final weights.",
    }),
    kept_values: req({
      kind: "array",
      items: oneOf(
        KEPT_VALUES,
        "init: the initial value; signed-constant: sign(initial) * the layer's init std.",
      ),
      minItems: 1,
      doc: "What a kept weight is set to in the untrained network.",
    }),
    learned: req(obj("The learned Bernoulli supermask (frozen weights, trained scores).", {
      weights: req({
        kind: "array",
        items: oneOf(KEPT_VALUES, "init: the initial values; signed-constant: sign(w_i) * std."),
        minItems: 1,
        doc:
          "The frozen weights, one learned arm each (learned.<weights>): initial values (Zhou et al.'s learned supermask) or signed constants.",
      }),
      score_init: req(oneOf(SCORE_INITS, "Initialiser of the scores.")),
      ...trainingFields("of the scores"),
    })),
  },
  controls: obj("Control arms the supermasks must beat.", {
    random_mask: req({
      kind: "boolean",
      doc: "The random criterion: uniformly random masks with the same per-layer counts.",
    }),
    random_signs: req({
      kind: "boolean",
      doc: "Signed constants with random signs instead of the initial ones, for every criterion.",
    }),
  }),
  arms: (cfg) => [
    "dense",
    ...supermaskConfig(cfg).learned.weights.map(learnedArm),
    ...untrainedArms(cfg).map(([criterion, values]) => maskArm(criterion, values)),
  ],
  widths: (cfg) => [firstWidth(cfg)],
  rules: [
    ...trainingRules("procedure.train", (cfg) => supermaskConfig(cfg).train),
    ...trainingRules("procedure.learned", (cfg) => supermaskConfig(cfg).learned),
    distinctRule("procedure.weights_remaining", (cfg) => supermaskConfig(cfg).weights_remaining),
    distinctRule("procedure.criteria", (cfg) => supermaskConfig(cfg).criteria),
    distinctRule("procedure.kept_values", (cfg) => supermaskConfig(cfg).kept_values),
    distinctRule("procedure.learned.weights", (cfg) => supermaskConfig(cfg).learned.weights),
  ],
  figures: () => ["accuracy"],
};
