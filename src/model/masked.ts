/**
 * Masked weights, W * M (IMP and dense training): the mask is given at reset, the weights and
 * biases are trained, and the optimizer leaves pruned entries untouched (update and moments times
 * the mask). With `maskInProducts` false the products read W alone: correct whenever pruned
 * weights are held at exactly 0 (IMP rewinds with the mask applied, and the optimizer keeps them
 * 0), and it saves a masked epilogue that costs about a third of the largest matmul.
 */
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";

export class MaskedWeights implements Parameterization {
  readonly name = "masked";
  readonly storedTensors = [];

  constructor(readonly maskInProducts: boolean) {}

  bind(store: ParameterStore): Promise<BoundParameterization> {
    const mask = this.maskInProducts ? store.mask : undefined;
    return Promise.resolve({
      operands: { weights: store.params, mask, gradMask: mask },
      beforeStep: [],
      beforeEvaluation: [],
      afterBackward: [],
      trained: { values: store.params, grads: store.grads, optimizerMask: store.mask },
      stored: new Map(),
    });
  }
}
