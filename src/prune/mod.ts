export { assertBinaryMask, countKept, keptAfterRounds, keptAtNextLevel } from "./mask.ts";
export { pruneSmallest } from "./magnitude.ts";
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
