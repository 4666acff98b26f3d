/**
 * Batch normalisation as a list entry (PyTorch's BatchNorm2d after a convolution, BatchNorm1d
 * after a dense layer): in training, y = (x - mean_B) / sqrt(var_B + eps) * gamma + beta with the
 * batch's per-channel statistics, and the running estimates updated with momentum 0.1; in
 * evaluation the running estimates normalise. `affine: false` has no gamma and beta (edge-popup
 * and biprop). A following ReLU is applied in the same store. gamma and beta live in the flat
 * parameter vector (trained, never pruned); the running estimates in the trainer's state vector.
 */
import type { Dispatch } from "../gpu/mod.ts";
import { prepareBatchNormApply } from "../nn/batchnorm_apply.ts";
import { prepareBatchNormGradStats } from "../nn/batchnorm_grad_stats.ts";
import { prepareBatchNormInputGrad } from "../nn/batchnorm_input_grad.ts";
import { batchNormScratchLength } from "../nn/batchnorm_shape.ts";
import { prepareBatchNormStats } from "../nn/batchnorm_stats.ts";
import type { FeatureMaps } from "./conv2d.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";
import type { NormBlock } from "./layout.ts";

export class BatchNormLayer implements Layer {
  readonly kind = "batchnorm";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;
  /** Per call site (the input buffer): the batch's (mean, invstd) and the gradient sums. */
  private readonly scratch = new Map<GPUBuffer, { saved: GPUBuffer; sums: GPUBuffer }>();

  constructor(readonly norm: NormBlock, readonly input: FeatureMaps) {
    this.inputs = input.channels * input.height * input.width;
    this.outputs = this.inputs;
  }

  fuses(next: Layer): boolean {
    return next.kind === "relu";
  }

  private shape(context: LayerContext, batch: number) {
    return {
      runs: context.runs,
      batch,
      channels: this.input.channels,
      spatial: this.input.height * this.input.width,
    };
  }

  private scratchOf(context: LayerContext, batch: number, x: GPUBuffer) {
    let buffers = this.scratch.get(x);
    if (!buffers) {
      const bytes = 4 * batchNormScratchLength(this.shape(context, batch));
      buffers = {
        saved: context.pool.storage(`${this.norm.name} saved statistics`, bytes),
        sums: context.pool.storage(`${this.norm.name} gradient sums`, bytes),
      };
      this.scratch.set(x, buffers);
    }
    return buffers;
  }

  private affine(context: LayerContext) {
    return this.norm.affine
      ? {
        gammaOffset: this.norm.gammaOffset,
        betaOffset: this.norm.betaOffset,
        paramsPerRun: context.perRun,
      }
      : undefined;
  }

  async forward(
    context: LayerContext,
    at: LayerActivations,
    epilogue: Layer | null,
  ): Promise<Dispatch[]> {
    const { gpu, pool } = context;
    const shape = this.shape(context, at.batch);
    const running = {
      meanOffset: this.norm.meanOffset,
      varOffset: this.norm.varOffset,
      statePerRun: context.statePerRun,
    };
    const affine = this.affine(context);
    const common = {
      ...shape,
      x: at.x,
      y: at.y,
      affine: affine && { ...affine, params: context.operands.weights },
      relu: epilogue?.kind === "relu",
    };
    if (!at.training) {
      return [
        await prepareBatchNormApply(gpu, pool, {
          ...common,
          mode: { training: false, running: { ...running, state: context.state } },
        }),
      ];
    }
    const { saved } = this.scratchOf(context, at.batch, at.x);
    return [
      await prepareBatchNormStats(gpu, pool, {
        ...shape,
        ...running,
        x: at.x,
        saved,
        state: context.state,
      }),
      await prepareBatchNormApply(gpu, pool, { ...common, mode: { training: true, saved } }),
    ];
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    const { gpu, pool } = context;
    const shape = this.shape(context, at.batch);
    const { saved, sums } = this.scratchOf(context, at.batch, at.x);
    const affine = this.affine(context);
    const dispatches = [
      await prepareBatchNormGradStats(gpu, pool, {
        ...shape,
        x: at.x,
        dy: at.dy,
        saved,
        sums,
        affine: affine && { ...affine, grads: context.grads },
      }),
    ];
    if (at.dx) {
      dispatches.push(
        await prepareBatchNormInputGrad(gpu, pool, {
          ...shape,
          x: at.x,
          dy: at.dy,
          saved,
          sums,
          dx: at.dx,
          affine: affine && {
            gammaOffset: affine.gammaOffset,
            paramsPerRun: affine.paramsPerRun,
            params: context.operands.weights,
          },
        }),
      );
    }
    return dispatches;
  }
}
