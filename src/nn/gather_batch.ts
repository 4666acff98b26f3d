/** Batch gather from the packed uint8 dataset on the GPU (kernels/gather_batch.wgsl). */
import {
  type BufferPool,
  type Dispatch,
  type Gpu,
  loadKernel,
  packParams,
  prepareDispatch,
} from "../gpu/mod.ts";

export interface GatherSpec {
  features: number;
  batch: number;
  runs: number;
  /** Steps per run in the index buffer: indices are [runs, steps, batch]. */
  steps: number;
  /** Read the step from counters[0] (training) or always use step 0 (evaluation). */
  fromCounter: boolean;
  /** Normalisation: x = (byte / 255 - mean) / std. */
  mean: number;
  std: number;
  pixels: GPUBuffer;
  labels: GPUBuffer;
  indices: GPUBuffer;
  counters: GPUBuffer;
  inputs: GPUBuffer;
  inputOffset: number;
  batchLabels: GPUBuffer;
}

export async function prepareGatherBatch(
  gpu: Gpu,
  pool: BufferPool,
  spec: GatherSpec,
): Promise<Dispatch> {
  const kernel = await loadKernel(gpu.device, "gather_batch", [
    "uniform",
    "read",
    "read",
    "read",
    "read",
    "read_write",
    "read_write",
  ], { FROM_COUNTER: spec.fromCounter ? 1 : 0 });
  const params = pool.uniform(
    "gather_batch params",
    packParams([
      ["u32", spec.features],
      ["u32", spec.batch],
      ["u32", spec.steps],
      ["u32", spec.inputOffset],
      ["f32", spec.mean],
      ["f32", 1 / spec.std],
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
  ], [Math.ceil(spec.features / 64), spec.batch, spec.runs]);
}

/** Packs bytes into little-endian u32 words (the layout the kernel reads). */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

export function gatherBatchReference(
  spec: {
    features: number;
    batch: number;
    runs: number;
    steps: number;
    step: number;
    mean: number;
    std: number;
  },
  pixels: Uint8Array,
  labels: Uint8Array,
  indices: Uint32Array,
): { inputs: Float64Array; labels: Uint32Array } {
  const { features, batch, runs } = spec;
  const inputs = new Float64Array(runs * batch * features);
  const out = new Uint32Array(runs * batch);
  for (let r = 0; r < runs; r++) {
    for (let b = 0; b < batch; b++) {
      const example = indices[(r * spec.steps + spec.step) * batch + b];
      for (let f = 0; f < features; f++) {
        inputs[(r * batch + b) * features + f] =
          (pixels[example * features + f] / 255 - spec.mean) / spec.std;
      }
      out[r * batch + b] = labels[example];
    }
  }
  return { inputs, labels: out };
}
