/**
 * The `controls` block of the `imp` procedure: the arms trained beside the ticket at the control
 * levels (controls.rounds), each with a mask or initial values derived from the ticket's trial.
 * Every arm starts from the trial's initialisation unless its doc says otherwise, and trains with
 * the ticket's budget (weak-lth's protocol), so arms differ only in what the arm changes.
 *
 * - random_reinit / random_mask: Frankle & Carbin's controls (the ticket's mask with a fresh
 *   init; a uniformly random mask with the ticket's per-layer counts). Shuffling a mask within
 *   each layer (Frankle et al. 2021's ablation) gives the same distribution as random_mask.
 * - linearized_ticket: a third IMP lineage (arm `ticket-lin`) from the same initialisation and
 *   batch order whose every level trains the network linearized at its (masked) rewind point
 *   (src/model/linearized.ts) and prunes by the magnitudes of the theta that training reached: are
 *   IMP's tickets tangent-space tickets? Its rows' kappa is against the ticket's masks.
 * - second_ticket: a second IMP lineage (arm `ticket-b`) from the same initialisation whose
 *   batch order differs, trained at every level: how similar two tickets can be at all.
 * - at_init: masks pruned at initialisation (SNIP, GraSP, SynFlow, |w0|) at the ticket's
 *   per-layer counts (`counts: per-layer`) or at its total count ranked across layers
 *   (`counts: total`), optionally also shuffled within each layer (`<method>-shuffled`).
 * - search: masks found without training the weights (edge-popup, the learned Bernoulli
 *   supermask) over the frozen initial weights, at the ticket's per-layer counts, then trained.
 * - weight_ablations: the ticket's mask retrained from other kept values (Zhou et al. 2019).
 * - stability: at its rounds every run trains a second copy from the same start with another
 *   batch order; the test error along the line between the two ends gives the run's
 *   instability (Frankle et al. 2020, linear mode connectivity).
 */
import {
  distinctRule,
  obj,
  oneOf,
  opt,
  req,
  trainingFields,
  trainingRules,
} from "../config/descriptors.ts";
import type { CrossRule, Field, ObjectDesc } from "../config/descriptors.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";

export const AT_INIT_METHODS = ["snip", "grasp", "synflow", "magnitude-init"] as const;
export type AtInitMethod = typeof AT_INIT_METHODS[number];

export const WEIGHT_ABLATIONS = [
  "signed-constant",
  "random-signs",
  "shuffled-values",
  "frozen-pruned",
] as const;
export type WeightAblation = typeof WEIGHT_ABLATIONS[number];

export const SEARCH_METHODS = ["edge-popup", "supermask"] as const;
export type SearchMethod = typeof SEARCH_METHODS[number];

export interface AtInitControls {
  methods: AtInitMethod[];
  /** per-layer: the ticket's count in every layer; total: its total, ranked across layers. */
  counts: "per-layer" | "total";
  /** Training examples SNIP's and GraSP's gradients are taken on. */
  examples: number;
  /** GraSP's logit temperature (Wang et al.'s code: 200). */
  grasp_temperature: number;
  /** SynFlow's pruning rounds (Tanaka et al.: 100). */
  synflow_rounds: number;
  /** Also train each method's mask shuffled within each layer. */
  shuffled: boolean;
}

export interface SearchBudget extends TrainingConfig {
  score_init: "kaiming-uniform" | "kaiming-normal";
}

export interface SearchControls {
  edge_popup?: SearchBudget;
  supermask?: SearchBudget;
}

export interface StabilityControls {
  /** Levels whose runs get a second copy (0 = the dense network). */
  rounds: number[];
  /** Evenly spaced points on the line between the copies, both ends included. */
  points: number;
}

export interface ImpControls {
  /** Same mask, fresh init: this many reinitialisations per trial. 0 disables the arm. */
  random_reinit: number;
  /** A random mask with the ticket's per-layer counts, trained from the ticket's init. */
  random_mask: boolean;
  /** Levels at which the control arms are trained (they are not needed at every level). */
  rounds: number[];
  second_ticket?: boolean;
  /** A third IMP lineage (ticket-lin) whose every level trains the linearized network. */
  linearized_ticket?: boolean;
  at_init?: AtInitControls;
  search?: SearchControls;
  weight_ablations?: WeightAblation[];
  stability?: StabilityControls;
}

export const impControls = (cfg: ExperimentConfig) => cfg.controls as unknown as ImpControls;

/** The search methods a config enables, in SEARCH_METHODS order, with their budgets. */
export function searchBudgets(controls: ImpControls): [SearchMethod, SearchBudget][] {
  const budgets: [SearchMethod, SearchBudget | undefined][] = [
    ["edge-popup", controls.search?.edge_popup],
    ["supermask", controls.search?.supermask],
  ];
  return budgets.filter((entry): entry is [SearchMethod, SearchBudget] => entry[1] !== undefined);
}

/** The control arms with one run per trial and control level (not ticket-b, not random-reinit). */
export function singleRunControlArms(controls: ImpControls): string[] {
  const arms: string[] = [];
  if (controls.random_mask) arms.push("random-mask");
  for (const method of controls.at_init?.methods ?? []) {
    arms.push(method);
    if (controls.at_init!.shuffled) arms.push(`${method}-shuffled`);
  }
  for (const [method] of searchBudgets(controls)) arms.push(method);
  arms.push(...(controls.weight_ablations ?? []));
  return arms;
}

