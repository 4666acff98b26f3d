/** The model an experiment declares, built for its data set (and a swept hidden width). */
import { classesOf, DATASET_SHAPES, datasetsOf } from "../config/datasets.ts";
import type { ExperimentConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";
import {
  buildModel,
  featureMapsOf,
  type LayerSpec,
  type Model,
  modelLayerSpecs,
  weightLayerCount as countWeightLayers,
  withHiddenWidth,
} from "../model/mod.ts";

type ModelAndData = Pick<ExperimentConfig, "model" | "data">;

/** The config's layer list, a named architecture expanded for its data set's classes. */
export function configuredLayers(config: ModelAndData): LayerSpec[] {
  return modelLayerSpecs(config.model, classesOf(config.data));
}

/**
 * The model on the data set's images (the schema checked that the `kind: mlp` shorthand's first
 * width agrees with them). With `hiddenWidth`, every hidden dense layer gets that width.
 */
export function configuredModel(
  config: ModelAndData,
  dataset: Pick<GpuDataset, "shape">,
  hiddenWidth?: number,
): Model {
  const specs = configuredLayers(config);
  return buildModel(
    hiddenWidth === undefined ? specs : withHiddenWidth(specs, hiddenWidth),
    featureMapsOf(dataset.shape),
  );
}

/**
 * The first hidden width (results.csv `width`): the first weight layer's outputs (a dense layer's
 * width, a convolution's channels).
 */
export function firstWidth(config: ModelAndData): number {
  const first = configuredLayers(config).find((spec) => typeof spec === "object");
  if (!first || typeof first !== "object") throw new RangeError("the model has no weight layer");
  return "dense" in first ? first.dense : "conv" in first ? first.conv : first.residual;
}

/** The number of weight tensors (convolutions, dense layers, residual blocks' convolutions). */
export function weightLayerCount(config: ModelAndData): number {
  const channels = DATASET_SHAPES[datasetsOf(config.data)[0]].channels;
  return countWeightLayers(configuredLayers(config), channels);
}
