/**
 * What the batch-norm kernels share (PyTorch's BatchNorm2d / BatchNorm1d): the activation shape,
 * where gamma/beta and the running statistics live, the scratch layouts, and the defaults.
 *
 * Activations of S runs side by side are [runs, batch, channels, spatial] contiguous f32, with
 * spatial = H * W for BatchNorm2d (NCHW per example) and 1 for BatchNorm1d over
 * [runs, batch, channels]. Each (run, channel) is normalised over its N = batch * spatial values.
 *
 * Training: batchnorm_stats writes `saved` [runs, C, 2] = (mean, invstd) with the biased batch
 * variance and updates the running estimates with the unbiased one; batchnorm_apply normalises.
 * Evaluation: batchnorm_apply alone, with the running estimates. Backward (training only):
 * batchnorm_grad_stats writes the per-channel sums [runs, C, 2] = (sum dy, sum dy * xhat) and,
 * when affine, dgamma and dbeta; batchnorm_input_grad writes dx.
 */

/** PyTorch's defaults. */
export const BATCHNORM_EPS = 1e-5;
export const BATCHNORM_MOMENTUM = 0.1;

export interface BatchNormShape {
  runs: number;
  batch: number;
  channels: number;
  /** H * W for BatchNorm2d; 1 for BatchNorm1d. */
  spatial: number;
}

/**
 * Where gamma and beta live in the flat parameter buffer: gamma [C] of run r at
 * gammaOffset + r * paramsPerRun, beta [C] at betaOffset + r * paramsPerRun. Their gradients
 * use the same offsets in the flat gradient buffer.
 */
export interface BatchNormAffineLayout {
  gammaOffset: number;
  betaOffset: number;
  paramsPerRun: number;
}

/**
 * Where the running estimates live in the flat `state` buffer: running_mean [C] of run r at
 * meanOffset + r * statePerRun, running_var [C] at varOffset + r * statePerRun.
 */
export interface BatchNormRunningLayout {
  meanOffset: number;
  varOffset: number;
  statePerRun: number;
}

/** Values each (run, channel) is normalised over: N = batch * spatial. */
export function batchNormCount(shape: BatchNormShape): number {
  return shape.batch * shape.spatial;
}

/** f32 entries of `saved` (mean, invstd) and of the backward's sums: runs * channels * 2. */
export function batchNormScratchLength(shape: BatchNormShape): number {
  return shape.runs * shape.channels * 2;
}

/** Throws a RangeError unless the shape's counts are integers >= 1 and index as u32. */
export function requireBatchNormShape(kernel: string, shape: BatchNormShape): void {
  for (const name of ["runs", "batch", "channels", "spatial"] as const) {
    const value = shape[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${kernel}: ${name} must be an integer >= 1, got ${value}`);
    }
  }
  const n = shape.runs * shape.batch * shape.channels * shape.spatial;
  if (n > 0xffffffff) throw new RangeError(`${kernel}: ${n} elements do not fit a u32 index`);
  if (shape.channels > 65535 || shape.runs > 65535) {
    throw new RangeError(
      `${kernel}: one workgroup per (channel, run) allows at most 65535 of each, got ${shape.channels} channels and ${shape.runs} runs`,
    );
  }
}

/** Throws a RangeError unless every named offset or stride is a u32. */
export function requireOffsets(kernel: string, values: object): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`${kernel}: ${name} must be an integer >= 0, got ${value}`);
    }
  }
}

/** A 16-byte storage buffer for a binding the specialisation never reads. */
export function unusedBinding(
  pool: { storage(label: string, bytes: number): GPUBuffer },
): GPUBuffer {
  return pool.storage("unused binding", 16);
}
