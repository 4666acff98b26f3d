/**
 * A 2-D convolution as a list entry: y = conv(x, W*M) + b on NCHW images, optionally followed by
 * a fused ReLU. W is stored [out, in, k, k] (PyTorch's layout) in the flat per-run parameter
 * buffer, which as a matrix is [out, in*k*k]: the mask and gradient buffers share its offsets, so
 * pruning treats it like a dense layer's weight. The products are implicit GEMMs
 * (kernels/conv2d*.wgsl); backward writes dW (masked when the parameterization says so), db (with
 * a bias) and, unless it is the first layer, dX.
 */
import type { ConvSpec } from "../config/types.ts";
import type { Dispatch } from "../gpu/mod.ts";
import { prepareBiasGrad } from "../nn/bias_grad.ts";
import { prepareConv2d } from "../nn/conv2d.ts";
import { prepareConv2dInputGrad } from "../nn/conv2d_input_grad.ts";
import { conv2dOutputSize, type Conv2dShape } from "../nn/conv2d_shape.ts";
import { prepareConv2dWeightGrad } from "../nn/conv2d_weight_grad.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";
import type { WeightBlock } from "./layout.ts";

/** An activation's shape per example: channels x height x width (a flat vector is C x 1 x 1). */
export interface FeatureMaps {
  channels: number;
  height: number;
  width: number;
}

/** The per-call shape of a layer's NCHW input, as the pooling kernels take it (src/nn/pool_shape.ts). */
export function poolShape(input: FeatureMaps, runs: number, batch: number) {
  return { runs, batch, channels: input.channels, height: input.height, width: input.width };
}

/** A data set's image shape (channel-major rows x cols) as the feature maps a model takes. */
export function featureMapsOf(
  image: { channels: number; rows: number; cols: number },
): FeatureMaps {
  return { channels: image.channels, height: image.rows, width: image.cols };
}

export interface ConvGeometry {
  kernel: number;
  stride: number;
  padding: number;
  output: FeatureMaps;
}

/** The kernel, stride, padding (defaults 3, 1, floor(k/2)) and output shape of a conv entry. */
export function convGeometry(input: FeatureMaps, spec: ConvSpec, where: string): ConvGeometry {
  const kernel = spec.kernel ?? 3;
  const stride = spec.stride ?? 1;
  const padding = spec.padding ?? Math.floor(kernel / 2);
  const size = (extent: number) => {
    try {
      return conv2dOutputSize(extent, kernel, stride, padding);
    } catch (error) {
      throw new RangeError(
        `${where} does not fit its ${input.channels}x${input.height}x${input.width} input: ${
          (error as Error).message
        }`,
      );
    }
  };
  return {
    kernel,
    stride,
    padding,
    output: { channels: spec.conv, height: size(input.height), width: size(input.width) },
  };
}

export class Conv2dLayer implements Layer {
  readonly kind = "conv2d";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;
  readonly geometry: ConvGeometry;

  constructor(readonly block: WeightBlock, readonly input: FeatureMaps, spec: ConvSpec) {
    this.geometry = convGeometry(input, spec, block.name);
    const { output } = this.geometry;
    this.inputs = input.channels * input.height * input.width;
    this.outputs = output.channels * output.height * output.width;
  }

  fuses(next: Layer): boolean {
    return next.kind === "relu";
  }

  private shape(context: LayerContext, batch: number): Conv2dShape {
    return {
      runs: context.runs,
      batch,
      inChannels: this.input.channels,
      height: this.input.height,
      width: this.input.width,
      outChannels: this.geometry.output.channels,
      kernel: this.geometry.kernel,
      stride: this.geometry.stride,
      padding: this.geometry.padding,
    };
  }

  async forward(
    context: LayerContext,
    at: LayerActivations,
    epilogue: Layer | null,
  ): Promise<Dispatch[]> {
    return [
      await prepareConv2d(context.gpu, context.pool, {
        ...this.shape(context, at.batch),
        x: at.x,
        y: at.y,
        params: context.operands.weights,
        paramsPerRun: context.perRun,
        weightOffset: this.block.weightOffset,
        biasOffset: this.block.biasOffset,
        mask: context.operands.mask,
        relu: epilogue?.kind === "relu",
      }),
    ];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    const { gpu, pool, runs, perRun, operands, grads } = context;
    const shape = this.shape(context, at.batch);
    const { output } = this.geometry;
    const dispatches = [
      ...await prepareConv2dWeightGrad(gpu, pool, {
        ...shape,
        dy: at.dy,
        x: at.x,
        grads,
        paramsPerRun: perRun,
        weightOffset: this.block.weightOffset,
        gradMask: operands.gradMask,
      }),
    ];
    if (this.block.bias) {
      dispatches.push(
        await prepareBiasGrad(gpu, pool, {
          batch: at.batch,
          outputs: output.channels,
          spatial: output.height * output.width,
          runs,
          outputGrads: at.dy,
          grads,
          offset: this.block.biasOffset,
          runStride: perRun,
        }),
      );
    }
    if (at.dx) {
      dispatches.push(
        await prepareConv2dInputGrad(gpu, pool, {
          ...shape,
          dy: at.dy,
          dx: at.dx,
          params: operands.weights,
          paramsPerRun: perRun,
          weightOffset: this.block.weightOffset,
          mask: operands.mask,
        }),
      );
    }
    return dispatches;
  }
}
