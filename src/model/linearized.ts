/**
 * A dense ReLU network linearized at theta0: f_lin(theta) = f(theta0) + J(theta0) (theta - theta0),
 * as a layer list the trainer runs like any other (Lee et al. 2019's linearized network; the
 * tangent-space test). Every hidden activation is a (primal, tangent) pair, [z | dz] per example:
 *   dense l:  z_l = a_l W0_l^T + b0_l,   dz_l = a_l dW_l^T + db_l + da_l W0_l^T,
 *   relu:     a_{l+1} = relu(z_l),       da_{l+1} = dz_l * [z_l > 0]   (kernels/tangent_relu.wgsl),
 *   last:     logits = z_L + dz_L,
 * with (dW, db) = theta - theta0 (the operands' weights) and (W0, b0) = theta0 (their anchor), and
 * da_0 = 0 (the first layer reads the plain inputs). Each pair is one matmul for z, one for the
 * dW part and one accumulating the W0 part (C += A.B; the last layer accumulates all three).
 * The gradient w.r.t. theta is J(theta0)^T g for the logits' gradient g: the backward pass at
 * theta0 with the pattern [z_l > 0] held fixed, which flows through the tangent halves only:
 *   dW_l = g_l^T a_l,  db_l = sum_rows g_l,  g_{l-1} = (g_l W0_l) * [z_{l-1} > 0].
 * The primal halves' gradients are never written (they stay 0: nothing in theta moves z).
 */
import type { Dispatch } from "../gpu/mod.ts";
import { type MatmulSpec, prepareMatmul, type StridedView } from "../nn/matmul.ts";
import { prepareTangentRelu } from "../nn/tangent_relu.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";
import type { WeightBlock } from "./layout.ts";
import type { Model } from "./model.ts";

function anchorOf(context: LayerContext): GPUBuffer {
  const anchor = context.operands.anchor;
  if (!anchor) {
    throw new Error(
      "a linearized layer needs theta0 as the operands' anchor: train it with the linearized weights parameterization",
    );
  }
  return anchor;
}

/** A dense layer of the linearized network: its input and output are pairs except at the ends. */
export class LinearizedDenseLayer implements Layer {
  readonly kind = "linearized-dense";
  readonly inPlaceBackward = false;
  /** Features per example in the activation buffers: 2 x the layer's width for a pair. */
  readonly inputs: number;
  readonly outputs: number;

  constructor(
    readonly block: WeightBlock,
    readonly pairedInput: boolean,
    readonly pairedOutput: boolean,
  ) {
    this.inputs = (pairedInput ? 2 : 1) * block.inputs;
    this.outputs = (pairedOutput ? 2 : 1) * block.outputs;
  }

  fuses(): boolean {
    return false;
  }

  /** Column `offset` of a [batch, width] activation buffer, one run after another. */
  private activations(buffer: GPUBuffer, batch: number, width: number, offset: number) {
    return { buffer, offset, stride0: width, stride1: 1, runStride: batch * width };
  }

  /** B(k, n) = W[n, k] of the flat parameters in `buffer`. */
  private weightsTransposed(context: LayerContext, buffer: GPUBuffer): StridedView {
    const { weightOffset, inputs } = this.block;
    return { buffer, offset: weightOffset, stride0: 1, stride1: inputs, runStride: context.perRun };
  }

  private bias(context: LayerContext, buffer: GPUBuffer) {
    return { buffer, offset: this.block.biasOffset, runStride: context.perRun };
  }

  /** The column of the output that holds dz (the logits themselves on the last layer). */
  private get tangentColumn(): number {
    return this.pairedOutput ? this.block.outputs : 0;
  }

