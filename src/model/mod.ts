export { BernoulliSupermask } from "./bernoulli_supermask.ts";
export { DenseLayer } from "./dense.ts";
export { EdgePopup } from "./edge_popup.ts";
export { type InitName, initParams, initStd } from "./init.ts";
export type { Layer, LayerContext, ProductOperands } from "./layer.ts";
export {
  biasBlock,
  type DenseLayout,
  layoutOf,
  mlpLayout,
  type ParamLayout,
  weightBlock,
} from "./layout.ts";
export { MaskedWeights } from "./masked.ts";
export { FrozenPrunedWeights } from "./frozen_pruned.ts";
export {
  buildModel,
  denseWidths,
  type LayerSpec,
  mlpLayerSpecs,
  mlpModel,
  type Model,
  modelLayerSpecs,
  withHiddenWidth,
} from "./model.ts";
export type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
  TrainedTensor,
} from "./parameterization.ts";
export { ReluLayer } from "./relu.ts";
