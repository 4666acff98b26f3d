/**
 * The three products of a dense layer, y = x.(W*M)^T + b, expressed as strided matmuls.
 * W is stored row-major [out, in] (PyTorch's layout) inside a flat per-run parameter buffer;
 * the mask buffer and gradient buffer share that buffer's offsets, so one offset names a
 * weight, its mask entry and its gradient.
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareBiasGrad } from "../nn/bias_grad.ts";
import { type MatmulSpec, prepareMatmul } from "../nn/matmul.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";
import type { WeightBlock } from "./layout.ts";

export interface DenseLayerBuffers {
  inputs: number;
  outputs: number;
  batch: number;
  runs: number;
  /** Flat parameters [runs, paramsPerRun]; the weight at weightOffset, the bias at biasOffset. */
  params: GPUBuffer;
  paramsPerRun: number;
  weightOffset: number;
  biasOffset: number;
}

/** The three matmul specs; each function takes the activation buffers of one call site. */
export function denseForwardSpec(
  layer: DenseLayerBuffers,
  x: { buffer: GPUBuffer; runStride: number },
  y: GPUBuffer,
  options: { relu: boolean; mask?: GPUBuffer },
): MatmulSpec {
  return {
    M: layer.batch,
    N: layer.outputs,
    K: layer.inputs,
    runs: layer.runs,
    a: { buffer: x.buffer, offset: 0, stride0: layer.inputs, stride1: 1, runStride: x.runStride },
    // B(k, n) = W[n, k]
    b: {
      buffer: layer.params,
      offset: layer.weightOffset,
      stride0: 1,
      stride1: layer.inputs,
      runStride: layer.paramsPerRun,
    },
    c: {
      buffer: y,
      offset: 0,
      stride0: layer.outputs,
      stride1: 1,
      runStride: layer.batch * layer.outputs,
    },
    maskB: options.mask,
    bias: { buffer: layer.params, offset: layer.biasOffset, runStride: layer.paramsPerRun },
    relu: options.relu,
  };
}

/** dX[b, i] = sum_o dY[b, o] * (W*M)[o, i]. */
export function denseInputGradSpec(
  layer: DenseLayerBuffers,
  dy: GPUBuffer,
  dx: GPUBuffer,
  mask?: GPUBuffer,
): MatmulSpec {
  return {
    M: layer.batch,
    N: layer.inputs,
    K: layer.outputs,
    runs: layer.runs,
    a: {
      buffer: dy,
      offset: 0,
      stride0: layer.outputs,
      stride1: 1,
      runStride: layer.batch * layer.outputs,
    },
    b: {
      buffer: layer.params,
      offset: layer.weightOffset,
      stride0: layer.inputs,
      stride1: 1,
      runStride: layer.paramsPerRun,
    },
    c: {
      buffer: dx,
      offset: 0,
      stride0: layer.inputs,
      stride1: 1,
      runStride: layer.batch * layer.inputs,
    },
    maskB: mask,
  };
}

/** dW[o, i] = M[o, i] * sum_b dY[b, o] * X[b, i], written into the flat gradient buffer. */
export function denseWeightGradSpec(
  layer: DenseLayerBuffers,
  dy: GPUBuffer,
  x: { buffer: GPUBuffer; runStride: number },
  grads: GPUBuffer,
  mask?: GPUBuffer,
): MatmulSpec {
  return {
    M: layer.outputs,
    N: layer.inputs,
    K: layer.batch,
    runs: layer.runs,
    // A(m = o, k = b) = dY[b, o]
    a: {
      buffer: dy,
      offset: 0,
      stride0: 1,
      stride1: layer.outputs,
      runStride: layer.batch * layer.outputs,
    },
    b: { buffer: x.buffer, offset: 0, stride0: layer.inputs, stride1: 1, runStride: x.runStride },
    c: {
      buffer: grads,
      offset: layer.weightOffset,
      stride0: layer.inputs,
      stride1: 1,
      runStride: layer.paramsPerRun,
    },
    maskC: mask,
  };
}

/**
 * A dense layer as a list entry: y = x.(W*M)^T + b, optionally followed by a fused ReLU. The
 * products read W and b from the parameterization's operands (with its mask, if any); backward
 * writes dW (masked when the parameterization says so), db and, unless it is the first layer, dX.
 */
export class DenseLayer implements Layer {
  readonly kind = "dense";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;

  constructor(readonly block: WeightBlock) {
    this.inputs = block.inputs;
    this.outputs = block.outputs;
  }

  fuses(next: Layer): boolean {
    return next.kind === "relu";
  }

  private buffers(context: LayerContext, batch: number): DenseLayerBuffers {
    return {
      inputs: this.inputs,
      outputs: this.outputs,
      batch,
      runs: context.runs,
      params: context.operands.weights,
      paramsPerRun: context.perRun,
      weightOffset: this.block.weightOffset,
      biasOffset: this.block.biasOffset,
    };
  }

  async forward(
    context: LayerContext,
    at: LayerActivations,
    epilogue: Layer | null,
  ): Promise<Dispatch[]> {
    const spec = denseForwardSpec(
      this.buffers(context, at.batch),
      { buffer: at.x, runStride: at.batch * this.inputs },
      at.y,
      { relu: epilogue?.kind === "relu", mask: context.operands.mask },
    );
    return [await prepareMatmul(context.gpu, context.pool, spec)];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    const { gpu, pool, runs, perRun, operands, grads } = context;
    const buffers = this.buffers(context, at.batch);
    const x = { buffer: at.x, runStride: at.batch * this.inputs };
    const dispatches = [
      await prepareMatmul(
        gpu,
        pool,
        denseWeightGradSpec(buffers, at.dy, x, grads, operands.gradMask),
      ),
    ];
    if (this.block.bias) {
      dispatches.push(
        await prepareBiasGrad(gpu, pool, {
          batch: at.batch,
          outputs: this.outputs,
          spatial: 1,
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
        await prepareMatmul(gpu, pool, denseInputGradSpec(buffers, at.dy, at.dx, operands.mask)),
      );
    }
    return dispatches;
  }
}
