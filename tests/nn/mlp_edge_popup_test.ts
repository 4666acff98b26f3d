/**
 * MlpTrainer's edge-popup mode: frozen weights, trained scores, an exact top-k mask per layer
 * every step. One SGD step is checked against the f64 references composed by hand (top-k mask,
 * unmasked gradient of the effective weight W*M, dScore = dWeff * W * sign(score), SGD on
 * weight scores only);
 * after many steps the weights are untouched bit for bit, every layer keeps exactly k weights, the
 * mask is the top-k of the final scores, and the loss has gone down.
 */
import assert from "node:assert/strict";
import type { ImageDataset } from "../../src/data/dataset.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { Rng } from "../../src/data/rng.ts";
import { BufferPool, type Gpu } from "../../src/gpu/mod.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { mlpLayout } from "../../src/nn/layout.ts";
import { MlpTrainer, type OptimizerSpec } from "../../src/nn/mlp.ts";
import { mlpGradReference } from "../../src/nn/mlp_reference.ts";
import { keepCount, topkMaskReference } from "../../src/nn/topk_mask.ts";
import { BatchOrder } from "../../src/train/batch_order.ts";
import { initParams } from "../../src/train/init.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SEED = 11;
const SIDE = 4;
const CLASSES = 10;
const WIDTHS = [SIDE * SIDE, 64, 64, CLASSES];
const KEEP = [0.5, 0.5, 0.7];
const BATCH = 8;
const RUNS = 2;
const layout = mlpLayout(WIDTHS);

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

async function setUp(
  gpu: Gpu,
  pool: BufferPool,
  optimizer: OptimizerSpec,
  maxSteps: number,
  weightInit: "signed-kaiming-constant" | "kaiming-normal",
) {
  const rng = new Rng(SEED, "edge-popup test data");
  const prototypes = Array.from(
    { length: CLASSES },
    () => Uint8Array.from({ length: SIDE * SIDE }, () => rng.nextInt(256)),
  );
  const parts = {
    train: synthetic(rng, 200, prototypes),
    validation: synthetic(rng, 40, prototypes),
    test: synthetic(rng, 40, prototypes),
  };
  const dataset = uploadDataset(pool, parts);
  const trainer = await MlpTrainer.create(gpu, {
    widths: WIDTHS,
    runs: RUNS,
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
    maskInProducts: true,
    edgePopup: { keep: KEEP },
  });
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
  trainer.reset(params, new Float32Array(RUNS * layout.perRun).fill(1), scores);
  return { trainer, dataset, parts, params, scores };
}

const segments = layout.layers.map((layer, l) => ({
  scoreOffset: layer.weightOffset,
  maskOffset: layer.weightOffset,
  length: layer.inputs * layer.outputs,
  k: keepCount(KEEP[l], layer.inputs * layer.outputs),
}));

