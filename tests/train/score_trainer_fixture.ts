/**
 * A small synthetic dataset (4x4 "images" around one prototype per class) and an Trainer with
 * frozen weights and trained scores on it, for the edge-popup and Bernoulli-supermask tests.
 */
import type { ImageDataset } from "../../src/data/dataset.ts";
import { type GpuDataset, uploadDataset } from "../../src/data/gpu_dataset.ts";
import { Rng } from "../../src/base/rng.ts";
import type { BufferPool, Gpu } from "../../src/gpu/mod.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import { type OptimizerSpec, Trainer } from "../../src/train/trainer.ts";
import { EdgePopup, mlpModel, type Parameterization } from "../../src/model/mod.ts";
import { BatchOrder } from "../../src/train/batch_order.ts";
import { initParams } from "../../src/model/init.ts";

export const SEED = 11;
export const SIDE = 4;
const CLASSES = 10;
export const WIDTHS = [SIDE * SIDE, 64, 64, CLASSES];
export const KEEP = [0.5, 0.5, 0.7];
export const BATCH = 8;
export const RUNS = 2;
export const layout = mlpLayout(WIDTHS);

function synthetic(rng: Rng, count: number, prototypes: Uint8Array[]): ImageDataset {
  const images = new Uint8Array(count * SIDE * SIDE);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.nextInt(CLASSES);
    for (let f = 0; f < SIDE * SIDE; f++) {
      const value = prototypes[labels[i]][f] + Math.round(80 * (rng.nextUnit() - 0.5));
      images[i * SIDE * SIDE + f] = Math.min(255, Math.max(0, value));
    }
  }
  return { name: "synthetic", count, rows: SIDE, cols: SIDE, classes: CLASSES, images, labels };
}

/** The fixture's data: 200 training, 40 validation and 40 test examples. */
export function fixtureParts(): Record<"train" | "validation" | "test", ImageDataset> {
  const rng = new Rng(SEED, "edge-popup test data");
  const prototypes = Array.from(
    { length: CLASSES },
    () => Uint8Array.from({ length: SIDE * SIDE }, () => rng.nextInt(256)),
  );
  return {
    train: synthetic(rng, 200, prototypes),
    validation: synthetic(rng, 40, prototypes),
    test: synthetic(rng, 40, prototypes),
  };
}

/** A Trainer of `runs` runs of the fixture's MLP on `dataset` (not reset). */
export function createScoreTrainer(
  gpu: Gpu,
  dataset: GpuDataset,
  optimizer: OptimizerSpec,
  maxSteps: number,
  parameterization: Parameterization,
  runs = RUNS,
): Promise<Trainer> {
  return Trainer.create(gpu, {
    model: mlpModel(WIDTHS),
    parameterization,
    runs,
    batch: BATCH,
    maxSteps,
    chunkSteps: 50,
    optimizer,
    dataset,
    evalSets: [{ name: "validation", indices: dataset.validation }, {
      name: "test",
      indices: dataset.test,
    }],
    evalBatch: 16,
    maxEvaluations: 4,
  });
}

/** Every run's frozen weights (`weightInit`, biases 0) and Kaiming-normal scores, flat. */
export function initialValues(
  weightInit: "signed-kaiming-constant" | "kaiming-normal",
): { params: Float32Array; scores: Float32Array } {
  // Frozen weights without biases (Ramanujan et al.), Kaiming-normal scores.
  const params = new Float32Array(RUNS * layout.perRun);
  const scores = new Float32Array(RUNS * layout.perRun);
  for (let r = 0; r < RUNS; r++) {
    params.set(
      initParams(layout, weightInit, new Rng(SEED, "init", r)),
      r * layout.perRun,
    );
    scores.set(
      initParams(layout, "kaiming-normal", new Rng(SEED, "scores", r)),
      r * layout.perRun,
    );
  }
  return { params, scores };
}

export async function setUp(
  gpu: Gpu,
  pool: BufferPool,
  optimizer: OptimizerSpec,
  maxSteps: number,
  weightInit: "signed-kaiming-constant" | "kaiming-normal",
  parameterization: Parameterization = new EdgePopup(Array.from({ length: RUNS }, () => KEEP)),
) {
  const parts = fixtureParts();
  const dataset = uploadDataset(pool, parts);
  const trainer = await createScoreTrainer(gpu, dataset, optimizer, maxSteps, parameterization);
  const { params, scores } = initialValues(weightInit);
  trainer.reset(params, new Float32Array(RUNS * layout.perRun).fill(1), { scores });
  return { trainer, dataset, parts, params, scores };
}

/** All images and labels of the fixture's parts, in the order uploadDataset packs them. */
export function packedParts(parts: Record<"train" | "validation" | "test", ImageDataset>) {
  return {
    pixels: new Uint8Array([
      ...parts.train.images,
      ...parts.validation.images,
      ...parts.test.images,
    ]),
    labels: new Uint8Array([
      ...parts.train.labels,
      ...parts.validation.labels,
      ...parts.test.labels,
    ]),
  };
}

/** Run r's batch of step 0 (indices laid out [runs, 50, BATCH]), gathered by the reference. */
export function firstBatch(
  parts: Record<"train" | "validation" | "test", ImageDataset>,
  indices: Uint32Array,
  r: number,
) {
  const { pixels, labels } = packedParts(parts);
  return gatherBatchReference(
    { features: SIDE * SIDE, batch: BATCH, runs: 1, steps: 50, step: 0, mean: 0, std: 1 },
    pixels,
    labels,
    indices.subarray(r * 50 * BATCH, (r + 1) * 50 * BATCH),
  );
}

/** Each run's batch indices for `steps` steps of one chunk, laid out [RUNS, 50, BATCH]. */
export function chunkIndices(orders: BatchOrder[], steps: number): Uint32Array {
  const indices = new Uint32Array(RUNS * 50 * BATCH);
  orders.forEach((order, r) => order.fill(indices, r * 50 * BATCH, steps * BATCH));
  return indices;
}

/** Every run's batch order (seeded by run). */
export function batchOrders(dataset: { train: Uint32Array }): BatchOrder[] {
  return Array.from({ length: RUNS }, (_, r) => new BatchOrder(dataset.train, SEED, r));
}

/** Evaluates, trains `steps` (a multiple of 50) in chunks of 50, and evaluates again. */
export function trainWithEvaluations(
  trainer: Trainer,
  dataset: { train: Uint32Array },
  steps: number,
): void {
  trainer.evaluate();
  const orders = batchOrders(dataset);
  for (let done = 0; done < steps; done += 50) {
    trainer.train(chunkIndices(orders, 50), 50, done + 50 === steps);
  }
}
