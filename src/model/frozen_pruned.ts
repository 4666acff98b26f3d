/**
 * Pruned weights frozen at their values instead of set to 0 (Zhou et al. 2019's "mask-0 action"
 * of freezing): the products read W whole (pruned entries hold their initial values), the weight
 * gradient is multiplied by the mask, and the optimizer sees every entry. A pruned weight's
 * gradient is then exactly 0, so with zero initial moments Adam's update m / (sqrt(v) + eps) and
 * momentum SGD's are exactly 0 and the weight keeps its value bit for bit (neither optimizer here
 * has weight decay on this path: SGD's decay would move it, so a config pairing them is refused by
 * the procedure). Kept weights train exactly as under MaskedWeights.
 */
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";

export class FrozenPrunedWeights implements Parameterization {
  readonly name = "frozen-pruned";
  readonly storedTensors = [];

  bind(store: ParameterStore): Promise<BoundParameterization> {
    const everything = store.pool.upload(
      "optimizer mask (all entries)",
      new Float32Array(store.runs * store.layout.perRun).fill(1),
    );
    return Promise.resolve({
      operands: { weights: store.params, gradMask: store.mask },
      beforeStep: [],
      beforeEvaluation: [],
      afterBackward: [],
      trained: { values: store.params, grads: store.grads, optimizerMask: everything },
      stored: new Map(),
    });
  }
}