/** Every arm besides the ticket that a config produces. */
export function controlArms(controls: ImpControls): string[] {
  return [
    ...(controls.second_ticket ? ["ticket-b"] : []),
    ...(controls.linearized_ticket ? ["ticket-lin"] : []),
    ...(controls.random_reinit > 0 ? ["random-reinit"] : []),
    ...singleRunControlArms(controls),
  ];
}

const searchBudget = (method: string): Field =>
  opt(obj(`${method}: its score-training budget; present = the arm is trained.`, {
    ...trainingFields("of scores (the weights stay frozen)"),
    score_init: req(oneOf(["kaiming-uniform", "kaiming-normal"], "Initial scores.")),
  }));

export const IMP_CONTROLS: ObjectDesc = obj("Control arms that a ticket must beat.", {
  random_reinit: req({
    kind: "integer",
    min: 0,
    max: 100,
    doc: "Same mask, fresh init: reinitialisations per trial; 0 disables the arm.",
  }),
  random_mask: req({
    kind: "boolean",
    doc: "Random mask with the ticket's per-layer counts, ticket's init.",
  }),
  rounds: req({
    kind: "array",
    items: { kind: "integer", min: 0 },
    doc: "Rounds at which the control arms are trained.",
  }),
  second_ticket: opt({
    kind: "boolean",
    doc:
      "A second IMP lineage (arm ticket-b) from the same init with another batch order, at every level (default false).",
  }),
  linearized_ticket: opt({
    kind: "boolean",
    doc:
      "A third IMP lineage (arm ticket-lin) from the same init and batch order whose every level trains the network linearized at its rewind point, f(m*w0) + J(m*w0)(theta - m*w0), and prunes by that theta's magnitudes; its rows' kappa is against the ticket's masks (default false; an MLP only).",
  }),
  at_init: opt(obj("Masks pruned at initialisation, trained like the ticket.", {
    methods: req({
      kind: "array",
      items: oneOf(AT_INIT_METHODS, "A pruning-at-initialisation method."),
      minItems: 1,
      doc:
        "snip |g*w|, grasp -w*Hg (lowest kept), synflow (data-free, iterative), magnitude-init |w0|.",
    }),
    counts: req(oneOf(
      ["per-layer", "total"],
      "per-layer: the ticket's count in every layer; total: the ticket's total count, ranked across layers.",
    )),
    examples: req({
      kind: "integer",
      min: 1,
      max: 10000,
      doc: "Training examples SNIP's and GraSP's gradients are taken on.",
    }),
    grasp_temperature: req({
      kind: "number",
      min: 0,
      minExclusive: true,
      doc: "GraSP's logit temperature (200 in Wang et al.'s code).",
    }),
    synflow_rounds: req({
      kind: "integer",
      min: 1,
      max: 1000,
      doc: "SynFlow's pruning rounds (100 in Tanaka et al.).",
    }),
    shuffled: req({
      kind: "boolean",
      doc: "Also train each method's mask shuffled within each layer (arm <method>-shuffled).",
    }),
  })),
  search: opt(obj("Masks found over the frozen initial weights, then trained.", {
    edge_popup: searchBudget("edge-popup (Ramanujan et al. 2020)"),
    supermask: searchBudget("the learned Bernoulli supermask (Zhou et al. 2019)"),
  }, { minFields: 1 })),
  weight_ablations: opt({
    kind: "array",
    items: oneOf(WEIGHT_ABLATIONS, "Kept values of the ticket's mask (Zhou et al. 2019)."),
    minItems: 1,
    doc:
      "signed-constant: sign(w0) x the layer's init std; random-signs: |w0| with random signs; shuffled-values: |w0| shuffled among the layer's kept weights, signs kept; frozen-pruned: pruned weights frozen at w0, not zeroed.",
  }),
  stability: opt(obj("Linear mode connectivity of the runs at some levels.", {
    rounds: req({
      kind: "array",
      items: { kind: "integer", min: 0 },
      minItems: 1,
      doc: "Levels whose runs each train a second copy (0 = the dense network).",
    }),
    points: req({
      kind: "integer",
      min: 2,
      max: 1000,
      doc: "Points on the line between the copies, both ends included (30 in Frankle et al. 2020).",
    }),
  })),
});

export const IMP_CONTROL_RULES: CrossRule[] = [
  distinctRule("controls.at_init.methods", (cfg) => impControls(cfg).at_init?.methods ?? []),
  distinctRule("controls.weight_ablations", (cfg) => impControls(cfg).weight_ablations ?? []),
  distinctRule("controls.stability.rounds", (cfg) => impControls(cfg).stability?.rounds ?? []),
  // A search budget's own rules, checked only when the search is configured.
  ...(["edge_popup", "supermask"] as const).flatMap((key) =>
    trainingRules(`controls.search.${key}`, (cfg) => impControls(cfg).search![key]!).map((
      rule,
    ): CrossRule => ({
      doc: `${rule.doc} (when present)`,
      check(cfg, fail, profile) {
        if (impControls(cfg).search?.[key]) rule.check(cfg, fail, profile);
      },
    }))
  ),
];
