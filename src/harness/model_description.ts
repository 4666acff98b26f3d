/**
 * The network an experiment trains, as a reader rebuilds it in PyTorch: one line per layer with
 * the module it corresponds to and its checkpoint name, on the first data set's images.
 */
import { classesOf, DATASET_SHAPES, datasetsOf } from "../config/datasets.ts";
import type { ExperimentConfig } from "../config/types.ts";
import {
  type BatchNormLayer,
  buildModel,
  type Conv2dLayer,
  featureMapsOf,
  type Layer,
  modelLayerSpecs,
  type ResidualBlockLayer,
} from "../model/mod.ts";

/** `, bias=False` for a weight layer without a bias. */
function biasOption(layer: Layer): string {
  return layer.block!.bias ? "" : ", bias=False";
}

function moduleOf(layer: Layer): string {
  if (layer.kind === "conv2d") {
    const conv = layer as Conv2dLayer;
    const { kernel, stride, padding } = conv.geometry;
    return `${
      conv.block!.name
    }: nn.Conv2d(${conv.input.channels}, ${conv.geometry.output.channels}, ${kernel}, stride=${stride}, padding=${padding}${
      biasOption(conv)
    })`;
  }
  if (layer.kind === "residual") {
    // open_lth's Block.forward: relu(bn_b(conv_b(relu(bn_a(conv_a(x))))) + shortcut(x)).
    const block = layer as ResidualBlockLayer;
    const path = (p: { conv: Layer; norm: Layer }) => `${moduleOf(p.conv)} -> ${moduleOf(p.norm)}`;
    const shortcut = block.shortcut ? path(block.shortcut) : "identity";
    return `Block[${path(block.a)} -> nn.ReLU() -> ${
      path(block.b)
    }; shortcut: ${shortcut}; sum -> nn.ReLU()]`;
  }
  if (layer.kind === "dense") {
    return `${layer.block!.name}: nn.Linear(${layer.inputs}, ${layer.outputs}${biasOption(layer)})`;
  }
  if (layer.kind === "maxpool") return "nn.MaxPool2d(2)";
  if (layer.kind === "global_avgpool") return "nn.AdaptiveAvgPool2d(1)";
  if (layer.kind === "batchnorm") {
    const { norm, input } = layer as BatchNormLayer;
    const module = input.height * input.width > 1 ? "BatchNorm2d" : "BatchNorm1d";
    return `${norm.name}: nn.${module}(${norm.channels}${norm.affine ? "" : ", affine=False"})`;
  }
  if (layer.kind === "relu") return "nn.ReLU()";
  // biprop's module (models/frankle.py): torch.sign forward, Bi-Real Net's spline gradient.
  if (layer.kind === "sign") return "BiRealAct()";
  return layer.kind;
}

function modelOf(config: Pick<ExperimentConfig, "model" | "data">) {
  const shape = DATASET_SHAPES[datasetsOf(config.data)[0]];
  return buildModel(modelLayerSpecs(config.model, classesOf(config.data)), featureMapsOf(shape));
}

/** The weight layers' checkpoint names in order (results.csv's per-layer columns). */
export function weightLayerNames(config: Pick<ExperimentConfig, "model" | "data">): string[] {
  return modelOf(config).layout.layers.map((layer) => layer.name);
}

/** `[input 1x28x28] conv1: nn.Conv2d(1, 64, 3, ...) -> nn.ReLU() -> ... -> fc3: nn.Linear(256, 10)`. */
export function describeModel(config: Pick<ExperimentConfig, "model" | "data">): string {
  const shape = DATASET_SHAPES[datasetsOf(config.data)[0]];
  const model = modelOf(config);
  const modules: string[] = [];
  const firstDense = model.layers.findIndex((layer) => layer.kind === "dense");
  model.layers.forEach((layer, i) => {
    // Dense layers read an image channel-major, as flatten(1) leaves it.
    if (i === firstDense) modules.push("flatten(1)");
    modules.push(moduleOf(layer));
  });
  return `[input ${shape.channels}x${shape.rows}x${shape.cols}] ${modules.join(" -> ")}`;
}
