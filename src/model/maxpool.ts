/**
 * 2x2 max pooling with stride 2 on NCHW images (floor: an odd last row or column is dropped, as
 * PyTorch's MaxPool2d(2) does). Backward routes each output's gradient to its window's first
 * maximum in scan order and writes 0 elsewhere (kernels/maxpool2d*.wgsl).
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareMaxPool2d } from "../nn/maxpool2d.ts";
import { prepareMaxPool2dBackward } from "../nn/maxpool2d_backward.ts";
import { type FeatureMaps, poolShape } from "./conv2d.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";

const WINDOW = 2;

export class MaxPoolLayer implements Layer {
  readonly kind = "maxpool";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;
  readonly output: FeatureMaps;

  /** The pooled shape of `input`; a RangeError naming `where` when the image is under 2x2. */
  static outputShape(input: FeatureMaps, where: string): FeatureMaps {
    const height = Math.floor(input.height / WINDOW);
    const width = Math.floor(input.width / WINDOW);
    if (height < 1 || width < 1) {
      throw new RangeError(
        `${where} needs an image of at least 2x2, got ${input.channels}x${input.height}x${input.width}; remove a maxpool or use a larger input`,
      );
    }
    return { channels: input.channels, height, width };
  }

  constructor(readonly input: FeatureMaps) {
    this.output = MaxPoolLayer.outputShape(input, "maxpool");
    this.inputs = input.channels * input.height * input.width;
    this.outputs = this.output.channels * this.output.height * this.output.width;
  }

  fuses(): boolean {
    return false;
  }

  async forward(context: LayerContext, at: LayerActivations): Promise<Dispatch[]> {
    return [
      await prepareMaxPool2d(context.gpu, context.pool, {
        ...poolShape(this.input, context.runs, at.batch),
        x: at.x,
        y: at.y,
      }),
    ];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    if (!at.dx) return []; // a first layer without weights has nothing to pass back to
    return [
      await prepareMaxPool2dBackward(context.gpu, context.pool, {
        ...poolShape(this.input, context.runs, at.batch),
        x: at.x,
        dy: at.dy,
        dx: at.dx,
      }),
    ];
  }
}
