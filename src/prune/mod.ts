export { assertBinaryMask, countKept, keptAfterRound } from "./mask.ts";
export { pruneSmallest } from "./magnitude.ts";
export { randomMask } from "./random.ts";
