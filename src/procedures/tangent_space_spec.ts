/** The `tangent-space` procedure's fields, arms and rules (its code is tangent_space.ts). */
import { configuredLayers } from "./configured_model.ts";
import { denseWidths, describeLayer } from "../model/mod.ts";
import {
  type CrossRule,
  distinctRule,
  obj,
  req,
  trainingFields,
  trainingRules,
} from "../config/descriptors.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";
import type { ProcedureSpec } from "./spec.ts";

/** The arms, in the order they run. */
export const TANGENT_ARMS = {
  /** The network itself, cross-entropy, the procedure's budget. */
  real: "real",
  /** f(theta0) + J(theta0)(theta - theta0) trained like `real` (same optimizer, loss, budget). */
  linearized: "linearized",
  /** The network itself trained with square loss on one-hot targets (procedure.square_loss). */
  realSquare: "real-square",
  /** The tangent-space ridge minimum (Kosoy), conjugate gradients, lambda chosen on validation. */
  ridge: "tangent-ridge",
} as const;

export interface TangentRidgeConfig {
  /** The ridge penalties tried; the one with the best validation accuracy is reported. */
  lambdas: number[];
  /** Conjugate-gradient iterations per lambda (each one JVP and one VJP pass over the examples). */
  iterations: number;
  /** Training examples in the system: the first N of the training split, in its stored order. */
  examples: number;
  /** Rows per JVP/VJP pass. */
  batch_rows: number;
}

export interface TangentSpaceProcedure extends TrainingConfig {
  name: "tangent-space";
  /** Hidden widths h: every hidden dense layer of model.layers becomes h. */
  widths: number[];
  /** The square-loss real network's budget (the ridge's like-for-like comparison). */
  square_loss: TrainingConfig;
  ridge: TangentRidgeConfig;
}

export const tangentSpaceConfig = (cfg: ExperimentConfig) =>
  cfg.procedure as unknown as TangentSpaceProcedure;

export const tangentSpaceWidths = (p: TangentSpaceProcedure) => [...p.widths].sort((a, b) => a - b);

const mlpRule: CrossRule = {
  doc:
    "model.layers holds dense layers and relu only, at least one hidden (the linearization and its JVP are an MLP's)",
  check(cfg, fail) {
    const specs = configuredLayers(cfg);
    const bad = specs.findIndex((spec) =>
      spec !== "relu" && !(typeof spec === "object" && "dense" in spec)
    );
    if (bad >= 0) {
      fail(
        "model.layers",
        `entry ${bad + 1} is ${
          describeLayer(specs[bad])
        }; tangent-space linearizes MLPs (dense layers and relu): remove it`,
      );
    } else if (denseWidths(specs).length < 2) {
      fail("model.layers", "expected at least one hidden dense layer (its width is swept)");
    }
  },
};

const ridgeRowsRule: CrossRule = {
  doc: "procedure.ridge.examples is at most the training split's size (data.train_limit, if set)",
  check(cfg, fail) {
    const { examples } = tangentSpaceConfig(cfg).ridge;
    const limit = cfg.data.train_limit;
    if (limit !== undefined && examples > limit) {
      fail(
        "procedure.ridge.examples",
        `expected at most data.train_limit (${limit}) examples, got ${examples}`,
      );
    }
  },
};

export const TANGENT_SPACE_SPEC: ProcedureSpec = {
  name: "tangent-space",
  doc:
    "The tangent-space test (Wentworth's version of the lottery ticket conjecture; Kosoy's experiment): per hidden width and trial, from one theta0, the real network, its linearization f(theta0) + J(theta0)(theta - theta0) trained the same way, the real network under square loss, and the tangent-space ridge minimum by conjugate gradients.",
  fields: {
    widths: req({
      kind: "array",
      items: { kind: "integer", min: 1 },
      minItems: 1,
      doc: "Hidden widths h: every hidden dense layer of model.layers is set to h.",
    }),
    ...trainingFields("of the real network and its linearization (cross-entropy)"),
    square_loss: req(
      obj(
        "The real network trained with square loss on one-hot targets (the ridge's comparison).",
        {
          ...trainingFields("of the square-loss network"),
        },
      ),
    ),
    ridge: req(
      obj("The tangent-space minimum: (J^T J + lambda I) d = J^T (Y - f(theta0)) by CG.", {
        lambdas: req({
          kind: "array",
          items: { kind: "number", min: 0, minExclusive: true },
          minItems: 1,
          doc: "Ridge penalties tried; the best validation accuracy picks the reported one.",
        }),
        iterations: req({
          kind: "integer",
          min: 1,
          doc: "Conjugate-gradient iterations per lambda (each a JVP and a VJP pass).",
        }),
        examples: req({
          kind: "integer",
          min: 1,
          doc: "Training examples in the system: the first N of the training split.",
        }),
        batch_rows: req({ kind: "integer", min: 1, doc: "Rows per JVP/VJP pass." }),
      }),
    ),
  },
  controls: obj("tangent-space has no control arms.", {}),
  arms: () => Object.values(TANGENT_ARMS),
  widths: (cfg) => tangentSpaceWidths(tangentSpaceConfig(cfg)),
  rules: [
    mlpRule,
    ridgeRowsRule,
    distinctRule("procedure.widths", (cfg) => tangentSpaceConfig(cfg).widths),
    distinctRule("procedure.ridge.lambdas", (cfg) => tangentSpaceConfig(cfg).ridge.lambdas),
    ...trainingRules("procedure", tangentSpaceConfig),
    ...trainingRules("procedure.square_loss", (cfg) => tangentSpaceConfig(cfg).square_loss),
  ],
  figures: () => ["width"],
};
