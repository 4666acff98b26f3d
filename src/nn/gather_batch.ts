/**
 * Batch gather from the packed uint8 dataset on the GPU (kernels/gather_batch.wgsl): per-channel
 * normalisation and, for training, CIFAR-style augmentation (random crop of the zero-padded image,
 * horizontal flip) drawn by counter from each run's stream key.
 */
import { counterU32 } from "../base/rng.ts";
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

/** The most channels the kernel's per-channel mean and 1/std hold (a uniform vec4 each). */
export const MAX_CHANNELS = 4;
/** The largest crop padding: keeps 2P + 1 far below 2^16, which the kernel's draw needs. */
export const MAX_PADDING = 255;

/** An image's shape: channel-major, features = channels * rows * cols. */
export interface ImageShape {
  channels: number;
  rows: number;
  cols: number;
}

/**
 * torchvision's RandomCrop((rows, cols), padding) then RandomHorizontalFlip() (if `flip`), each
 * run's draws keyed by its stream key (src/base/streams.ts STREAMS.augmentation) and the global
 * step counters[1].
 */
export interface GatherAugmentation {
  /** Zero bytes added on every side before the random crop back to rows x cols (0: no crop). */
  padding: number;
  /** Mirror left-right with probability 1/2. */
  flip: boolean;
  /** u32 [runs]: each run's stream key. */
  keys: GPUBuffer;
}

export interface GatherSpec {
  features: number;
  batch: number;
  runs: number;
  /** Steps per run in the index buffer: indices are [runs, steps, batch]. */
  steps: number;
  /** Read the step from counters[0] (training) or always use step 0 (evaluation). */
  fromCounter: boolean;
  /**
   * Normalisation: x = (byte / 255 - mean[c]) / std[c] for channel c; a number applies to every
   * channel (one channel gives the bits of the scalar form).
   */
  mean: number | readonly number[];
  std: number | readonly number[];
  /** The image shape; absent: one channel of `features` pixels (needed to augment). */
  shape?: ImageShape;
  /** Training augmentation; absent: the example's pixels as stored. */
  augmentation?: GatherAugmentation;
  pixels: GPUBuffer;
  labels: GPUBuffer;
  indices: GPUBuffer;
  counters: GPUBuffer;
  inputs: GPUBuffer;
  inputOffset: number;
  batchLabels: GPUBuffer;
}

/** The per-channel means and standard deviations of `spec`, checked against its channels. */
export function channelStatistics(
  spec: Pick<GatherSpec, "mean" | "std">,
  channels: number,
): { mean: number[]; std: number[] } {
  const expand = (name: string, value: number | readonly number[]) => {
    const values = typeof value === "number" ? Array(channels).fill(value) : [...value];
    if (values.length !== channels) {
      throw new RangeError(
        `gather_batch: ${values.length} ${name} values for ${channels} channels; give one per channel`,
      );
    }
    return values;
  };
  const mean = expand("mean", spec.mean);
  const std = expand("std", spec.std);
  if (std.some((s) => !(s > 0))) {
    throw new RangeError(`gather_batch: std must be positive, got [${std.join(", ")}]`);
  }
  return { mean, std };
}

