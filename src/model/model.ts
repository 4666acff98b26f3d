/**
 * A model is a list of layers, declared in the experiment file: `[{dense: 300}, relu,
 * {dense: 100}, relu, {dense: 10}]`, or with convolutions `[{conv: 64}, relu, maxpool,
 * {dense: 10}]`, or by name (`kind: conv4`, src/model/named_models.ts). `buildModel` turns the
 * list into layer objects and the flat parameter layout their tensors share (`sign`, MPT-1/1's binary
 * activation, keeps the shape: src/model/sign.ts); dense layers are named
 * fc1, fc2, ... and convolutions conv1, conv2, ... in order, which are their checkpoint names
 * (PyTorch's `fc1.weight` [out, in], `conv1.weight` [out, in, k, k], and `.bias`).
 */
import type { ConvSpec, DenseSpec, LayerSpec, ModelConfig, ResidualSpec } from "../config/types.ts";
import { Conv2dLayer, convGeometry, type FeatureMaps } from "./conv2d.ts";
import { DenseLayer } from "./dense.ts";
import type { Layer } from "./layer.ts";
import {
  denseShape,
  layoutOf,
  type NormShape,
  type ParamLayout,
  type WeightShape,
} from "./layout.ts";
import { BatchNormLayer } from "./batchnorm.ts";
import { GlobalAvgPoolLayer } from "./global_avgpool.ts";
import { MaxPoolLayer } from "./maxpool.ts";
import { namedModelSpecs } from "./named_models.ts";
import { ReluLayer } from "./relu.ts";
import { SignLayer } from "./sign.ts";
import { ResidualBlockLayer, residualShapes } from "./residual.ts";

export type { FeatureMaps, LayerSpec };

export interface Model {
  /** Features per input example. */
  inputs: number;
  /** Features per output (the logits). */
  outputs: number;
  layers: Layer[];
  layout: ParamLayout;
}

/** The shorthand `kind: mlp, layers: [784, 300, 100, 10]` as a layer list (input width dropped). */
export function mlpLayerSpecs(widths: readonly number[]): LayerSpec[] {
  return widths.slice(1).flatMap((width, l): LayerSpec[] =>
    l + 2 < widths.length ? [{ dense: width }, "relu"] : [{ dense: width }]
  );
}

/** The layer list of a model config, any form; `classes` sizes a named model's last layer. */
export function modelLayerSpecs(model: ModelConfig, classes: number): LayerSpec[] {
  if (model.kind === "mlp") return mlpLayerSpecs(model.layers);
  if (model.kind === undefined) return model.layers;
  return namedModelSpecs(model.kind, classes, model.width_multiplier);
}

function isDense(spec: LayerSpec): spec is DenseSpec {
  return typeof spec === "object" && "dense" in spec;
}

function isConv(spec: LayerSpec): spec is ConvSpec {
  return typeof spec === "object" && "conv" in spec;
}

function isResidual(spec: LayerSpec): spec is ResidualSpec {
  return typeof spec === "object" && "residual" in spec;
}

/** The dense layers' output widths in order (the last is the class count). */
export function denseWidths(specs: readonly LayerSpec[]): number[] {
  return specs.flatMap((spec) => (isDense(spec) ? [spec.dense] : []));
}

/**
 * The number of weight tensors (convolutions, dense layers, and a residual block's two or three
 * convolutions) of a list on inputs of `inputChannels` channels.
 */
export function weightLayerCount(specs: readonly LayerSpec[], inputChannels: number): number {
  let channels = inputChannels, count = 0;
  for (const spec of specs) {
    if (isDense(spec) || isConv(spec)) {
      count++;
      channels = isDense(spec) ? spec.dense : spec.conv;
    } else if (isResidual(spec)) {
      const projected = (spec.stride ?? 1) !== 1 || spec.residual !== channels;
      count += projected ? 3 : 2;
      channels = spec.residual;
    }
  }
  return count;
}

/** The same list with every hidden dense layer's width set to `width` (width sweeps). */
export function withHiddenWidth(specs: readonly LayerSpec[], width: number): LayerSpec[] {
  const dense = denseWidths(specs).length;
  let seen = 0;
  return specs.map((spec) => {
    if (!isDense(spec)) return spec;
    seen++;
    return seen < dense ? { ...spec, dense: width } : spec;
  });
}

/** An entry as a file writes it: `{conv: 64, kernel: 5}`, `{residual: 32, stride: 2}`, `relu`. */
export function describeLayer(spec: LayerSpec): string {
  if (typeof spec !== "object") return spec;
  const fields = Object.entries(spec).map(([key, value]) => `${key}: ${value}`);
  return `{${fields.join(", ")}}`;
}

