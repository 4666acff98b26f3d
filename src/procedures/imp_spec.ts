/** The `imp` procedure's fields, controls, arms and rules (its code is imp.ts). */
import { configuredLayers, firstWidth, weightLayerCount } from "./configured_model.ts";
import { describeLayer } from "../model/mod.ts";
import {
  fraction01,
  obj,
  oneOf,
  opt,
  req,
  showValue,
  trainingFields,
  trainingRules,
} from "../config/descriptors.ts";
import type { CrossRule, Field } from "../config/descriptors.ts";
import type { ExperimentConfig, TrainingConfig } from "../config/types.ts";
import type { ProcedureSpec } from "./spec.ts";
import { controlArms, IMP_CONTROL_RULES, IMP_CONTROLS, impControls } from "./imp_controls.ts";

/**
 * IMP's schedule: the training budget of every round, the rounds, how much each prunes, where
 * the kept weights rewind to and which rounds train (the `imp` procedure's fields; a procedure
 * that runs IMP lineages of its own, such as ticket-transfer, shares them).
 */
export interface ImpSchedule extends TrainingConfig {
  /** Pruning rounds after the dense network: levels 1..rounds after level 0. */
  rounds: number;
  /**
   * Fraction of each layer's remaining weights removed at each level, one entry per layer; with
   * `pruning: global`, one entry: the fraction of all remaining weights.
   */
  prune_fractions: number[];
  /**
   * layerwise (default): each layer loses its own fraction of its smallest weights (Frankle &
   * Carbin); global: the network's remaining weights ranked together by magnitude lose the one
   * fraction (open_lth's sparse_global, Frankle et al. 2020's ResNets and VGG).
   */
  pruning?: "layerwise" | "global";
  /**
   * "init": kept weights reset to their values at iteration 0; {iteration: k}: to their values
   * after k iterations of the dense training (Frankle et al. 2020), and later levels train
   * iterations - k (from k to the end of the budget).
   */
  rewind: "init" | { iteration: number };
  /**
   * The rounds that are trained, ascending, ending at `rounds` (default: every round). Between
   * two trained rounds the masks advance by every round in between at once: each skipped round
   * still removes its fraction of the remaining count, by the last trained weights' magnitudes,
   * so a trained round keeps exactly the counts of the paper's schedule.
   */
  trained_rounds?: number[];
}

export interface ImpProcedure extends ImpSchedule {
  name: "imp";
}

/** The iteration tickets are rewound to: 0 for "init". */
export function rewindIteration(procedure: ImpSchedule): number {
  return procedure.rewind === "init" ? 0 : procedure.rewind.iteration;
}

/** The rounds trained after the dense round 0. */
export function trainedRounds(procedure: ImpSchedule): number[] {
  return procedure.trained_rounds ??
    Array.from({ length: procedure.rounds }, (_, i) => i + 1);
}

export const impConfig = (cfg: ExperimentConfig) => cfg.procedure as unknown as ImpProcedure;
/** The IMP schedule of a config whose procedure has IMP's fields (imp, ticket-transfer). */
const impSchedule = (cfg: ExperimentConfig) => cfg.procedure as unknown as ImpSchedule;

/** The fields of IMP's schedule (ImpSchedule), in the `procedure` block. */
export const IMP_SCHEDULE_FIELDS: Record<string, Field> = {
  ...trainingFields("per round"),
  rounds: req({
    kind: "integer",
    min: 0,
    max: 100,
    doc: "Pruning rounds after the dense round 0.",
  }),
  prune_fractions: req({
    kind: "array",
    items: fraction01,
    minItems: 1,
    doc:
      "Fraction of each layer's remaining weights removed per round, one entry per weight layer; with pruning: global, one entry.",
  }),
  pruning: opt(
    oneOf(
      ["layerwise", "global"],
      "layerwise (default): each layer loses its own fraction of its smallest weights; global: all remaining weights ranked together by magnitude lose the one fraction (open_lth's sparse_global).",
    ),
  ),
  rewind: req({
    kind: "union",
    doc:
      "init: kept weights are reset to their values at iteration 0; {iteration: k}: to their values after k iterations of the dense training, and later levels train from k to the end of the budget.",
    of: [
      oneOf(["init"], "Reset to the initialisation."),
      obj("Rewind to iteration k of the dense training (Frankle et al. 2020).", {
        iteration: req({
          kind: "integer",
          min: 1,
          doc: "k: the dense training's iteration whose weights the tickets start from.",
        }),
      }),
    ],
  }),
  trained_rounds: opt({
    kind: "array",
    items: { kind: "integer", min: 1 },
    minItems: 1,
    doc:
      "The rounds trained, ascending, ending at rounds (default: every round). Skipped rounds still prune: the masks advance through them at once, so each trained round keeps the schedule's exact counts.",
  }),
};

/**
 * The rules of IMP's schedule alone (rewind point, prune fractions, trained rounds), in the order
 * they are checked.
 */
