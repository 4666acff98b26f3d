/**
 * Global average pooling, y[b, c] = mean over the image of x[b, c, :, :] (PyTorch's
 * AdaptiveAvgPool2d(1) then flatten), the head of a CIFAR ResNet; backward spreads dy[b, c] / (H*W)
 * over the image (kernels/global_avgpool*.wgsl).
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareGlobalAvgPool } from "../nn/global_avgpool.ts";
import { prepareGlobalAvgPoolBackward } from "../nn/global_avgpool_backward.ts";
import { type FeatureMaps, poolShape } from "./conv2d.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";

export class GlobalAvgPoolLayer implements Layer {
  readonly kind = "global_avgpool";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;

  constructor(readonly input: FeatureMaps) {
    this.inputs = input.channels * input.height * input.width;
    this.outputs = input.channels;
  }

  fuses(): boolean {
    return false;
  }

  async forward(context: LayerContext, at: LayerActivations): Promise<Dispatch[]> {
    return [
      await prepareGlobalAvgPool(context.gpu, context.pool, {
        ...poolShape(this.input, context.runs, at.batch),
        x: at.x,
        y: at.y,
      }),
    ];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    if (!at.dx) return []; // a first layer without weights has nothing to pass back to
    return [
      await prepareGlobalAvgPoolBackward(context.gpu, context.pool, {
        ...poolShape(this.input, context.runs, at.batch),
        dy: at.dy,
        dx: at.dx,
      }),
    ];
  }
}