/** A flat input of `features` values (no image structure: convolutions refuse it). */
function flatShape(features: number): FeatureMaps {
  return { channels: features, height: 1, width: 1 };
}

/**
 * The model of a layer list on inputs of `input` (an image shape, or a feature count for models
 * without convolutions). Every shape error names the layer and what it got.
 */
export function buildModel(specs: readonly LayerSpec[], input: FeatureMaps | number): Model {
  const image = typeof input === "number" ? flatShape(input) : input;
  const inputs = image.channels * image.height * image.width;
  const where = (i: number) => `layer ${i + 1} (${describeLayer(specs[i])})`;

  // First pass: every layer's input shape, and the weight and norm shapes for the layout.
  const shapes: WeightShape[] = [];
  const norms: NormShape[] = [];
  const inputShapes: FeatureMaps[] = [];
  let shape = image;
  let denseCount = 0, convCount = 0;
  const needsImage = (i: number) => {
    if (typeof input === "number") {
      throw new RangeError(
        `${where(i)} needs image inputs (channels x height x width), got ${input} flat features`,
      );
    }
  };
  specs.forEach((spec, i) => {
    inputShapes.push(shape);
    if (isDense(spec)) {
      const features = shape.channels * shape.height * shape.width;
      shapes.push(denseShape(denseCount++, features, spec.dense, spec.bias ?? true));
      shape = flatShape(spec.dense);
    } else if (isConv(spec)) {
      needsImage(i);
      const geometry = convGeometry(shape, spec, where(i));
      shapes.push({
        name: `conv${++convCount}`,
        inputs: shape.channels * geometry.kernel * geometry.kernel,
        outputs: spec.conv,
        shape: [spec.conv, shape.channels, geometry.kernel, geometry.kernel],
        receptiveField: geometry.kernel * geometry.kernel,
        bias: spec.bias ?? true,
      });
      shape = geometry.output;
    } else if (isResidual(spec)) {
      needsImage(i);
      const block = residualShapes(
        shape,
        spec,
        { convs: convCount, norms: norms.length },
        where(i),
      );
      shapes.push(...block.weights);
      norms.push(...block.norms);
      convCount += block.weights.length;
      shape = block.output;
    } else if (spec === "maxpool") {
      shape = MaxPoolLayer.outputShape(shape, where(i));
    } else if (spec === "global_avgpool") {
      shape = flatShape(shape.channels);
    } else if (spec === "batchnorm" || spec === "batchnorm-nonaffine") {
      norms.push({
        name: `bn${norms.length + 1}`,
        channels: shape.channels,
        affine: spec === "batchnorm",
      });
    }
  });
  const layout = layoutOf(inputs, shapes, norms);

  const layers: Layer[] = [];
  let weightLayer = 0, norm = 0;
  specs.forEach((spec, i) => {
    const at = inputShapes[i];
    let layer: Layer;
    if (isDense(spec)) {
      layer = new DenseLayer(layout.layers[weightLayer++]);
    } else if (isConv(spec)) {
      layer = new Conv2dLayer(layout.layers[weightLayer++], at, spec);
    } else if (isResidual(spec)) {
      const block = new ResidualBlockLayer(
        at,
        spec,
        layout.layers.slice(weightLayer),
        layout.norms.slice(norm),
      );
      weightLayer += block.geometries.length;
      norm += block.geometries.length;
      layer = block;
    } else if (spec === "maxpool") {
      layer = new MaxPoolLayer(at);
    } else if (spec === "global_avgpool") {
      layer = new GlobalAvgPoolLayer(at);
    } else if (spec === "batchnorm" || spec === "batchnorm-nonaffine") {
      layer = new BatchNormLayer(layout.norms[norm++], at);
    } else if (spec === "sign") {
      layer = new SignLayer(at.channels * at.height * at.width);
    } else {
      layer = new ReluLayer(at.channels * at.height * at.width);
    }
    const previous = layers[layers.length - 1];
    if (layer.kind === "relu" && !(previous && previous.fuses(layer))) {
      throw new RangeError(
        `${
          where(i)
        } must follow a layer that applies it in its output (dense, conv or batchnorm), got ${
          i === 0 ? "the input" : describeLayer(specs[i - 1])
        }; put relu after a dense, conv or batchnorm layer (a residual block applies its own)`,
      );
    }
    layers.push(layer);
  });
  if (denseCount === 0) {
    throw new RangeError(
      `a model needs at least one dense layer (the classifier), got [${
        specs.map(describeLayer).join(", ")
      }]`,
    );
  }
  return { inputs, outputs: layers[layers.length - 1].outputs, layers, layout };
}

/** An MLP from its widths, input first: [784, 300, 100, 10]. */
export function mlpModel(widths: readonly number[]): Model {
  return buildModel(mlpLayerSpecs(widths), widths[0]);
}