function shapeOf(spec: Pick<GatherSpec, "features" | "shape">): ImageShape {
  const shape = spec.shape ?? { channels: 1, rows: 1, cols: spec.features };
  const { channels, rows, cols } = shape;
  if (channels * rows * cols !== spec.features) {
    throw new RangeError(
      `gather_batch: shape ${channels} x ${rows} x ${cols} does not have ${spec.features} features`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new RangeError(`gather_batch: ${channels} channels, expected 1..${MAX_CHANNELS}`);
  }
  return shape;
}

function checkPadding(padding: number): void {
  if (!Number.isInteger(padding) || padding < 0 || padding > MAX_PADDING) {
    throw new RangeError(`gather_batch: padding ${padding}, expected an integer in 0..255`);
  }
}

export async function prepareGatherBatch(
  gpu: Gpu,
  pool: BufferPool,
  spec: GatherSpec,
): Promise<Dispatch> {
  const shape = shapeOf(spec);
  const { mean, std } = channelStatistics(spec, shape.channels);
  const augmentation = spec.augmentation;
  if (augmentation) checkPadding(augmentation.padding);
  const kernel = await loadKernel(gpu.device, "gather_batch", [
    "uniform",
    "read",
    "read",
    "read",
    "read",
    "read_write",
    "read_write",
    "read",
  ], {
    FROM_COUNTER: spec.fromCounter ? 1 : 0,
    PER_CHANNEL: shape.channels > 1 ? 1 : 0,
    AUGMENT: augmentation ? 1 : 0,
    FLIP: augmentation?.flip ? 1 : 0,
  });
  const perChannel = (values: number[]) =>
    Array.from(
      { length: MAX_CHANNELS },
      (_, c) => ["f32", values[c] ?? 0] as ["f32", number],
    );
  const params = pool.uniform(
    "gather_batch params",
    packParams([
      ["u32", spec.features],
      ["u32", spec.batch],
      ["u32", spec.steps],
      ["u32", spec.inputOffset],
      ["u32", shape.rows * shape.cols],
      ["u32", shape.rows],
      ["u32", shape.cols],
      ["u32", augmentation?.padding ?? 0],
      ...perChannel(mean),
      ...perChannel(std.map((s) => 1 / s)),
    ]),
  );
  return prepareDispatch(gpu.device, kernel, [
    params,
    spec.pixels,
    spec.labels,
    spec.indices,
    spec.counters,
    spec.inputs,
    spec.batchLabels,
    // Without augmentation the kernel does not read the keys; any read-only buffer binds.
    augmentation?.keys ?? spec.counters,
  ], [Math.ceil(spec.features / 64), spec.batch, spec.runs]);
}

/** Packs bytes into little-endian u32 words (the layout the kernel reads). */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

/** One example's crop offsets (0..2P each) and flip, as the kernel draws them. */
export interface AugmentationDraw {
  dy: number;
  dx: number;
  flipped: boolean;
}

/**
 * The draws of example slot `slot` at global step `step` of the run with stream key `key`:
 * k = counterU32(key, step), u_j = counterU32(k, 3 * slot + j), offsets floor(u * (2P + 1) / 2^32)
 * (exact in f64: u * (2P + 1) < 2^53) and a flip when u_2 >= 2^31 (and `flip`).
 */
export function augmentationDraw(
  key: number,
  step: number,
  slot: number,
  padding: number,
  flip: boolean,
): AugmentationDraw {
  checkPadding(padding);
  const k = counterU32(key >>> 0, step >>> 0);
  const span = 2 * padding + 1;
  const u = [0, 1, 2].map((j) => counterU32(k, (3 * slot + j) >>> 0));
  return {
    dy: Math.floor((u[0] * span) / 2 ** 32),
    dx: Math.floor((u[1] * span) / 2 ** 32),
    flipped: flip && u[2] >= 2 ** 31,
  };
}

/**
 * Plain f64 reference of the kernel: the gathered inputs [runs, batch, features] and labels.
 * `step` is the index step (counters[0]); with `augmentation`, `globalStep` (counters[1]) and
 * each run's key give the crop and flip.
 */
export function gatherBatchReference(
  spec: {
    features: number;
    batch: number;
    runs: number;
    steps: number;
    step: number;
    mean: number | readonly number[];
    std: number | readonly number[];
    shape?: ImageShape;
    augmentation?: { padding: number; flip: boolean; keys: ArrayLike<number>; globalStep: number };
  },
  pixels: Uint8Array,
  labels: Uint8Array,
  indices: Uint32Array,
): { inputs: Float64Array; labels: Uint32Array } {
  const { features, batch, runs } = spec;
  const { channels, rows, cols } = shapeOf(spec);
  const { mean, std } = channelStatistics(spec, channels);
  const plane = rows * cols;
  const augmentation = spec.augmentation;
  const inputs = new Float64Array(runs * batch * features);
  const out = new Uint32Array(runs * batch);
  for (let r = 0; r < runs; r++) {
    for (let b = 0; b < batch; b++) {
      const example = indices[(r * spec.steps + spec.step) * batch + b];
      const draw = augmentation
        ? augmentationDraw(
          augmentation.keys[r],
          augmentation.globalStep,
          b,
          augmentation.padding,
          augmentation.flip,
        )
        : null;
      const padding = augmentation?.padding ?? 0;
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < rows; y++) {
          for (let x = 0; x < cols; x++) {
            let byte: number;
            if (draw) {
              // The padded image's pixel (y + dy, x' + dx) is the raw pixel P rows and columns
              // up and left of it, or a padding zero.
              const sy = y + draw.dy - padding;
              const sx = (draw.flipped ? cols - 1 - x : x) + draw.dx - padding;
              const inside = sy >= 0 && sy < rows && sx >= 0 && sx < cols;
              byte = inside ? pixels[example * features + c * plane + sy * cols + sx] : 0;
            } else {
              byte = pixels[example * features + c * plane + y * cols + x];
            }
            const f = c * plane + y * cols + x;
            inputs[(r * batch + b) * features + f] = (byte / 255 - mean[c]) / std[c];
          }
        }
      }
      out[r * batch + b] = labels[example];
    }
  }
  return { inputs, labels: out };
}
