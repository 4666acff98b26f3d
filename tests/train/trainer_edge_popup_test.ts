/**
 * Trainer's edge-popup mode: frozen weights, trained scores, an exact top-k mask per layer
 * every step. One SGD step is checked against the f64 references composed by hand (top-k mask,
 * unmasked gradient of the effective weight W*M, dScore = dWeff * W * sign(score), SGD on
 * weight scores only);
 * after many steps the weights are untouched bit for bit, every layer keeps exactly k weights, the
 * mask is the top-k of the final scores, and the loss has gone down.
 */
import { EdgePopup } from "../../src/model/mod.ts";
import assert from "node:assert/strict";
import { BufferPool } from "../../src/gpu/mod.ts";
import { mlpGradReference } from "./mlp_reference.ts";
import { keepCount, topkMaskReference } from "../../src/nn/topk_mask.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import {
  batchOrders,
  chunkIndices,
  firstBatch,
  KEEP,
  layout,
  RUNS,
  setUp,
  trainWithEvaluations,
} from "./score_trainer_fixture.ts";

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
    const indices = chunkIndices(batchOrders(dataset), 1);
    trainer.train(indices, 1, false);
    const gpuScores = await trainer.readBuffer("scores");

    for (let r = 0; r < RUNS; r++) {
      const w = params.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const s = scores.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      const mask = new Float64Array(layout.perRun).fill(1);
      topkMaskReference(s, mask, { runs: 1, segments, scoreRunStride: 0, maskRunStride: 0 });
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
      trainWithEvaluations(trainer, dataset, steps);
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

gpuTest("edge-popup: runs may keep different fractions in one dispatch", async (_t, gpu) => {
  const pool = new BufferPool(gpu.device);
  const keep = [[0.1, 0.3, 0.9], [0.7, 0.5, 0.2]];
  const { trainer, dataset } = await setUp(
    gpu,
    pool,
    { kind: "adam", learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    10,
    "signed-kaiming-constant",
    new EdgePopup(keep),
  );
  try {
    // The evaluation after the steps recomputes the masks from the final scores.
    trainer.train(chunkIndices(batchOrders(dataset), 50), 10, true);
    const scores = await trainer.readBuffer("scores");
    const mask = await trainer.readBuffer("mask");
    for (let r = 0; r < RUNS; r++) {
      const expected = new Float32Array(layout.perRun).fill(1);
      const runSegments = layout.layers.map((layer, l) => ({
        scoreOffset: layer.weightOffset,
        maskOffset: layer.weightOffset,
        length: layer.inputs * layer.outputs,
        k: keepCount(keep[r][l], layer.inputs * layer.outputs),
      }));
      const runScores = scores.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      topkMaskReference(runScores, expected, {
        runs: 1,
        segments: runSegments,
        scoreRunStride: 0,
        maskRunStride: 0,
      });
      const got = mask.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      layout.layers.forEach((layer, l) => {
        const block = got.subarray(
          layer.weightOffset,
          layer.weightOffset + layer.inputs * layer.outputs,
        );
        assert.equal(block.reduce((a, b) => a + b, 0), runSegments[l].k, `run ${r} ${layer.name}`);
      });
      assert.deepEqual(got, expected);
    }
  } finally {
    trainer.destroy();
    pool.destroy();
  }
});

gpuTest(
  "a reset must give the parameterization's stored tensors, and only those",
  async (_t, gpu) => {
    const pool = new BufferPool(gpu.device);
    const { trainer, params } = await setUp(
      gpu,
      pool,
      { kind: "sgd", learningRate: 0.1, momentum: 0, weightDecay: 0 },
      1,
      "kaiming-normal",
    );
    try {
      const ones = new Float32Array(params.length).fill(1);
      assert.throws(
        () => trainer.reset(params, ones),
        /the edge-popup parameterization needs \d+ scores at reset, got 0/,
      );
      assert.throws(
        () => trainer.reset(params, ones, { scores: params, moments: params }),
        /the edge-popup parameterization stores \[scores\], got \[moments\] at reset/,
      );
    } finally {
      trainer.destroy();
      pool.destroy();
    }
  },
);
