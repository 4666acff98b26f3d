/**
 * A model is a list of layers, declared in the experiment file: `[{dense: 300}, relu,
 * {dense: 100}, relu, {dense: 10}]`. `buildModel` turns the list into layer objects and the flat
 * parameter layout their tensors share; dense layers are named fc1, fc2, ... in order, which are
 * their checkpoint names (PyTorch's `fc1.weight` [out, in], `fc1.bias`).
 */
import type { LayerSpec, ModelConfig } from "../config/types.ts";
import { DenseLayer } from "./dense.ts";
import type { Layer } from "./layer.ts";
import { type DenseShape, layoutOf, type ParamLayout } from "./layout.ts";
import { ReluLayer } from "./relu.ts";

export type { LayerSpec };

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

/** The layer list of a model config, either form. */
export function modelLayerSpecs(model: ModelConfig): LayerSpec[] {
  return model.kind === "mlp" ? mlpLayerSpecs(model.layers) : model.layers;
}

/** The dense layers' output widths in order (the last is the class count). */
export function denseWidths(specs: readonly LayerSpec[]): number[] {
  return specs.flatMap((spec) => (typeof spec === "object" ? [spec.dense] : []));
}

/** The same list with every hidden dense layer's width set to `width` (width sweeps). */
export function withHiddenWidth(specs: readonly LayerSpec[], width: number): LayerSpec[] {
  const dense = denseWidths(specs).length;
  let seen = 0;
  return specs.map((spec) => {
    if (typeof spec !== "object") return spec;
    seen++;
    return seen < dense ? { dense: width } : spec;
  });
}

function describe(spec: LayerSpec): string {
  return typeof spec === "object" ? `{dense: ${spec.dense}}` : spec;
}

export function buildModel(specs: readonly LayerSpec[], inputs: number): Model {
  const shapes: DenseShape[] = [];
  let features = inputs;
  for (const spec of specs) {
    if (typeof spec === "object") {
      shapes.push({ inputs: features, outputs: spec.dense });
      features = spec.dense;
    }
  }
  const layout = layoutOf(inputs, shapes);
  const layers: Layer[] = [];
  features = inputs;
  let dense = 0;
  specs.forEach((spec, i) => {
    const layer = typeof spec === "object"
      ? new DenseLayer(layout.layers[dense++])
      : new ReluLayer(features);
    const previous = layers[layers.length - 1];
    if (layer.kind === "relu" && !(previous && previous.fuses(layer))) {
      throw new RangeError(
        `layer ${i + 1} (relu) must follow a layer that applies it in its output (dense), got ${
          i === 0 ? "the input" : describe(specs[i - 1])
        }; put relu after a dense layer`,
      );
    }
    layers.push(layer);
    features = layer.outputs;
  });
  if (dense === 0) {
    throw new RangeError(
      `a model needs at least one dense layer, got [${specs.map(describe).join(", ")}]`,
    );
  }
  return { inputs, outputs: features, layers, layout };
}

/** An MLP from its widths, input first: [784, 300, 100, 10]. */
export function mlpModel(widths: readonly number[]): Model {
  return buildModel(mlpLayerSpecs(widths), widths[0]);
}
