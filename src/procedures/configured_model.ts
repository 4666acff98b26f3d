/** The model an experiment declares, built for its data set (and a swept hidden width). */
import { UsageError } from "../base/errors.ts";
import type { ModelConfig } from "../config/types.ts";
import {
  buildModel,
  denseWidths,
  type Model,
  modelLayerSpecs,
  withHiddenWidth,
} from "../model/mod.ts";

/**
 * `inputs` is the data set's features per example; the `kind: mlp` shorthand states it as its
 * first width, which must agree. With `hiddenWidth`, every hidden dense layer gets that width.
 */
export function configuredModel(model: ModelConfig, inputs: number, hiddenWidth?: number): Model {
  if (model.kind === "mlp" && model.layers[0] !== inputs) {
    throw new UsageError(
      `model.layers starts with ${
        model.layers[0]
      } inputs but the data set has ${inputs} features per example; set model.layers[0] to ${inputs}`,
    );
  }
  const specs = modelLayerSpecs(model);
  return buildModel(
    hiddenWidth === undefined ? specs : withHiddenWidth(specs, hiddenWidth),
    inputs,
  );
}

/** The first hidden width (results.csv `width`): the first dense layer's outputs. */
export function firstWidth(model: ModelConfig): number {
  return denseWidths(modelLayerSpecs(model))[0];
}

/** The number of dense (weight) layers. */
export function weightLayerCount(model: ModelConfig): number {
  return denseWidths(modelLayerSpecs(model)).length;
}
