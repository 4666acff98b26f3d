/**
 * Trainer's learned Bernoulli supermask (Zhou et al.): frozen weights, trained scores, a mask
 * sampled every step from Bernoulli(sigmoid(score)) with the seeded counter stream. One SGD step
 * equals the f64 references composed by hand (the sampled mask, the unmasked gradient of the
 * effective weight W*M, dScore = dWeff * W * sigmoid'(score)); after many steps the weights are
 * untouched bit for bit, evaluation uses the most probable mask [score > 0], the loss has gone
 * down, and two identical runs give identical scores.
 */
import { BernoulliSupermask } from "../../src/model/mod.ts";
import assert from "node:assert/strict";
import { BufferPool } from "../../src/gpu/mod.ts";
import { mlpGradReference } from "./mlp_reference.ts";
import { supermaskSampleReference } from "../../src/nn/supermask_sample.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import {
  batchOrders,
  chunkIndices,
  firstBatch,
  layout,
  RUNS,
  setUp,
  trainWithEvaluations,
} from "./score_trainer_fixture.ts";

const KEY = 0x5eed;
const SUPERMASK = new BernoulliSupermask(KEY);

gpuTest("supermask: one SGD step on the scores equals the f64 reference", async (_t, gpu) => {
  const pool = new BufferPool(gpu.device);
  const learningRate = 0.5;
  const { trainer, dataset, parts, params, scores } = await setUp(
    gpu,
    pool,
    { kind: "sgd", learningRate, momentum: 0, weightDecay: 0 },
    1,
    "kaiming-normal",
    SUPERMASK,
  );
  try {
    const indices = chunkIndices(batchOrders(dataset), 1);
    trainer.train(indices, 1, false);
    const gpuScores = await trainer.readBuffer("scores");
    const masks = new Float64Array(RUNS * layout.perRun);
    supermaskSampleReference(
      {
        n: layout.perRun,
        runs: RUNS,
        scoreOffset: 0,
        scoreRunStride: layout.perRun,
        maskOffset: 0,
        maskRunStride: layout.perRun,
        key: KEY,
        counterBase: 0,
        counterRunStride: layout.perRun,
        stepStride: RUNS * layout.perRun,
      },
      0,
      scores,
      masks,
    );
    let kept = 0;
    for (let r = 0; r < RUNS; r++) {
      const w = params.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const s = scores.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const mask = masks.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const effective = Float64Array.from(w, (v, i) => v * mask[i]);
      const batch = firstBatch(parts, indices, r);
      const { grads } = mlpGradReference(
        layout,
        effective,
        new Float64Array(layout.perRun).fill(1),
        batch.inputs,
        batch.labels,
        { maskInProducts: false },
      );
      for (const layer of layout.layers) {
        const end = layer.weightOffset + layer.inputs * layer.outputs;
        for (let i = layer.weightOffset; i < end; i++) {
          kept += mask[i];
          const sigmoid = 1 / (1 + Math.exp(-s[i]));
          const expected = s[i] - learningRate * grads[i] * w[i] * sigmoid * (1 - sigmoid);
          const got = gpuScores[r * layout.perRun + i];
          assert.ok(
            Math.abs(got - expected) <= 1e-6 + 1e-4 * Math.abs(expected),
            `run ${r} score ${i}: GPU ${got}, reference ${expected}`,
          );
        }
        for (let o = 0; o < layer.outputs; o++) {
          const i = layer.biasOffset + o;
          assert.equal(gpuScores[r * layout.perRun + i], s[i], "bias scores are not trained");
        }
      }
    }
    // Scores near 0 keep about half the weights: the sample is neither all nor nothing.
    const weights = RUNS * layout.layers.reduce((n, l) => n + l.inputs * l.outputs, 0);
    assert.ok(kept > 0.3 * weights && kept < 0.7 * weights, `kept ${kept} of ${weights}`);
  } finally {
    trainer.destroy();
    pool.destroy();
  }
});

async function trainScores(gpu: Parameters<typeof setUp>[0], steps: number) {
  const pool = new BufferPool(gpu.device);
  const { trainer, dataset, params } = await setUp(
    gpu,
    pool,
    { kind: "adam", learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    steps,
    "signed-kaiming-constant",
    SUPERMASK,
  );
  try {
    trainWithEvaluations(trainer, dataset, steps);
    return {
      params,
      history: await trainer.readHistory(),
      weights: await trainer.readParams(),
      scores: await trainer.readBuffer("scores"),
      mask: await trainer.readBuffer("mask"),
    };
  } finally {
    trainer.destroy();
    pool.destroy();
  }
}

gpuTest(
  "supermask: weights stay frozen, evaluation uses [score > 0], the loss falls, reruns are identical",
  async (_t, gpu) => {
    const steps = 300;
    const first = await trainScores(gpu, steps);
    assert.deepEqual(
      new Uint8Array(first.weights.buffer, first.weights.byteOffset, first.weights.byteLength),
      new Uint8Array(first.params.buffer),
      "a supermask must not change the weights",
    );
    // The last evaluation left the most probable mask in the mask buffer.
    for (const layer of layout.layers) {
      for (let r = 0; r < RUNS; r++) {
        const start = r * layout.perRun + layer.weightOffset;
        for (let i = start; i < start + layer.inputs * layer.outputs; i++) {
          assert.equal(first.mask[i], first.scores[i] > 0 ? 1 : 0, `mask entry ${i}`);
        }
      }
    }
    for (let r = 0; r < RUNS; r++) {
      const before = first.history[0][0][r].loss, after = first.history[1][0][r].loss;
      assert.ok(
        after < 0.8 * before,
        `run ${r}: validation loss ${before} -> ${after} after ${steps} score steps`,
      );
    }
    const second = await trainScores(gpu, steps);
    assert.deepEqual(second.scores, first.scores, "same seed, same adapter: identical scores");
  },
);
