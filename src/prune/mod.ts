export { assertBinaryMask, countKept, keptAfterRounds, keptAtNextLevel } from "./mask.ts";
export { pruneSmallest, pruneSmallestGlobally } from "./magnitude.ts";
export { applyMasks, flatMask, layerMasks } from "./layer_masks.ts";
export { randomMask } from "./random.ts";
export {
  criterionScores,
  keepTop,
  MASK_CRITERIA,
  type MaskCriterion,
  rankByScore,
} from "./criteria.ts";
export { type KeptValues, keptValues } from "./kept_values.ts";
export { shuffleMask } from "./shuffle.ts";
export { type CountScope, masksFromScores, masksKeepingTotal } from "./score_masks.ts";
export { ablatedInit, type WeightAblationName } from "./weight_ablations.ts";
export { type MaskOverlap, maskOverlap } from "./mask_overlap.ts";
export { type Batch, mlpHessianVectorProduct, mlpLossGradient } from "./mlp_f64.ts";
export { snipScores } from "./snip.ts";
export { graspScores } from "./grasp.ts";
export {
  mlpSynflow,
  synflowMasks,
  synflowMasksKeepingTotal,
  type SynflowScorer,
  synflowScores,
} from "./synflow.ts";
export {
  type BlockOrigin,
  type ElasticBlockMap,
  elasticBlockMap,
  elasticStageOrder,
  shuffledBlockMap,
} from "./elastic_map.ts";
export {
  type ElasticTicket,
  elasticTicket,
  paperBlockMap,
  type ResNetSide,
  resnetStructure,
  type ResNetTicket,
} from "./elastic.ts";
export {
  GRASP_STEP,
  halves,
  type LabelledBatch,
  modelGraspScores,
  modelSnipScores,
  modelSynflowScores,
  saliencyBatch,
} from "./model_saliency.ts";
