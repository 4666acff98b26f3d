/** The `edge-popup` procedure's fields, controls, arms and rules (its code is edge_popup.ts). */
import { configuredLayers } from "./configured_model.ts";
import { denseWidths } from "../model/mod.ts";
import {
  type CrossRule,
  fraction01,
  obj,
  oneOf,
  opt,
  req,
  trainingFields,
  trainingRules,
} from "../config/descriptors.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";
import type { ProcedureSpec } from "./spec.ts";
import { keptLevels } from "./sweep_levels.ts";

export const WEIGHT_INITS = ["signed-kaiming-constant", "kaiming-normal"] as const;
export type WeightInit = typeof WEIGHT_INITS[number];
export const SCORE_INITS = ["kaiming-uniform", "kaiming-normal"] as const;

/** One block of the sweep: every combination of its widths, fractions kept and weight inits. */
export interface EdgePopupSweep {
  /** Hidden widths h: every hidden dense layer of model.layers becomes h (convolutions stay). */
  widths: number[];
  /** Fractions k of each layer's weights the top-k of |score| keeps. */
  weights_remaining: number[];
  /** The frozen weights' initialisers; one arm each. */
  weight_inits: WeightInit[];
}

export interface EdgePopupProcedure extends TrainingConfig {
  name: "edge-popup";
  /** The cells run: the union of every sweep's combinations. */
  sweeps: EdgePopupSweep[];
  score_init: typeof SCORE_INITS[number];
  /** The trained dense baseline of each width (model.init, with the layers' biases). */
  dense: TrainingConfig & {
    /**
     * Widths at which only the dense baseline is trained: e.g. the width whose dense network has
     * as many weights as a sparse subnetwork of a wider one.
     */
    extra_widths?: number[];
  };
}

/** Every width run, ascending: the sweeps' widths and the dense-only widths. */
export function allWidths(p: EdgePopupProcedure): number[] {
  const widths = [...sweepCells(p).map((cell) => cell.width), ...(p.dense.extra_widths ?? [])];
  return [...new Set(widths)].sort((a, b) => a - b);
}

export interface EdgePopupControls {
  /**
   * A uniformly random mask at each k of a width, on its signed-constant weights (else its first
   * init's), evaluated untrained.
   */
  random_mask: boolean;
}

export const edgePopupConfig = (cfg: ExperimentConfig) =>
  cfg.procedure as unknown as EdgePopupProcedure;
export const edgePopupControls = (cfg: ExperimentConfig) =>
  cfg.controls as unknown as EdgePopupControls;

export interface SweepCell {
  width: number;
  k: number;
  init: WeightInit;
}

/** Every (width, k, init) cell of the sweeps, each once, in a fixed order. */
export function sweepCells(p: EdgePopupProcedure): SweepCell[] {
  const seen = new Set<string>();
  const cells: SweepCell[] = [];
  for (const sweep of p.sweeps) {
    for (const width of sweep.widths) {
      for (const init of sweep.weight_inits) {
        for (const k of sweep.weights_remaining) {
          const id = `${width} ${k} ${init}`;
          if (!seen.has(id)) cells.push({ width, k, init });
          seen.add(id);
        }
      }
    }
  }
  return cells.sort((a, b) => a.width - b.width || b.k - a.k || (a.init < b.init ? -1 : 1));
}

/** The distinct fractions kept, largest first: level i (1-based) is the i-th of them. */
export function sweepLevels(p: EdgePopupProcedure): number[] {
  return keptLevels(p.sweeps);
}

/**
 * The sweep sets every hidden dense layer to its width (withHiddenWidth), so there must be one:
 * a dense layer before the classes. Convolutions keep their channels (Conv-4's width is the 256
 * of its two hidden dense layers).
 */
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

export const EDGE_POPUP_SPEC: ProcedureSpec = {
  name: "edge-popup",
  doc:
    "Edge-popup (Ramanujan et al.): frozen random weights, trained scores, the top k of each layer's |score| in every forward pass; swept over widths, k and weight inits, beside a trained dense network of each width.",
  fields: {
    sweeps: req({
      kind: "array",
      minItems: 1,
      doc: "The cells run: the union of every sweep's widths x weights_remaining x weight_inits.",
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
          doc: "Fractions k of each layer's weights kept by the top-k of |score|.",
        }),
        weight_inits: req({
          kind: "array",
          items: oneOf(WEIGHT_INITS, "Initialiser of the frozen weights."),
          minItems: 1,
          doc: "One arm per initialiser of the frozen weights (no biases).",
        }),
      }),
    }),
    score_init: req(oneOf(SCORE_INITS, "Initialiser of the scores.")),
    ...trainingFields("of the scores"),
    dense: req(
      obj("The trained dense baseline of each width (model.init, with the layers' biases).", {
        ...trainingFields("of the dense network"),
        extra_widths: opt({
          kind: "array",
          items: { kind: "integer", min: 1 },
          minItems: 1,
          doc:
            "Widths at which only the dense baseline is trained (e.g. the width whose dense network has as many weights as a sparse subnetwork of a wider one).",
        }),
      }),
    ),
  },
  controls: obj("Control arms that the untrained subnetworks must beat.", {
    random_mask: req({
      kind: "boolean",
      doc:
        "A uniformly random mask keeping k of each layer, on the width's signed-constant weights (else its first init's), evaluated untrained.",
    }),
  }),
  arms(cfg) {
    const inits = new Set(sweepCells(edgePopupConfig(cfg)).map((cell) => cell.init));
    const arms: string[] = [...inits, "dense"];
    if (edgePopupControls(cfg).random_mask) arms.push("random-mask");
    return arms;
  },
  widths: (cfg) => allWidths(edgePopupConfig(cfg)),
  rules: [
    hiddenLayersRule,
    ...trainingRules("procedure", edgePopupConfig),
    ...trainingRules("procedure.dense", (cfg) => edgePopupConfig(cfg).dense),
  ],
  figures: () => ["accuracy", "width"],
};
