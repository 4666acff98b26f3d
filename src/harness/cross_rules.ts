/**
 * Every rule across fields of an experiment, in the order they are checked (the first violation
 * is the one reported) and listed in the JSON Schema's description: the model fits the dataset,
 * the training cap fits the split, the normalisation and augmentation fit the images, then the
 * procedure's own rules, then the claims' rules, then
 * those of smallest_matching claims, then those of several data sets (and of the claims that name
 * one).
 */
import type { CrossRule } from "../config/descriptors.ts";
import { DATASET_SHAPES, datasetsOf } from "../config/datasets.ts";
import { buildModel, describeLayer, featureMapsOf, modelLayerSpecs } from "../model/mod.ts";
import { CLAIM_RULES } from "./claim_rules.ts";
import { DATASET_RULES } from "./dataset_rules.ts";
import { INPUT_RULES } from "./input_rules.ts";
import { MATCHING_RULES } from "./matching_rules.ts";
import { DATASETS, procedureSpecOf } from "./experiment_schema.ts";
import { MODEL_FORM_RULE } from "./model_rules.ts";

export const CROSS_RULES: CrossRule[] = [
  MODEL_FORM_RULE,
  {
    doc:
      "model.layers starts at the dataset's input size (784) and ends at its class count (10); a layer list's last dense layer has the class count (every listed dataset's), and its convolutions and poolings fit the dataset's images",
    check(cfg, fail) {
      for (const name of datasetsOf(cfg.data)) {
        const shape = DATASETS[name];
        if (cfg.model.kind === "mlp") {
          const layers = cfg.model.layers;
          if (layers[0] !== shape.inputs) {
            fail(
              "model.layers[0]",
              `expected ${shape.inputs} (the ${name} input size), got ${layers[0]}`,
            );
          }
          const last = layers.length - 1;
          if (layers[last] !== shape.classes) {
            fail(
              `model.layers[${last}]`,
              `expected ${shape.classes} (the ${name} classes), got ${layers[last]}`,
            );
          }
          continue;
        }
        if (cfg.model.kind === undefined) {
          const layers = cfg.model.layers;
          const last = layers.findLastIndex((entry) => typeof entry === "object");
          const entry = layers[last] as { dense?: number };
          if (entry.dense === undefined) {
            fail(
              `model.layers[${last}]`,
              `expected {dense: ${shape.classes}} last (the ${name} classes: the last weight layer gives the logits), got ${
                describeLayer(layers[last])
              }`,
            );
          } else if (entry.dense !== shape.classes) {
            fail(
              `model.layers[${last}].dense`,
              `expected ${shape.classes} (the ${name} classes: the last dense layer gives the logits), got ${entry.dense}`,
            );
          }
        }
        try {
          buildModel(
            modelLayerSpecs(cfg.model, shape.classes),
            featureMapsOf(DATASET_SHAPES[name]),
          );
        } catch (error) {
          fail(cfg.model.kind === undefined ? "model.layers" : "model", (error as Error).message);
        }
      }
    },
  },
  {
    doc: "data.train_limit is at most the training images left after the validation split",
    check(cfg, fail) {
      // 60,000 training images - validation = the training set the limit caps (the smallest
      // of the listed data sets').
      const train = Math.min(...datasetsOf(cfg.data).map((name) => DATASETS[name].train));
      const left = train - cfg.data.validation;
      if (cfg.data.train_limit !== undefined && cfg.data.train_limit > left) {
        fail(
          "data.train_limit",
          `expected an integer in 1..${left} (60000 - validation), got ${cfg.data.train_limit}`,
        );
      }
    },
  },
  ...INPUT_RULES,
  {
    doc: "the procedure's own rules (listed with each procedure)",
    check(cfg, fail, profile) {
      for (const rule of procedureSpecOf(cfg).rules) rule.check(cfg, fail, profile);
    },
  },
  ...CLAIM_RULES,
  ...MATCHING_RULES,
  ...DATASET_RULES,
];
