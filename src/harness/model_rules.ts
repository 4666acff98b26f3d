/**
 * The three forms of `model` in an experiment file, told apart by `kind`: `kind: mlp` lists widths
 * from input to output with `activation`; a named kind (`conv4`) has no `layers`; without `kind`,
 * `layers` is the layer list itself (`{dense: N}`, `{conv: C}`, `{residual: C}`, `relu`, `sign`,
 * pooling and batch-norm entries), whose activations are entries of their own.
 */
import { type CrossRule, showValue } from "../config/descriptors.ts";
import { NAMED_MODEL_KINDS, type NamedModelKind } from "../config/types.ts";

type Entry = Record<string, unknown>;

/** An entry as the file writes it: `{dense: 30}`, `{conv: 64, kernel: 5}`, `relu`, `784`. */
function shown(entry: unknown): string {
  if (typeof entry !== "object" || entry === null) return showValue(entry);
  const fields = Object.entries(entry as Entry).map(([key, value]) => `${key}: ${value}`);
  return `{${fields.join(", ")}}`;
}

const isMap = (entry: unknown): entry is Entry => typeof entry === "object" && entry !== null;
const isNorm = (entry: unknown) => entry === "batchnorm" || entry === "batchnorm-nonaffine";

/** Why a map entry is not exactly one of `{dense: N}`, a conv or a residual block with their options. */
function mapProblem(entry: Entry): string | null {
  const kinds = ["dense", "conv", "residual"].filter((key) => entry[key] !== undefined);
  if (kinds.length !== 1) {
    return `expected exactly one of dense, conv or residual in a layer map, got ${shown(entry)}`;
  }
  const allowed: Record<string, string[]> = {
    dense: ["bias"],
    conv: ["kernel", "stride", "padding", "bias"],
    residual: ["stride"],
  };
  const extra = ["kernel", "stride", "padding", "bias"].filter((key) =>
    entry[key] !== undefined && !allowed[kinds[0]].includes(key)
  );
  if (extra.length > 0) {
    const kind = kinds[0];
    const fix = kind === "residual" ? "" : " or make it {conv: C}";
    return `expected only ${allowed[kind].join(", ")} beside ${kind}, got ${extra.join(", ")} in ${
      shown(entry)
    }; remove ${extra.join(", ")}${fix}`;
  }
  return null;
}

export const MODEL_FORM_RULE: CrossRule = {
  doc:
    "with model.kind: mlp, model.layers are widths and model.activation is given; with a named kind (conv2, conv4, conv6, resnet-20, resnet-32, resnet-56) there are no model.layers; without kind, model.layers are {dense: N}, {conv: C}, {residual: C}, relu, maxpool, global_avgpool, batchnorm, batchnorm-nonaffine and sign entries, a relu follows a dense, conv or batchnorm layer, and there is no model.activation; width_multiplier only with a named kind",
  check(cfg, fail) {
    const model = cfg.model as {
      kind?: string;
      layers?: unknown[];
      activation?: string;
      width_multiplier?: number;
    };
    const named = NAMED_MODEL_KINDS.includes(model.kind as NamedModelKind);
    if (model.width_multiplier !== undefined && !named) {
      fail(
        "model.width_multiplier",
        `expected width_multiplier only with a named kind (${
          NAMED_MODEL_KINDS.join(", ")
        }), got it with ${model.kind === undefined ? "a layer list" : `kind: ${model.kind}`}`,
        true,
      );
    }
    if (named) {
      if (model.layers !== undefined) {
        fail(
          "model.layers",
          `expected no layers with kind: ${model.kind} (it names its layer list); remove model.layers, or remove kind to write the list`,
          true,
        );
      }
      if (model.activation !== undefined) {
        fail(
          "model.activation",
          `expected no activation with kind: ${model.kind} (its ReLUs are part of it); remove model.activation`,
          true,
        );
      }
      return;
    }
    const layers = model.layers;
    if (layers === undefined) {
      fail(
        "model",
        `expected model.layers (a layer list, or widths with kind: mlp) or a named kind (${
          NAMED_MODEL_KINDS.join(", ")
        }), got neither`,
        true,
      );
      return;
    }
    if (model.kind === "mlp") {
      layers.forEach((entry, i) => {
        if (typeof entry !== "number") {
          fail(
            `model.layers[${i}]`,
            `expected a width (kind: mlp lists widths from input to output), got ${
              shown(entry)
            }; remove kind: mlp to write a layer list`,
          );
        }
      });
      if (model.activation === undefined) {
        fail("model", "expected model.activation (relu) with kind: mlp, got none", true);
      }
      return;
    }
    if (model.activation !== undefined) {
      fail(
        "model.activation",
        "expected no activation: a layer list names its activations as entries (relu); remove model.activation",
        true,
      );
    }
    let dense = 0;
    layers.forEach((entry, i) => {
      if (typeof entry === "number") {
        fail(
          `model.layers[${i}]`,
          `expected a layer ({dense: N}, {conv: C}, {residual: C}, relu, sign, a pooling or a batch norm), got the width ${entry}; add kind: mlp to list widths`,
        );
      }
      if (isMap(entry)) {
        const problem = mapProblem(entry);
        if (problem) fail(`model.layers[${i}]`, problem);
        if (entry.dense !== undefined) dense++;
      }
      if (entry === "relu" && (i === 0 || !(isMap(layers[i - 1]) || isNorm(layers[i - 1])))) {
        fail(
          `model.layers[${i}]`,
          `expected relu right after a dense, conv or batchnorm layer (it runs as that layer's epilogue), got it after ${
            i === 0 ? "the input" : shown(layers[i - 1])
          }`,
        );
      }
    });
    if (dense === 0) fail("model.layers", "expected at least one {dense: N} layer, got none");
  },
};
