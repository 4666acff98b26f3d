/**
 * ReLU, y = max(x, 0). Its forward runs as the epilogue of the layer before it (the dense
 * products apply it in their store), so it has no forward dispatch of its own; its backward,
 * dx = dy * [y > 0] (so ReLU'(0) = 0), runs in place on the gradient (kernels/relu_backward.wgsl).
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareReluBackward } from "../nn/relu_backward.ts";
import type { Layer, LayerContext, LayerGradients } from "./layer.ts";

export class ReluLayer implements Layer {
  readonly kind = "relu";
  readonly inPlaceBackward = true;
  readonly outputs: number;

  constructor(readonly inputs: number) {
    this.outputs = inputs;
  }

  fuses(): boolean {
    return false;
  }

  forward(): Promise<Dispatch[]> {
    // The trainer fuses every ReLU into the layer before it (model.ts refuses any other place).
    throw new Error("relu has no standalone forward: it runs as the previous layer's epilogue");
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    return [
      await prepareReluBackward(context.gpu, context.pool, {
        n: context.runs * at.batch * this.inputs,
        activations: at.y,
        grads: at.dy,
      }),
    ];
  }
}
