export { BernoulliSupermask } from "./bernoulli_supermask.ts";
export { BatchNormLayer } from "./batchnorm.ts";
export { Biprop } from "./biprop.ts";
export { Conv2dLayer, type FeatureMaps, featureMapsOf } from "./conv2d.ts";
export { DenseLayer } from "./dense.ts";
export { EdgePopup } from "./edge_popup.ts";
export { type InitName, initParams, initStd } from "./init.ts";
export type { Layer, LayerContext, ProductOperands } from "./layer.ts";
export {
  biasBlock,
  denseShape,
  flatStates,
  initialNetwork,
  initialState,
  layoutOf,
  mlpLayout,
  type Network,
  type ParamLayout,
  type WeightBlock,
  weightBlock,
  type WeightShape,
} from "./layout.ts";
export { GlobalAvgPoolLayer } from "./global_avgpool.ts";
export { MaxPoolLayer } from "./maxpool.ts";
export { namedModelSpecs } from "./named_models.ts";
export { MaskedWeights } from "./masked.ts";
export { LinearizedDenseLayer, linearizeModel, TangentReluLayer } from "./linearized.ts";
export { LinearizedWeights } from "./linearized_weights.ts";
export { FrozenPrunedWeights } from "./frozen_pruned.ts";
export {
  buildModel,
  denseWidths,
  describeLayer,
  type LayerSpec,
  mlpLayerSpecs,
  mlpModel,
  type Model,
  modelLayerSpecs,
  weightLayerCount,
  withHiddenWidth,
} from "./model.ts";
export type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
  TrainedTensor,
} from "./parameterization.ts";
export { ReluLayer } from "./relu.ts";
export { ResidualBlockLayer } from "./residual.ts";
export { resnetDepth, resnetStages, withBlocksPerStage } from "./resnet_depth.ts";
export { SignLayer } from "./sign.ts";
export {
  f64Backward,
  f64Forward,
  f64Gradient,
  f64Outputs,
  type F64Pass,
  type F64PassOptions,
  type Gates,
} from "./f64_pass.ts";
