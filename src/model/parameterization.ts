/**
 * How a layer's effective weight is formed from stored tensors, and what gets trained. The
 * trainer binds one parameterization to its buffers and then only runs the dispatches it gets:
 * forming the mask before a step or an evaluation, routing the gradient of the effective weight
 * to the trained tensor after the backward pass, and the optimizer on that tensor. Adding a way
 * to form weights (biprop's alpha * sign(W) * M, a linearized network) is one new file.
 *
 * Every stored tensor is flat [runs, perRun] in the model's parameter layout.
 */
import type { BufferPool, Dispatch, Gpu } from "../gpu/mod.ts";
import type { ProductOperands } from "./layer.ts";
import type { ParamLayout } from "./layout.ts";

/** The trainer's own buffers, which every parameterization reads or writes. */
export interface ParameterStore {
  gpu: Gpu;
  pool: BufferPool;
  runs: number;
  layout: ParamLayout;
  /** Weights and biases. */
  params: GPUBuffer;
  /** 0/1 per parameter (1 on biases): given at reset, or written by `beforeStep`. */
  mask: GPUBuffer;
  /** Gradient of the loss w.r.t. the effective parameters, written by the backward pass. */
  grads: GPUBuffer;
  /** The step counters (src/nn/advance_step.ts); counters[1] is the optimizer step. */
  counters: GPUBuffer;
}

/** The tensor the optimizer updates, its gradient, and the 0/1 mask of entries it may change. */
export interface TrainedTensor {
  values: GPUBuffer;
  grads: GPUBuffer;
  optimizerMask: GPUBuffer;
}

export interface BoundParameterization {
  operands: ProductOperands;
  /** Run before every training step's forward pass. */
  beforeStep: Dispatch[];
  /** Run before every evaluation. */
  beforeEvaluation: Dispatch[];
  /** Run after the backward pass, before the optimizer. */
  afterBackward: Dispatch[];
  trained: TrainedTensor;
  /** Stored tensors beyond params and mask, by name (`scores`); set at reset, readable. */
  stored: ReadonlyMap<string, GPUBuffer>;
}

export interface Parameterization {
  readonly name: string;
  /** Names of the stored tensors a reset must provide besides params and mask. */
  readonly storedTensors: readonly string[];
  bind(store: ParameterStore): Promise<BoundParameterization>;
}

/** A 0/1 vector that is 1 on every weight and 0 on biases and padding: scores exist for weights. */
export function weightsOnlyMask(layout: ParamLayout, runs: number): Float32Array {
  const mask = new Float32Array(runs * layout.perRun);
  for (let r = 0; r < runs; r++) {
    for (const layer of layout.layers) {
      const start = r * layout.perRun + layer.weightOffset;
      mask.fill(1, start, start + layer.inputs * layer.outputs);
    }
  }
  return mask;
}
