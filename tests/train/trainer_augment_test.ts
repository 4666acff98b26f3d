/**
 * Trainer with per-channel normalisation and augmentation on a tiny synthetic colour data set
 * (3 x 4 x 4 images, 10 classes): the GPU training steps against the f64 CPU reference fed with
 * the reference gather of each run's key at the global step (three chunks, so the step the
 * draws use is counters[1], not the step within the chunk); runs that differ only in their key
 * train differently, runs with the same key bit-identically; S = 2 runs together give the bits
 * of each run alone; evaluation is not augmented.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { STREAMS } from "../../src/base/streams.ts";
import type { ImageDataset } from "../../src/data/dataset.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool, type Gpu, withValidation } from "../../src/gpu/mod.ts";
import type { AdamHyper } from "../../src/nn/adam.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { initParams } from "../../src/model/init.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import { MaskedWeights, mlpModel } from "../../src/model/mod.ts";
import { BatchOrder } from "../../src/train/batch_order.ts";
import { type Augmentation, Trainer } from "../../src/train/trainer.ts";
import { mlpEvaluateReference, mlpStepReference } from "./mlp_reference.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SEED = 9;
const SHAPE = { channels: 3, rows: 4, cols: 4 };
const FEATURES = SHAPE.channels * SHAPE.rows * SHAPE.cols;
const CLASSES = 10;
const WIDTHS = [FEATURES, 12, CLASSES];
const BATCH = 8;
const CHUNK = 20;
const CHUNKS = 3;
const NORMALIZE = { mean: [0.45, 0.5, 0.55], std: [0.2, 0.25, 0.3] };
const HYPER: AdamHyper = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const layout = mlpLayout(WIDTHS);
const KEYS = [STREAMS.augmentation.key(SEED, 0), STREAMS.augmentation.key(SEED, 1)];

function synthetic(rng: Rng, name: string, count: number, prototypes: Uint8Array[]): ImageDataset {
  const images = new Uint8Array(count * FEATURES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.nextInt(CLASSES);
    for (let f = 0; f < FEATURES; f++) {
      const value = prototypes[labels[i]][f] + Math.round(100 * (rng.nextUnit() - 0.5));
      images[i * FEATURES + f] = Math.min(255, Math.max(0, value));
    }
  }
  return { name, count, ...SHAPE, classes: CLASSES, images, labels };
}

function makeParts() {
  const rng = new Rng(SEED, "augment test data");
  const prototypes = Array.from(
    { length: CLASSES },
    () => Uint8Array.from({ length: FEATURES }, () => rng.nextInt(256)),
  );
  return {
    train: synthetic(rng, "train", 120, prototypes),
    validation: synthetic(rng, "validation", 20, prototypes),
    test: synthetic(rng, "test", 20, prototypes),
  };
}
const PARTS = makeParts();
const HOST = {
  pixels: new Uint8Array([PARTS.train, PARTS.validation, PARTS.test].flatMap((p) => [...p.images])),
  labels: new Uint8Array([PARTS.train, PARTS.validation, PARTS.test].flatMap((p) => [...p.labels])),
};

const START = initParams(layout, "glorot-normal", new Rng(SEED, "init", 0));
const MASK = new Float32Array(layout.perRun).fill(1);

interface Trained {
  params: Float32Array;
  history: { loss: number; accuracy: number }[][][];
  used: Uint32Array[];
}

/** Trains `keys.length` runs from START, all with trial 0's batch order, for CHUNKS chunks. */
async function train(
  gpu: Gpu,
  augmentation: Omit<Augmentation, "key">,
  keys: number[],
): Promise<Trained> {
  const pool = new BufferPool(gpu.device);
  let trainer: Trainer | null = null;
  try {
    const result = await withValidation(gpu.device, "augmented training", async () => {
      const dataset = uploadDataset(pool, PARTS);
      const runs = keys.length;
      trainer = await Trainer.create(gpu, {
        model: mlpModel(WIDTHS),
        parameterization: new MaskedWeights(false),
        runs,
        batch: BATCH,
        maxSteps: CHUNK * CHUNKS,
        chunkSteps: CHUNK,
        optimizer: { kind: "adam", ...HYPER },
        dataset,
        evalSets: [{ name: "test", indices: dataset.test }],
        evalBatch: 16,
        maxEvaluations: 1,
        inputMean: NORMALIZE.mean,
        inputStd: NORMALIZE.std,
        augmentation: { ...augmentation, key: keys },
      });
      const params = new Float32Array(runs * layout.perRun);
      for (let r = 0; r < runs; r++) params.set(START, r * layout.perRun);
      trainer.reset(params, new Float32Array(params.length).fill(1));
      const orders = keys.map(() => new BatchOrder(dataset.train, SEED, 0));
      const used: Uint32Array[] = [];
      for (let c = 0; c < CHUNKS; c++) {
        const indices = new Uint32Array(runs * CHUNK * BATCH);
        orders.forEach((order, r) => order.fill(indices, r * CHUNK * BATCH, CHUNK * BATCH));
        trainer.train(indices, CHUNK, c === CHUNKS - 1);
        used.push(indices);
      }
      return { params: await trainer.readParams(), history: await trainer.readHistory(), used };
    });
    gpu.throwIfFailed();
    return result;
  } finally {
    (trainer as Trainer | null)?.destroy();
    pool.destroy();
  }
}

