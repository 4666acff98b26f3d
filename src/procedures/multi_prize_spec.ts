/** The `multi-prize` procedure's fields, controls, arms and rules (its code is multi_prize.ts). */
import { configuredLayers } from "./configured_model.ts";
import { denseWidths, describeLayer, type LayerSpec } from "../model/mod.ts";
import {
  type CrossRule,
  fraction01,
  obj,
  oneOf,
  req,
  trainingFields,
  trainingRules,
} from "../config/descriptors.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";
import type { ProcedureSpec } from "./spec.ts";
import { keptLevels } from "./sweep_levels.ts";

export const MPT_WEIGHT_INITS = ["kaiming-normal", "signed-kaiming-constant"] as const;
export const MPT_SCORE_INITS = ["kaiming-uniform", "kaiming-normal"] as const;

/** The searched arms, in the order of results.csv's jobs. */
export const MPT_ARMS = {
  /** Biprop, real activations (the model as declared), scores seed a. */
  mpt32: "mpt-1-32",
  /** Biprop, real activations, scores seed b: a second ticket of the same weights. */
  mpt32b: "mpt-1-32-b",
  /** Biprop, every hidden relu replaced by a non-affine batch norm and a sign, scores seed a. */
  mpt1: "mpt-1-1",
  /** Full-precision edge-popup on the same weights and scores seed a. */
  edgePopup: "edge-popup",
  dense: "dense",
  randomMask: "random-mask",
  randomSigns: "random-signs",
} as const;

/** One block of the sweep: every combination of its widths and fractions kept. */
export interface MultiPrizeSweep {
  /** Hidden widths h: every hidden dense layer of model.layers becomes h (convolutions stay). */
  widths: number[];
  /** Fractions k of each layer's weights kept (and binarised) by the top k of |score|. */
  weights_remaining: number[];
}

export interface MultiPrizeProcedure extends TrainingConfig {
  name: "multi-prize";
  sweeps: MultiPrizeSweep[];
  /** The frozen random weights W every arm of a (trial, width) shares. */
  weight_init: typeof MPT_WEIGHT_INITS[number];
  score_init: typeof MPT_SCORE_INITS[number];
  /** The budget of mpt-1/1 (binary activations); the top-level budget is mpt-1/32's and edge-popup's. */
  binary: TrainingConfig;
  /** The weight-trained dense network of each width (model.init, with the layers' biases). */
  dense: TrainingConfig;
}

export interface MultiPrizeControls {
  /** alpha * sign(W) under a uniformly random mask of mpt-1/32's per-layer counts, untrained. */
  random_mask: boolean;
  /** mpt-1/32's mask and alpha with the signs of W drawn at random, untrained. */
  random_signs: boolean;
}

export const multiPrizeConfig = (cfg: ExperimentConfig) =>
  cfg.procedure as unknown as MultiPrizeProcedure;
export const multiPrizeControls = (cfg: ExperimentConfig) =>
  cfg.controls as unknown as MultiPrizeControls;

export interface MultiPrizeCell {
  width: number;
  k: number;
}

/** Every (width, k) cell of the sweeps, each once: widths ascending, k descending. */
export function multiPrizeCells(p: MultiPrizeProcedure): MultiPrizeCell[] {
  const seen = new Set<string>();
  const cells: MultiPrizeCell[] = [];
  for (const sweep of p.sweeps) {
    for (const width of sweep.widths) {
      for (const k of sweep.weights_remaining) {
        const id = `${width} ${k}`;
        if (!seen.has(id)) cells.push({ width, k });
        seen.add(id);
      }
    }
  }
  return cells.sort((a, b) => a.width - b.width || b.k - a.k);
}

/** The distinct fractions kept, largest first: level i (1-based) is the i-th; dense is level 0. */
export function multiPrizeLevels(p: MultiPrizeProcedure): number[] {
  return keptLevels(p.sweeps);
}

export function multiPrizeWidths(p: MultiPrizeProcedure): number[] {
  return [...new Set(multiPrizeCells(p).map((cell) => cell.width))].sort((a, b) => a - b);
}

/**
 * MPT-1/1's layer list (Diffenderfer & Kailkhura's Conv*_BinAct, chrundle/biprop
 * models/frankle.py): every `relu` becomes a non-affine batch norm and a sign (BiRealAct); a relu
 * directly followed by max pools becomes pools, batch norm, sign (their conv -> MaxPool -> BN ->
 * BiRealAct). Weight layers are untouched, so the two models' parameter layouts are the same.
 */
export function binaryActivationLayers(specs: readonly LayerSpec[]): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    if (spec !== "relu") {
      out.push(spec);
      continue;
    }
    while (specs[i + 1] === "maxpool") {
      out.push("maxpool");
      i++;
    }
    out.push("batchnorm-nonaffine", "sign");
  }
  return out;
}

