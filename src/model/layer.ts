/**
 * The interface every layer kind implements. A model is a list of layers; the trainer allocates
 * one activation buffer per layer output and asks each layer for the dispatches of its forward
 * and backward pass, so adding a layer kind (conv2d, maxpool, batchnorm, residual, sign) is one
 * new file here and no change to the trainer.
 *
 * Activations are [runs, batch, features] row-major (run r at r * batch * features); parameters,
 * their gradients and their masks share one flat per-run layout (layout.ts).
 */
import type { BufferPool, Dispatch, Gpu } from "../gpu/mod.ts";
import type { WeightBlock } from "./layout.ts";

/** What the products of every layer read: set by the weight parameterization. */
export interface ProductOperands {
  /** Flat parameters [runs, perRun] the products read weights and biases from. */
  weights: GPUBuffer;
  /** Multiply weights by this mask inside the forward and input-gradient products. */
  mask?: GPUBuffer;
  /** Multiply the weight gradient by this mask (pruned weights then get exactly zero). */
  gradMask?: GPUBuffer;
  /**
   * A linearized network's point of linearization theta0, flat like `weights`, which then hold
   * the step theta - theta0 (src/model/linearized.ts).
   */
  anchor?: GPUBuffer;
}

export interface LayerContext {
  gpu: Gpu;
  pool: BufferPool;
  runs: number;
  /** Floats per run in the parameter layout. */
  perRun: number;
  operands: ProductOperands;
  /** Gradient of the loss w.r.t. the effective parameters, same layout as the parameters. */
  grads: GPUBuffer;
  /** Batch norms' running statistics, [runs, statePerRun] (layout.ts NormBlock offsets). */
  state: GPUBuffer;
  statePerRun: number;
}

/** One call site of a layer: its input and output activations for `batch` examples per run. */
export interface LayerActivations {
  batch: number;
  /** A training step (batch statistics, running estimates updated) or an evaluation. */
  training: boolean;
  x: GPUBuffer;
  y: GPUBuffer;
}

export interface LayerGradients extends LayerActivations {
  /** Gradient w.r.t. y. */
  dy: GPUBuffer;
  /** Gradient w.r.t. x, or null for the first layer (nobody needs it). */
  dx: GPUBuffer | null;
}

export interface Layer {
  readonly kind: string;
  /** Features per example in and out. */
  readonly inputs: number;
  readonly outputs: number;
  /** The layer's parameter block (name, offsets) in the flat layout; absent without parameters. */
  readonly block?: WeightBlock;
  /**
   * Backward writes dx over dy (dx and dy are one buffer): true for element-wise layers, whose
   * trainer then gives them no separate gradient buffer.
   */
  readonly inPlaceBackward: boolean;
  /**
   * True if this layer's forward can apply `next` as its epilogue (dense then relu): `next` then
   * emits no dispatch and shares this layer's output buffer.
   */
  fuses(next: Layer): boolean;
  forward(context: LayerContext, at: LayerActivations, epilogue: Layer | null): Promise<Dispatch[]>;
  backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]>;
}
