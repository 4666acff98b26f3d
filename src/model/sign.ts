/**
 * The binary activation of Diffenderfer & Kailkhura's MPT-1/1 (binary weights and binary
 * activations, "Multi-Prize Lottery Ticket Hypothesis", ICLR 2021), as their code
 * (github.com/chrundle/biprop) defines it in models/frankle.py lines 11-38 (F_BinAct and the
 * module BiRealAct that applies it; models/resnet_cifar_BinAct.py lines 17-42 is the same):
 *
 *   forward   y = sign(x) (line 19, `torch.sign(inp)`): +1, -1, and 0 at x = 0;
 *   backward  dx = dy * 2 * (1 - |clamp(x, -1, 1)|) (lines 26-31), i.e. 2(1 - |x|) for |x| < 1 and
 *             0 beyond: the derivative of Bi-Real Net's quadratic spline (utils/builder.py lines
 *             17-25), not the hardtanh STE dy * [|x| <= 1].
 *
 * Placement in their MPT-1/1 conv models (Conv2/4/6/8_BinAct, frankle.py lines 68-96, 131-166):
 * every hidden layer is conv (bias=False, builder.py line 49) -> [MaxPool2d after the second
 * conv of a pair] -> batch norm -> BiRealAct, and likewise the hidden dense layers (1x1 convs)
 * -> batch norm -> BiRealAct; batch norm is non-affine in their configs
 * (configs/smallscale/conv4/conv4_BinAct_kn_unsigned.yml: bn_type NonAffineBatchNorm). The first
 * conv reads the real-valued image (no sign on the input) and the last layer's output is the
 * logits (no batch norm, no sign after it). Their weights are binarised too (SubnetConv,
 * utils/conv_type.py lines 91-114), which is the parameterization's business, not this layer's.
 *
 * The backward needs x, so the sign cannot run as an epilogue of the layer before: it is a
 * standalone layer with its own output buffer, and its backward writes a separate input gradient
 * from x (the layer's input buffer, which the trainer keeps) and dy.
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareSignActivation } from "../nn/sign_activation.ts";
import { prepareSignActivationBackward } from "../nn/sign_activation_backward.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";

export class SignLayer implements Layer {
  readonly kind = "sign";
  readonly inPlaceBackward = false;
  readonly outputs: number;

  constructor(readonly inputs: number) {
    this.outputs = inputs;
  }

  fuses(): boolean {
    return false;
  }

  async forward(context: LayerContext, at: LayerActivations): Promise<Dispatch[]> {
    return [
      await prepareSignActivation(context.gpu, context.pool, {
        n: context.runs * at.batch * this.inputs,
        x: at.x,
        y: at.y,
      }),
    ];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    if (!at.dx) return []; // a sign on the input itself has nothing to pass back to
    return [
      await prepareSignActivationBackward(context.gpu, context.pool, {
        n: context.runs * at.batch * this.inputs,
        x: at.x,
        dy: at.dy,
        dx: at.dx,
      }),
    ];
  }
}