gpuTest("edge-popup: one SGD step on the scores equals the f64 reference", async (_t, gpu) => {
  const pool = new BufferPool(gpu.device);
  const learningRate = 0.1;
  const { trainer, dataset, parts, params, scores } = await setUp(
    gpu,
    pool,
    { kind: "sgd", learningRate, momentum: 0, weightDecay: 0 },
    1,
    // Normal weights: signed constants make exact cancellations (pre-activations of exactly 0)
    // likely, where f32 and f64 may disagree on ReLU'.
    "kaiming-normal",
  );
  try {
    const indices = new Uint32Array(RUNS * 50 * BATCH);
    const orders = [0, 1].map((r) => new BatchOrder(dataset.train, SEED, r));
    orders.forEach((order, r) => order.fill(indices, r * 50 * BATCH, BATCH));
    trainer.train(indices, 1, false);
    const gpuScores = await trainer.readBuffer("scores");

    const pixels = new Uint8Array([
      ...parts.train.images,
      ...parts.validation.images,
      ...parts.test.images,
    ]);
    const labels = new Uint8Array([
      ...parts.train.labels,
      ...parts.validation.labels,
      ...parts.test.labels,
    ]);
    for (let r = 0; r < RUNS; r++) {
      const w = params.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const s = scores.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const mask = new Float64Array(layout.perRun).fill(1);
      topkMaskReference(s, mask, { runs: 1, segments, scoreRunStride: 0, maskRunStride: 0 });
      const effective = Float64Array.from(w, (v, i) => v * mask[i]);
      const batch = gatherBatchReference(
        { features: SIDE * SIDE, batch: BATCH, runs: 1, steps: 50, step: 0, mean: 0, std: 1 },
        pixels,
        labels,
        indices.subarray(r * 50 * BATCH, (r + 1) * 50 * BATCH),
      );
      const { grads } = mlpGradReference(
        layout,
        effective,
        new Float64Array(layout.perRun).fill(1),
        batch.inputs,
        batch.labels,
        { maskInProducts: false },
      );
      let worst = 0;
      for (const layer of layout.layers) {
        for (
          let i = layer.weightOffset;
          i < layer.weightOffset + layer.inputs * layer.outputs;
          i++
        ) {
          const expected = s[i] - learningRate * grads[i] * w[i] * Math.sign(s[i]);
          const got = gpuScores[r * layout.perRun + i];
          const error = Math.abs(got - expected) / (1e-6 + 1e-4 * Math.abs(expected));
          worst = Math.max(worst, error);
          assert.ok(
            error <= 1,
            `run ${r} score ${i}: GPU ${got}, reference ${expected} (|error| ${
              Math.abs(got - expected)
            })`,
          );
        }
        for (let o = 0; o < layer.outputs; o++) {
          const i = layer.biasOffset + o;
          assert.equal(gpuScores[r * layout.perRun + i], s[i], "bias scores are not trained");
        }
      }
      assert.ok(worst <= 1);
    }
  } finally {
    trainer.destroy();
    pool.destroy();
  }
});

gpuTest(
  "edge-popup: weights stay frozen, masks keep exactly k, the loss falls",
  async (_t, gpu) => {
    const pool = new BufferPool(gpu.device);
    const steps = 300;
    const { trainer, dataset, params } = await setUp(
      gpu,
      pool,
      { kind: "adam", learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      steps,
      "signed-kaiming-constant",
    );
    try {
      trainer.evaluate();
      const orders = [0, 1].map((r) => new BatchOrder(dataset.train, SEED, r));
      const indices = new Uint32Array(RUNS * 50 * BATCH);
      for (let done = 0; done < steps; done += 50) {
        orders.forEach((order, r) => order.fill(indices, r * 50 * BATCH, 50 * BATCH));
        trainer.train(indices, 50, done + 50 === steps);
      }
      const history = await trainer.readHistory();
      const weights = await trainer.readParams();
      assert.deepEqual(
        new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
        new Uint8Array(params.buffer),
        "edge-popup must not change the weights",
      );
      const scores = await trainer.readBuffer("scores");
      const mask = await trainer.readBuffer("mask");
      const expected = new Float32Array(RUNS * layout.perRun).fill(1);
      topkMaskReference(scores, expected, {
        runs: RUNS,
        segments,
        scoreRunStride: layout.perRun,
        maskRunStride: layout.perRun,
      });
      for (let r = 0; r < RUNS; r++) {
        layout.layers.forEach((layer, l) => {
          const start = r * layout.perRun + layer.weightOffset;
          const block = mask.subarray(start, start + layer.inputs * layer.outputs);
          assert.equal(block.reduce((a, b) => a + b, 0), segments[l].k, `run ${r} ${layer.name}`);
          assert.deepEqual(block, expected.subarray(start, start + block.length));
        });
        const before = history[0][0][r].loss, after = history[1][0][r].loss;
        assert.ok(
          after < 0.8 * before,
          `run ${r}: validation loss ${before} -> ${after} after ${steps} score steps`,
        );
      }
    } finally {
      trainer.destroy();
      pool.destroy();
    }
  },
);
