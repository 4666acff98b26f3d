/**
 * The two forms of `model` in an experiment file, told apart by `kind`: `kind: mlp` lists widths
 * from input to output with `activation`; without `kind`, `layers` is the layer list itself
 * (`{dense: N}` and `relu` entries), whose activations are entries of their own.
 */
import { type CrossRule, showValue } from "../config/descriptors.ts";

/** An entry as the file writes it: `{dense: 30}`, `relu`, `784`. */
function shown(entry: unknown): string {
  const dense = (entry as { dense?: unknown } | null)?.dense;
  return typeof entry === "object" && dense !== undefined ? `{dense: ${dense}}` : showValue(entry);
}

export const MODEL_FORM_RULE: CrossRule = {
  doc:
    "with model.kind: mlp, model.layers are widths and model.activation is given; without it, model.layers are {dense: N} and relu entries, a relu follows a dense layer, and there is no model.activation",
  check(cfg, fail) {
    const model = cfg.model as { kind?: string; layers: unknown[]; activation?: string };
    if (model.kind === "mlp") {
      model.layers.forEach((entry, i) => {
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
    model.layers.forEach((entry, i) => {
      if (typeof entry === "number") {
        fail(
          `model.layers[${i}]`,
          `expected a layer ({dense: N} or relu), got the width ${entry}; add kind: mlp to list widths`,
        );
      }
      if (entry === "relu" && (i === 0 || typeof model.layers[i - 1] !== "object")) {
        fail(
          `model.layers[${i}]`,
          `expected relu right after a dense layer (it runs as that layer's epilogue), got it after ${
            i === 0 ? "the input" : shown(model.layers[i - 1])
          }`,
        );
      }
      if (typeof entry === "object") dense++;
    });
    if (dense === 0) fail("model.layers", "expected at least one {dense: N} layer, got none");
  },
};