export const IMP_SCHEDULE_RULES: CrossRule[] = [
  {
    doc: "procedure.rewind.iteration is below procedure.iterations",
    check(cfg, fail) {
      const { rewind, iterations } = impSchedule(cfg);
      if (rewind !== "init" && rewind.iteration >= iterations) {
        fail(
          "procedure.rewind.iteration",
          `expected an integer in 1..${
            iterations - 1
          } (below procedure.iterations), got ${rewind.iteration}`,
        );
      }
    },
  },
  {
    doc:
      "procedure.prune_fractions has one entry per weight layer (convolutions and dense layers, in order), or one with pruning: global",
    check(cfg, fail) {
      const { prune_fractions: f, pruning } = impSchedule(cfg);
      if (pruning === "global") {
        if (f.length !== 1) {
          fail(
            "procedure.prune_fractions",
            `expected one entry with pruning: global (the fraction of all remaining weights), got ${
              showValue(f)
            }`,
          );
        }
        return;
      }
      const n = weightLayerCount(cfg);
      if (f.length !== n) {
        fail(
          "procedure.prune_fractions",
          `expected ${n} entries (one per weight layer: convolutions and dense layers, in order), got ${
            showValue(f)
          }`,
        );
      }
    },
  },
  {
    doc: "procedure.trained_rounds ascend and end at procedure.rounds",
    check(cfg, fail) {
      const { rounds, trained_rounds } = impSchedule(cfg);
      if (!trained_rounds) return;
      trained_rounds.forEach((r, i) => {
        if (i > 0 && r <= trained_rounds[i - 1]) {
          fail(
            `procedure.trained_rounds[${i}]`,
            `expected a round above ${trained_rounds[i - 1]} (ascending), got ${r}`,
          );
        }
      });
      const last = trained_rounds[trained_rounds.length - 1];
      if (last !== rounds) {
        fail(
          `procedure.trained_rounds[${trained_rounds.length - 1}]`,
          `expected ${rounds} (procedure.rounds: the last round is trained), got ${last}`,
        );
      }
    },
  },
];

export const IMP_SPEC: ProcedureSpec = {
  name: "imp",
  doc: "Iterative magnitude pruning with rewinding to initialisation (Frankle & Carbin).",
  fields: IMP_SCHEDULE_FIELDS,
  controls: IMP_CONTROLS,
  arms: (cfg) => ["ticket", ...controlArms(impControls(cfg))],
  widths: (cfg) => [firstWidth(cfg)],
  rules: [
    ...trainingRules("procedure", (cfg) => impConfig(cfg)),
    ...IMP_CONTROL_RULES,
    {
      doc:
        "controls.linearized_ticket needs an MLP (dense layers and relu) and no controls.stability",
      check(cfg, fail) {
        const controls = impControls(cfg);
        if (!controls.linearized_ticket) return;
        const specs = configuredLayers(cfg);
        const bad = specs.findIndex((spec) =>
          spec !== "relu" && !(typeof spec === "object" && "dense" in spec)
        );
        if (bad >= 0) {
          fail(
            "controls.linearized_ticket",
            `the linearization is an MLP's, but model.layers entry ${bad + 1} is ${
              describeLayer(specs[bad])
            }; use dense layers and relu, or drop linearized_ticket`,
          );
        }
        if (controls.stability) {
          fail(
            "controls.linearized_ticket",
            "controls.stability evaluates the real network along the line between copies, not a linearized one; drop one of them",
          );
        }
      },
    },
    {
      doc: "controls.stability.rounds are 0 or trained rounds",
      check(cfg, fail) {
        const procedure = impConfig(cfg);
        const trained = [0, ...trainedRounds(procedure)];
        impControls(cfg).stability?.rounds.forEach((r, i) => {
          if (!trained.includes(r)) {
            fail(
              `controls.stability.rounds[${i}]`,
              `expected 0 or a trained round (${trained.slice(1).join(", ")}), got ${r}`,
            );
          }
        });
      },
    },
    {
      doc: "the frozen-pruned ablation needs an optimizer without weight decay",
      check(cfg, fail) {
        const decay = impConfig(cfg).optimizer.weight_decay ?? 0;
        if (impControls(cfg).weight_ablations?.includes("frozen-pruned") && decay !== 0) {
          fail(
            "procedure.optimizer.weight_decay",
            `weight decay ${decay} would move the frozen pruned weights of the frozen-pruned ablation; remove it or the ablation`,
          );
        }
      },
    },
    ...IMP_SCHEDULE_RULES,
    {
      doc: "controls.rounds are distinct rounds in 0..procedure.rounds",
      check(cfg, fail) {
        const seen = new Set<number>();
        const rounds = impConfig(cfg).rounds;
        impControls(cfg).rounds.forEach((r, i) => {
          const path = `controls.rounds[${i}]`;
          if (r > rounds) {
            fail(path, `expected an integer in 0..${rounds} (procedure.rounds), got ${r}`);
          }
          if (seen.has(r)) fail(path, `round ${r} is listed twice; list each round once`);
          const trained = impConfig(cfg).trained_rounds;
          if (r > 0 && trained && !trained.includes(r)) {
            fail(path, `expected a trained round (one of procedure.trained_rounds), got ${r}`);
          }
          seen.add(r);
        });
      },
    },
  ],
  // The overlap figure where masks other than the ticket's lineage compare with it.
  figures: (cfg) => {
    const controls = impControls(cfg);
    const compares = controls.second_ticket || controls.linearized_ticket || controls.at_init ||
      controls.search;
    return compares ? ["accuracy", "early-stop", "kappa"] : ["accuracy", "early-stop"];
  },
};
