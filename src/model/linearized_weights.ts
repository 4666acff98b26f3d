/**
 * The weight parameterization of a linearized network (src/model/linearized.ts): theta is trained
 * (the parameters, so the optimizer, its weight decay and the checkpoints see theta itself), theta0
 * is stored (`anchor`, set at reset), and before every step and evaluation the products' weights
 * are formed as the step theta - theta0 (kernels/add.wgsl's difference). Like MaskedWeights(false)
 * no mask enters the products: pruned entries must be 0 in both theta and theta0 at reset (the
 * optimizer's mask then keeps theta's at 0, so their step stays exactly 0).
 */
import { prepareAdd } from "../nn/add.ts";
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";

export class LinearizedWeights implements Parameterization {
  readonly name = "linearized";
  readonly storedTensors = ["anchor"];

  async bind(store: ParameterStore): Promise<BoundParameterization> {
    const { gpu, pool, runs, layout } = store;
    const n = runs * layout.perRun;
    const anchor = pool.storage("linearization point theta0", n * 4);
    const step = pool.storage("linearized step theta - theta0", n * 4);
    const formStep = await prepareAdd(gpu, pool, {
      n,
      a: store.params,
      b: anchor,
      y: step,
      subtract: true,
    });
    return {
      operands: { weights: step, anchor },
      beforeStep: [formStep],
      beforeEvaluation: [formStep],
      afterBackward: [],
      trained: { values: store.params, grads: store.grads, optimizerMask: store.mask },
      stored: new Map([["anchor", anchor]]),
    };
  }
}
