/** The `elastic` procedure's fields, controls, arms and rules (its code is elastic.ts). */
import { configuredLayers, firstWidth } from "./configured_model.ts";
import { obj, oneOf, opt, req, trainingRules } from "../config/descriptors.ts";
import type { ExperimentConfig } from "../config/types.ts";
import { resnetDepth, resnetStages, withBlocksPerStage } from "../model/mod.ts";
import type { ProcedureSpec } from "./spec.ts";
import {
  IMP_SCHEDULE_FIELDS,
  IMP_SCHEDULE_RULES,
  type ImpProcedure,
  trainedRounds,
} from "./imp_spec.ts";

/** One transformation: the source's blocks per stage and the target's. */
export interface ElasticTransfer {
  from: number;
  to: number;
}

export interface ElasticProcedure extends Omit<ImpProcedure, "name"> {
  name: "elastic";
  /** The family's members, as residual blocks per stage (ResNet-(6n+2) for the CIFAR ResNets). */
  blocks_per_stage: number[];
  transfers: ElasticTransfer[];
  /** The source's IMP rounds whose tickets are transformed. */
  transfer_rounds: number[];
}

/** Masks pruned from the target's own network at the transformed ticket's sparsity. */
export const AT_REWIND_METHODS = ["random", "magnitude", "snip", "grasp", "synflow"] as const;
export type AtRewindMethod = typeof AT_REWIND_METHODS[number];

export interface ElasticControls {
  /** The transformed ticket with its blocks in a shuffled order within each stage. */
  shuffled: boolean;
  /** The transformed mask on a fresh initialisation of the target. */
  reinit: boolean;
  at_rewind: AtRewindMethod[];
  /** Training examples SNIP's gradient is taken on. */
  snip_examples?: number;
  /** GraSP's examples of each class (Wang et al.'s GraSP_fetch_data; 10 for CIFAR-10). */
  grasp_examples_per_class?: number;
  /** GraSP's logit temperature (200 in Wang et al.'s code). */
  grasp_temperature?: number;
  /** SynFlow's pruning rounds (100 in Tanaka et al.). */
  synflow_rounds?: number;
}

const CONTROL_DOCS = {
  snip_examples: "the number of training examples of its gradient",
  grasp_examples_per_class: "the training examples of each class in its two passes",
  grasp_temperature: "the temperature dividing the logits",
  synflow_rounds: "the number of its pruning rounds",
} as const;

/** Each saliency method's own controls, required exactly when the method is listed. */
const METHOD_CONTROLS = {
  snip: ["snip_examples"],
  grasp: ["grasp_examples_per_class", "grasp_temperature"],
  synflow: ["synflow_rounds"],
} as const;

export const elasticConfig = (cfg: ExperimentConfig) =>
  cfg.procedure as unknown as ElasticProcedure;
export const elasticControls = (cfg: ExperimentConfig) =>
  cfg.controls as unknown as ElasticControls;

/** The depth of the family member with `blocks` blocks per stage (6n + 2 for CIFAR ResNets). */
export function depthOf(cfg: ExperimentConfig, blocks: number): number {
  return resnetDepth(withBlocksPerStage(configuredLayers(cfg), blocks));
}

/** Arm names: `imp-<depth>`, and per transfer `ett-<S>to<T>` with its controls. */
export const ELASTIC_ARMS = {
  imp: (depth: number) => `imp-${depth}`,
  transformed: (source: number, target: number) => `ett-${source}to${target}`,
  shuffled: (source: number, target: number) => `ett-${source}to${target}-shuffled`,
  reinit: (source: number, target: number) => `ett-${source}to${target}-reinit`,
  atRewind: (method: AtRewindMethod, source: number, target: number) =>
    `${method}-${source}to${target}`,
};