  async forward(context: LayerContext, at: LayerActivations): Promise<Dispatch[]> {
    const anchor = anchorOf(context);
    const { inputs, outputs } = this.block;
    const { mask } = context.operands;
    const product = (a: StridedView, b: StridedView, c: StridedView, more: Partial<MatmulSpec>) =>
      prepareMatmul(context.gpu, context.pool, {
        M: at.batch,
        N: outputs,
        K: inputs,
        runs: context.runs,
        a,
        b,
        c,
        maskB: mask,
        ...more,
      });
    const primalInput = this.activations(at.x, at.batch, this.inputs, 0);
    const output = (column: number) => this.activations(at.y, at.batch, this.outputs, column);
    const dispatches = [
      await product(primalInput, this.weightsTransposed(context, anchor), output(0), {
        bias: this.bias(context, anchor),
      }),
      await product(
        primalInput,
        this.weightsTransposed(context, context.operands.weights),
        output(this.tangentColumn),
        { bias: this.bias(context, context.operands.weights), accumulate: !this.pairedOutput },
      ),
    ];
    if (this.pairedInput) {
      dispatches.push(
        await product(
          this.activations(at.x, at.batch, this.inputs, inputs),
          this.weightsTransposed(context, anchor),
          output(this.tangentColumn),
          { accumulate: true },
        ),
      );
    }
    return dispatches;
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    const { gpu, pool, runs, perRun, grads, operands } = context;
    const anchor = anchorOf(context);
    const { inputs, outputs, weightOffset, biasOffset } = this.block;
    const g = this.activations(at.dy, at.batch, this.outputs, this.tangentColumn);
    const dispatches = [
      // dW[o, i] = sum_b g[b, o] a[b, i]
      await prepareMatmul(gpu, pool, {
        M: outputs,
        N: inputs,
        K: at.batch,
        runs,
        a: { ...g, stride0: 1, stride1: this.outputs },
        b: this.activations(at.x, at.batch, this.inputs, 0),
        c: { buffer: grads, offset: weightOffset, stride0: inputs, stride1: 1, runStride: perRun },
        maskC: operands.gradMask,
      }),
    ];
    if (this.block.bias) {
      // db[o] = sum_b 1 * g[b, o]: a 1 x batch row of ones (stride 0) times g, k in order.
      const ones = pool.upload("linearized dense ones", Float32Array.of(1, 1, 1, 1));
      dispatches.push(
        await prepareMatmul(gpu, pool, {
          M: 1,
          N: outputs,
          K: at.batch,
          runs,
          a: { buffer: ones, offset: 0, stride0: 0, stride1: 0, runStride: 0 },
          b: g,
          c: { buffer: grads, offset: biasOffset, stride0: outputs, stride1: 1, runStride: perRun },
        }),
      );
    }
    if (at.dx && this.pairedInput) {
      // The tangent half of dx: g W0 (the primal half stays 0).
      dispatches.push(
        await prepareMatmul(gpu, pool, {
          M: at.batch,
          N: inputs,
          K: outputs,
          runs,
          a: g,
          b: {
            buffer: anchor,
            offset: weightOffset,
            stride0: inputs,
            stride1: 1,
            runStride: perRun,
          },
          c: this.activations(at.dx, at.batch, this.inputs, inputs),
          maskB: operands.mask,
        }),
      );
    }
    return dispatches;
  }
}

/** The ReLU of a (primal, tangent) pair: [relu(z) | dz * [z > 0]]; backward under that pattern. */
export class TangentReluLayer implements Layer {
  readonly kind = "tangent-relu";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;

  /** `width`: the ReLU's width n (each pair is 2n wide). */
  constructor(readonly width: number) {
    this.inputs = 2 * width;
    this.outputs = 2 * width;
  }

  fuses(): boolean {
    return false;
  }

  async forward(context: LayerContext, at: LayerActivations): Promise<Dispatch[]> {
    return [
      await prepareTangentRelu(context.gpu, context.pool, {
        rows: context.runs * at.batch,
        n: this.width,
        pattern: at.x,
        values: at.x,
        y: at.y,
      }),
    ];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    if (!at.dx) return [];
    return [
      await prepareTangentRelu(context.gpu, context.pool, {
        rows: context.runs * at.batch,
        n: this.width,
        pattern: at.x,
        values: at.dy,
        y: at.dx,
      }),
    ];
  }
}

/**
 * The linearization of a model made of dense layers and ReLUs (an MLP), on the same parameter
 * layout: theta and theta0 are flat vectors of the original model.
 */
export function linearizeModel(model: Model): Model {
  const denseCount = model.layers.filter((layer) => layer.kind === "dense").length;
  let dense = 0;
  const layers = model.layers.map((layer, i): Layer => {
    if (layer.kind === "relu") {
      if (i === 0 || model.layers[i - 1].kind !== "dense") {
        throw new Error(`linearizeModel: the relu at layer ${i + 1} must follow a dense layer`);
      }
      return new TangentReluLayer(layer.inputs);
    }
    if (layer.kind !== "dense" || !layer.block) {
      throw new Error(
        `linearizeModel handles dense and relu layers (an MLP), got ${layer.kind} at layer ${
          i + 1
        }; linearize an MLP`,
      );
    }
    dense++;
    return new LinearizedDenseLayer(layer.block, dense > 1, dense < denseCount);
  });
  return { inputs: model.inputs, outputs: model.outputs, layers, layout: model.layout };
}
