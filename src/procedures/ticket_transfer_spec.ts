/**
 * The `ticket-transfer` procedure's fields, controls, arms and rules (its code is
 * ticket_transfer.ts): IMP's schedule (imp_spec.ts) run on a source and on a target data set,
 * and `procedure.transfers`, which names the source of every target:
 *
 *   data: { dataset: [mnist, fashion-mnist] }
 *   procedure:
 *     transfers:
 *       - { source: mnist, target: fashion-mnist }
 *       - { source: fashion-mnist, target: mnist }
 */
import { firstWidth } from "./configured_model.ts";
import { type CrossRule, obj, oneOf, req, trainingRules } from "../config/descriptors.ts";
import { DATASET_NAMES, DATASET_SHAPES, type DatasetName, datasetsOf } from "../config/datasets.ts";
import type { ExperimentConfig } from "../config/types.ts";
import type { ProcedureSpec } from "./spec.ts";
import { IMP_SCHEDULE_FIELDS, IMP_SCHEDULE_RULES, type ImpSchedule } from "./imp_spec.ts";

/** The arms of a target data set's rows (results.csv `arm`). */
export const TRANSFER_ARMS = {
  /** The target's own IMP ticket (level 0: its dense network). */
  ticket: "ticket",
  /** The source's ticket: its masks over its rewound weights, trained on the target. */
  transferred: "transferred",
  /** Morcos et al.'s random ticket: random masks, transferred counts, a fresh initialisation. */
  randomMask: "random-mask",
} as const;

/** One direction: the ticket IMP finds on `source`, trained on `target`. */
export interface Transfer {
  source: DatasetName;
  target: DatasetName;
}

export interface TicketTransferProcedure extends ImpSchedule {
  name: "ticket-transfer";
  transfers: Transfer[];
}

export interface TicketTransferControls {
  /** Random masks with the transferred ticket's per-layer counts from a fresh init. */
  random_mask: boolean;
}

export const transferConfig = (cfg: ExperimentConfig) =>
  cfg.procedure as unknown as TicketTransferProcedure;
export const transferControls = (cfg: ExperimentConfig) =>
  cfg.controls as unknown as TicketTransferControls;

/**
 * The source whose ticket `target` receives (the schema has checked that every data set the
 * config runs on is the target of exactly one transfer).
 */
export function sourceOf(cfg: ExperimentConfig, target: DatasetName): DatasetName {
  const found = transferConfig(cfg).transfers.find((t) => t.target === target);
  if (!found) {
    throw new Error(
      `procedure.transfers names no source for ${target}; the schema should have refused this config (internal error)`,
    );
  }
  return found.source;
}

/** An image shape and class count, as a message shows it: "1x28x28, 10 classes". */
function shapeText(name: DatasetName): string {
  const s = DATASET_SHAPES[name];
  return `${s.channels}x${s.rows}x${s.cols}, ${s.classes} classes`;
}

const TRANSFER_RULES: CrossRule[] = [
  {
    doc:
      "procedure.transfers: each target is a data set of data.dataset, the target of no other entry, and its source is another data set with the same image shape and classes",
    check(cfg, fail) {
      const names = datasetsOf(cfg.data);
      const firstEntry = new Map<DatasetName, number>();
      transferConfig(cfg).transfers.forEach(({ source, target }, i) => {
        const path = `procedure.transfers[${i}]`;
        if (!names.includes(target)) {
          fail(
            `${path}.target`,
            `expected a data set the experiment runs on (data.dataset: ${names.join(", ")}), got ${
              JSON.stringify(target)
            }; add it to data.dataset or remove this transfer`,
          );
        }
        const earlier = firstEntry.get(target);
        if (earlier !== undefined) {
          fail(
            `${path}.target`,
            `${target} is already the target of procedure.transfers[${earlier}]; give each target one source`,
          );
        } else firstEntry.set(target, i);
        if (source === target) {
          fail(
            `${path}.source`,
            `equals its target (${target}): a ticket on its own data set is the ticket arm; name another data set`,
          );
        } else if (shapeText(source) !== shapeText(target)) {
          fail(
            `${path}.source`,
            `${source} has images ${shapeText(source)}, its target ${target} ${
              shapeText(target)
            }: the transferred ticket keeps every layer's masks and weights, so the source needs the target's image shape and classes (Morcos et al. give the ticket a new output layer when the classes differ, which this procedure does not do)`,
          );
        }
      });
      for (const name of names) {
        if (!firstEntry.has(name)) {
          fail(
            "procedure.transfers",
            `no entry has target ${name} (one of data.dataset); add { source: <a data set with its images>, target: ${name} }`,
          );
        }
      }
    },
  },
];

export const TICKET_TRANSFER_SPEC: ProcedureSpec = {
  name: "ticket-transfer",
  doc:
    "A ticket found by IMP on a source data set, trained on a target data set, beside the target's own ticket and random masks at the same counts (Morcos et al. 2019).",
  fields: {
    ...IMP_SCHEDULE_FIELDS,
    transfers: req({
      kind: "array",
      items: obj("One direction: the ticket IMP finds on `source`, trained on `target`.", {
        source: req(oneOf(
          DATASET_NAMES,
          "The data set IMP finds the transferred ticket on, with the target's image shape and classes (read like data.dataset's; it need not be one of them).",
        )),
        target: req(oneOf(
          DATASET_NAMES,
          "The data set the ticket is trained on: one of data.dataset, the target of no other entry.",
        )),
      }),
      minItems: 1,
      doc:
        "The source of every target: each data set of data.dataset is the target of exactly one entry. IMP runs on both with the same seeds and schedule; the source's runs lie with its own (<results>/<source>/).",
    }),
  },
  controls: obj("The control arm of every target.", {
    random_mask: req({
      kind: "boolean",
      doc:
        "Morcos et al.'s random ticket (arm random-mask): uniformly random masks with the transferred ticket's per-layer counts over a fresh model.init, trained on the target.",
    }),
  }),
  arms: (cfg) => [
    TRANSFER_ARMS.ticket,
    TRANSFER_ARMS.transferred,
    ...(transferControls(cfg).random_mask ? [TRANSFER_ARMS.randomMask] : []),
  ],
  widths: (cfg) => [firstWidth(cfg)],
  rules: [
    ...trainingRules("procedure", (cfg) => transferConfig(cfg)),
    ...IMP_SCHEDULE_RULES,
    ...TRANSFER_RULES,
  ],
  otherDatasets: (cfg) =>
    datasetsOf(cfg.data).flatMap((target) =>
      transferConfig(cfg).transfers.filter((t) => t.target === target).map((t) => t.source)
    ),
  figures: () => ["accuracy", "early-stop", "kappa"],
};