/** The arms of one transfer, given as depths, in training order. */
export function transferArms(cfg: ExperimentConfig, source: number, target: number): string[] {
  const controls = elasticControls(cfg);
  return [
    ELASTIC_ARMS.transformed(source, target),
    ...(controls.shuffled ? [ELASTIC_ARMS.shuffled(source, target)] : []),
    ...(controls.reinit ? [ELASTIC_ARMS.reinit(source, target)] : []),
    ...controls.at_rewind.map((method) => ELASTIC_ARMS.atRewind(method, source, target)),
  ];
}

const BLOCKS = { kind: "integer", min: 1, max: 64, doc: "Residual blocks per stage." } as const;

export const ELASTIC_SPEC: ProcedureSpec = {
  name: "elastic",
  doc:
    "Elastic lottery tickets (Chen et al. 2021): IMP on every depth of a ResNet family, each source ticket stretched or squeezed to the other depths and trained beside the target's own ticket and baselines.",
  fields: {
    ...IMP_SCHEDULE_FIELDS,
    pruning: req(
      oneOf(
        ["global"],
        "global: all remaining weights ranked together (open_lth's sparse_global, the paper's ResNets); the transformed ticket keeps the source's per-layer sparsities.",
      ),
    ),
    blocks_per_stage: req({
      kind: "array",
      items: BLOCKS,
      minItems: 2,
      doc:
        "The family's members as residual blocks per stage of model's ResNet (3: ResNet-20, 5: ResNet-32, 9: ResNet-56); IMP runs on each.",
    }),
    transfers: req({
      kind: "array",
      minItems: 1,
      doc: "Source -> target pairs, as blocks per stage: to > from stretches, to < from squeezes.",
      items: obj("One transformation.", {
        from: req({ ...BLOCKS, doc: "The source's blocks per stage (one of blocks_per_stage)." }),
        to: req({ ...BLOCKS, doc: "The target's blocks per stage (one of blocks_per_stage)." }),
      }),
    }),
    transfer_rounds: req({
      kind: "array",
      items: { kind: "integer", min: 1 },
      minItems: 1,
      doc: "The source's trained IMP rounds whose tickets are transformed to every target.",
    }),
  },
  controls: obj("Arms each transformed ticket must beat.", {
    shuffled: req({
      kind: "boolean",
      doc: "The transformed ticket with the target's blocks in a seeded random order per stage.",
    }),
    reinit: req({
      kind: "boolean",
      doc: "The transformed mask on a fresh initialisation of the target.",
    }),
    at_rewind: req({
      kind: "array",
      items: oneOf(
        AT_REWIND_METHODS,
        "random: the transformed ticket's per-layer counts, uniformly placed; magnitude: one-shot global magnitude of the target's trained dense weights; snip: global |g * w| at the target's rewind point; grasp: global -w * Hg there (lowest kept); synflow: global iterative SynFlow there.",
      ),
      doc:
        "Masks pruned from the target's own network at the transformed ticket's sparsity, trained from the target's rewind point.",
    }),
    snip_examples: opt({
      kind: "integer",
      min: 1,
      max: 4096,
      doc: "Training examples in SNIP's one gradient (needed with snip).",
    }),
    grasp_examples_per_class: opt({
      kind: "integer",
      min: 1,
      max: 1000,
      doc:
        "GraSP's examples of each class, ordered by class and split in two halves as Wang et al.'s code does (needed with grasp; 10 for CIFAR-10 there).",
    }),
    grasp_temperature: opt({
      kind: "number",
      min: 1,
      max: 1e6,
      doc: "GraSP's logit temperature (needed with grasp; 200 in Wang et al.'s code).",
    }),
    synflow_rounds: opt({
      kind: "integer",
      min: 1,
      max: 10000,
      doc: "SynFlow's pruning rounds (needed with synflow; 100 in Tanaka et al.).",
    }),
  }),
  arms: (cfg) => {
    const procedure = elasticConfig(cfg);
    const depth = (blocks: number) => depthOf(cfg, blocks);
    return [
      ...procedure.blocks_per_stage.map((blocks) => ELASTIC_ARMS.imp(depth(blocks))),
      ...procedure.transfers.flatMap((t) => transferArms(cfg, depth(t.from), depth(t.to))),
    ];
  },
  widths: (cfg) => [firstWidth(cfg)],
  rules: [
    ...trainingRules("procedure", (cfg) => elasticConfig(cfg)),
    {
      doc: "model is a ResNet: stem, stages of residual blocks, head",
      check(cfg, fail) {
        try {
          resnetStages(configuredLayers(cfg));
        } catch (error) {
          fail("model", (error as Error).message);
        }
      },
    },
    ...IMP_SCHEDULE_RULES,
    {
      doc: "procedure.blocks_per_stage lists distinct counts",
      check(cfg, fail) {
        const seen = new Set<number>();
        elasticConfig(cfg).blocks_per_stage.forEach((n, i) => {
          if (seen.has(n)) {
            fail(`procedure.blocks_per_stage[${i}]`, `${n} is listed twice; list each depth once`);
          }
          seen.add(n);
        });
      },
    },
    {
      doc: "procedure.transfers join two different members of blocks_per_stage, each pair once",
      check(cfg, fail) {
        const { blocks_per_stage: members, transfers } = elasticConfig(cfg);
        const seen = new Set<string>();
        transfers.forEach((t, i) => {
          const path = `procedure.transfers[${i}]`;
          for (const key of ["from", "to"] as const) {
            if (!members.includes(t[key])) {
              fail(
                `${path}.${key}`,
                `expected one of procedure.blocks_per_stage (${members.join(", ")}), got ${t[key]}`,
              );
            }
          }
          if (t.from === t.to) {
            fail(path, `from and to are both ${t.from}; a transfer changes depth`);
          }
          // The ETT never replicates block 0, so a 1-block stage has nothing to stretch.
          if (t.from === 1 && t.to > 1) {
            fail(
              `${path}.from`,
              `a source with 1 block per stage cannot be stretched (block 0 is never replicated); use a source with 2 or more`,
            );
          }
          const key = `${t.from}>${t.to}`;
          if (seen.has(key)) fail(path, `the transfer ${t.from} -> ${t.to} is listed twice`);
          seen.add(key);
        });
      },
    },
    {
      doc: "procedure.transfer_rounds are trained rounds, each once",
      check(cfg, fail) {
        const procedure = elasticConfig(cfg);
        const trained = trainedRounds(procedure as unknown as ImpProcedure);
        const seen = new Set<number>();
        procedure.transfer_rounds.forEach((r, i) => {
          const path = `procedure.transfer_rounds[${i}]`;
          if (!trained.includes(r)) {
            fail(path, `expected a trained round (${trained.join(", ")}), got ${r}`);
          }
          if (seen.has(r)) fail(path, `round ${r} is listed twice; list each round once`);
          seen.add(r);
        });
      },
    },
    {
      doc:
        "each saliency method's controls (snip_examples; grasp_examples_per_class, grasp_temperature; synflow_rounds) are given exactly when controls.at_rewind lists it",
      check(cfg, fail) {
        const controls = elasticControls(cfg);
        for (const [method, keys] of Object.entries(METHOD_CONTROLS)) {
          const listed = controls.at_rewind.includes(method as AtRewindMethod);
          for (const key of keys) {
            const given = controls[key] !== undefined;
            if (listed && !given) {
              fail(`controls.${key}`, `missing; ${method} needs ${CONTROL_DOCS[key]}`);
            }
            if (!listed && given) {
              fail(
                `controls.${key}`,
                `given, but controls.at_rewind does not list ${method}; remove it or add ${method}`,
              );
            }
          }
        }
        const seen = new Set<string>();
        controls.at_rewind.forEach((method, i) => {
          if (seen.has(method)) {
            fail(`controls.at_rewind[${i}]`, `${method} is listed twice; list each method once`);
          }
          seen.add(method);
        });
      },
    },
  ],
  figures: () => ["accuracy", "kappa"],
};
