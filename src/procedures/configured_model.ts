/** The model an experiment declares, built for its data set (and a swept hidden width). */
import type { ModelConfig } from "../config/types.ts";
import {
  buildModel,
  denseWidths,
  type Model,
  modelLayerSpecs,
  withHiddenWidth,
} from "../model/mod.ts";

/**
 * `inputs` is the data set's features per example (the schema checked that the `kind: mlp`
 * shorthand's first width agrees). With `hiddenWidth`, every hidden dense layer gets that width.
 */
export function configuredModel(model: ModelConfig, inputs: number, hiddenWidth?: number): Model {
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