const bitsOf = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
const runOf = (params: Float32Array, r: number) =>
  params.subarray(r * layout.perRun, (r + 1) * layout.perRun);

gpuTest("Trainer with augmentation: 60 steps match the f64 reference per run", async (t, gpu) => {
  await t.step("2 runs, padding 2 and flip, 3 chunks of 20 steps", async () => {
    const augmentation = { padding: 2, flip: true };
    const out = await train(gpu, augmentation, KEYS);
    // As in tests/train/trainer_test.ts: the f32 drift after 60 Adam steps is far inside rtol
    // 1e-3 / atol 1e-4, and a wrong crop, flip or step moves weights by up to lr per step.
    const ATOL = 1e-4, RTOL = 1e-3;
    for (let r = 0; r < KEYS.length; r++) {
      const params = Float64Array.from(START);
      const state = {
        m: new Float64Array(layout.perRun),
        v: new Float64Array(layout.perRun),
        t: 0,
      };
      out.used.forEach((indices, c) => {
        const mine = indices.subarray(r * CHUNK * BATCH, (r + 1) * CHUNK * BATCH);
        for (let s = 0; s < CHUNK; s++) {
          const batch = gatherBatchReference(
            {
              features: FEATURES,
              batch: BATCH,
              runs: 1,
              steps: CHUNK,
              step: s,
              ...NORMALIZE,
              shape: SHAPE,
              augmentation: { ...augmentation, keys: [KEYS[r]], globalStep: c * CHUNK + s },
            },
            HOST.pixels,
            HOST.labels,
            mine,
          );
          mlpStepReference(layout, params, MASK, batch.inputs, batch.labels, state, HYPER);
        }
      });
      const gpuParams = runOf(out.params, r);
      let moved = 0;
      for (let i = 0; i < layout.perRun; i++) {
        const error = Math.abs(gpuParams[i] - params[i]);
        assert.ok(
          error <= ATOL + RTOL * Math.abs(params[i]),
          `run ${r} entry ${i}: GPU ${gpuParams[i]}, reference ${params[i]}`,
        );
        if (Math.abs(params[i] - START[i]) > 10 * ATOL) moved++;
      }
      assert.ok(moved > 50, `only ${moved} weights moved: the test is not live`);
      // Evaluation is not augmented: the test loss is the plain normalised forward pass.
      const test = PARTS.test;
      const offset = PARTS.train.count + PARTS.validation.count;
      const inputs = new Float64Array(test.count * FEATURES);
      for (let i = 0; i < inputs.length; i++) {
        const c = Math.floor((i % FEATURES) / (SHAPE.rows * SHAPE.cols));
        const byte = HOST.pixels[offset * FEATURES + i];
        inputs[i] = (byte / 255 - Math.fround(NORMALIZE.mean[c])) /
          (1 / Math.fround(1 / NORMALIZE.std[c]));
      }
      const reference = mlpEvaluateReference(
        layout,
        Float64Array.from(gpuParams),
        MASK,
        inputs,
        test.labels,
      );
      const loss = reference.loss;
      const gpuLoss = out.history[0][0][r].loss;
      assert.ok(
        Math.abs(gpuLoss - loss) < 1e-4 * Math.max(1, loss),
        `test loss ${gpuLoss} vs ${loss}`,
      );
    }
  });
});

gpuTest(
  "Trainer with augmentation: keys decide the draws, runs batch bit-identically",
  async (t, gpu) => {
    await t.step("other keys train differently, equal keys alike, S = 2 as S = 1", async () => {
      const augmentation = { padding: 2, flip: true };
      const two = await train(gpu, augmentation, KEYS);
      const same = await train(gpu, augmentation, [KEYS[0], KEYS[0]]);
      const alone = [
        await train(gpu, augmentation, [KEYS[0]]),
        await train(gpu, augmentation, [KEYS[1]]),
      ];
      const none = await train(gpu, { padding: 0, flip: false }, KEYS);
      // Same init and batch order: only the key differs between the runs.
      assert.notDeepEqual(bitsOf(runOf(two.params, 0)), bitsOf(runOf(two.params, 1)));
      assert.deepEqual(bitsOf(runOf(same.params, 0)), bitsOf(runOf(same.params, 1)));
      for (let r = 0; r < 2; r++) {
        assert.deepEqual(bitsOf(runOf(two.params, r)), bitsOf(alone[r].params), `run ${r}`);
        assert.deepEqual(two.history[0][0][r], alone[r].history[0][0][0], `history of run ${r}`);
      }
      // Padding 0 without flip augments nothing: the keys change nothing.
      assert.deepEqual(bitsOf(runOf(none.params, 0)), bitsOf(runOf(none.params, 1)));
      assert.notDeepEqual(bitsOf(runOf(none.params, 0)), bitsOf(runOf(two.params, 0)));
    });
  },
);