/** The entries binaryActivationLayers can convert: weight layers, relu and max pool. */
const CONVERTIBLE = (spec: LayerSpec) =>
  spec === "relu" || spec === "maxpool" ||
  (typeof spec === "object" && ("dense" in spec || "conv" in spec));

const hiddenLayersRule: CrossRule = {
  doc:
    "model.layers has at least one hidden dense layer (its width is swept; convolutions keep their channels)",
  check(cfg, fail) {
    const dense = denseWidths(configuredLayers(cfg)).length;
    if (dense >= 2) return;
    fail(
      "model.layers",
      cfg.model.kind === "mlp"
        ? `expected at least 3 entries (input, hidden..., classes), got ${cfg.model.layers.length}`
        : `expected at least two dense layers (hidden..., classes), got ${dense}`,
    );
  },
};

const convertibleRule: CrossRule = {
  doc:
    "model.layers holds only dense and conv layers, relu and maxpool (mpt-1/1 replaces each relu by batchnorm-nonaffine, sign)",
  check(cfg, fail) {
    const specs = configuredLayers(cfg);
    const bad = specs.findIndex((spec) => !CONVERTIBLE(spec));
    if (bad >= 0) {
      fail(
        "model.layers",
        `entry ${bad + 1} is ${
          describeLayer(specs[bad])
        }; multi-prize takes dense and conv layers with relu and maxpool only (mpt-1/1 replaces every relu by batchnorm-nonaffine, sign): remove it`,
      );
    }
    const relus = specs.filter((spec) => spec === "relu").length;
    if (relus === 0) {
      fail(
        "model.layers",
        "has no relu: mpt-1/1 would have no binary activation; add relu entries",
      );
    }
  },
};

export const MULTI_PRIZE_SPEC: ProcedureSpec = {
  name: "multi-prize",
  doc:
    "Multi-prize tickets (Diffenderfer & Kailkhura): on the same frozen random weights, biprop's binary subnetworks alpha * sign(W) * topk(|S|) with real (mpt-1/32, two score seeds) and binary activations (mpt-1/1), full-precision edge-popup, a weight-trained dense network and untrained controls, swept over widths and k.",
  fields: {
    sweeps: req({
      kind: "array",
      minItems: 1,
      doc: "The cells run: the union of every sweep's widths x weights_remaining.",
      items: obj("One block of the sweep: all combinations of its lists.", {
        widths: req({
          kind: "array",
          items: { kind: "integer", min: 1 },
          minItems: 1,
          doc:
            "Hidden widths h: every hidden dense layer of model.layers is set to h (convolutions keep their channels).",
        }),
        weights_remaining: req({
          kind: "array",
          items: { ...fraction01, maxExclusive: false },
          minItems: 1,
          doc: "Fractions k of each layer's weights kept (binarised) by the top k of |score|.",
        }),
      }),
    }),
    weight_init: req(
      oneOf(MPT_WEIGHT_INITS, "Initialiser of the frozen weights W that every arm shares."),
    ),
    score_init: req(oneOf(MPT_SCORE_INITS, "Initialiser of the scores (seeds a and b).")),
    ...trainingFields("of the scores (mpt-1/32, mpt-1/32-b and edge-popup)"),
    binary: req(
      obj("The budget of mpt-1/1's scores (binary activations).", {
        ...trainingFields("of mpt-1/1's scores"),
      }),
    ),
    dense: req(
      obj("The weight-trained dense network of each width (model.init, with the layers' biases).", {
        ...trainingFields("of the dense network"),
      }),
    ),
  },
  controls: obj("Untrained control arms that the found subnetworks must beat.", {
    random_mask: req({
      kind: "boolean",
      doc:
        "alpha * sign(W) under a uniformly random mask with mpt-1/32's per-layer counts (alpha over that mask), evaluated untrained.",
    }),
    random_signs: req({
      kind: "boolean",
      doc: "mpt-1/32's mask and alpha with the signs of W drawn at random, evaluated untrained.",
    }),
  }),
  arms(cfg) {
    const controls = multiPrizeControls(cfg);
    return [
      MPT_ARMS.mpt32,
      MPT_ARMS.mpt32b,
      MPT_ARMS.mpt1,
      MPT_ARMS.edgePopup,
      MPT_ARMS.dense,
      ...(controls.random_mask ? [MPT_ARMS.randomMask] : []),
      ...(controls.random_signs ? [MPT_ARMS.randomSigns] : []),
    ];
  },
  widths: (cfg) => multiPrizeWidths(multiPrizeConfig(cfg)),
  rules: [
    hiddenLayersRule,
    convertibleRule,
    ...trainingRules("procedure", multiPrizeConfig),
    ...trainingRules("procedure.binary", (cfg) => multiPrizeConfig(cfg).binary),
    ...trainingRules("procedure.dense", (cfg) => multiPrizeConfig(cfg).dense),
  ],
  figures: () => ["accuracy", "width"],
};
