/**
 * Trainer under biprop (src/model/biprop.ts): frozen weights, trained scores, effective weights
 * alpha * sign(W) * M with M the top-k of |S| per layer and alpha = sum |W| M / sum M. The f64
 * side is composed by hand here (top-k mask, alpha, the effective weights, then the MLP
 * reference's forward and backward), so it checks the kernels' composition, not their own
 * references: one SGD step (the gradient of the effective weights and
 * dScore = dWeff * W * sign(score)), an evaluation's loss and accuracy, frozen weights and biases,
 * and runs batched in one dispatch against each run alone, bit for bit.
 */
import assert from "node:assert/strict";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool } from "../../src/gpu/mod.ts";
import { Biprop } from "../../src/model/mod.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { keepCount, topkMaskReference } from "../../src/nn/topk_mask.ts";
import type { Trainer } from "../../src/train/trainer.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { mlpEvaluateReference, mlpGradReference } from "./mlp_reference.ts";
import {
  batchOrders,
  chunkIndices,
  createScoreTrainer,
  firstBatch,
  fixtureParts,
  initialValues,
  KEEP,
  layout,
  packedParts,
  RUNS,
  SEED,
  setUp,
  SIDE,
} from "./score_trainer_fixture.ts";
import { Rng } from "../../src/base/rng.ts";

const ones = () => new Float32Array(RUNS * layout.perRun).fill(1);

/**
 * The fixture's values with biases set (biprop must carry them through unchanged) and a few
 * weights exactly 0 (sign(0) = 0: never part of the effective weights, not counted in alpha's
 * numerator, though still kept by the top-k).
 */
function withBiasesAndZeros(params: Float32Array): Float32Array {
  const out = params.slice();
  const rng = new Rng(SEED, "biprop test biases");
  for (let r = 0; r < RUNS; r++) {
    for (const layer of layout.layers) {
      const base = r * layout.perRun;
      for (let o = 0; o < layer.outputs; o++) {
        out[base + layer.biasOffset + o] = 0.2 * (rng.nextUnit() - 0.5);
      }
      for (let k = 0; k < 5; k++) out[base + layer.weightOffset + 7 * k] = 0;
    }
  }
  return out;
}

/** Run r's effective parameters in f64: alpha * sign(W) * M on weights, biases as stored. */
function effectiveParams(
  params: Float32Array,
  scores: Float32Array,
  keep: readonly number[],
  r: number,
): Float64Array {
  const w = params.subarray(r * layout.perRun, (r + 1) * layout.perRun);
  const s = scores.subarray(r * layout.perRun, (r + 1) * layout.perRun);
  const mask = new Float64Array(layout.perRun).fill(1);
  const segments = layout.layers.map((layer, l) => ({
    scoreOffset: layer.weightOffset,
    maskOffset: layer.weightOffset,
    length: layer.inputs * layer.outputs,
    k: keepCount(keep[l], layer.inputs * layer.outputs),
  }));
  topkMaskReference(s, mask, { runs: 1, segments, scoreRunStride: 0, maskRunStride: 0 });
  const effective = Float64Array.from(w);
  for (const layer of layout.layers) {
    const start = layer.weightOffset, end = start + layer.inputs * layer.outputs;
    let sum = 0, kept = 0;
    for (let i = start; i < end; i++) {
      sum += Math.abs(w[i]) * mask[i];
      kept += mask[i];
    }
    const alpha = kept > 0 ? sum / kept : 0;
    for (let i = start; i < end; i++) effective[i] = alpha * Math.sign(w[i]) * mask[i];
  }
  return effective;
}

function sameBytes(what: string, got: Float32Array, expected: Float32Array): void {
  assert.equal(got.length, expected.length, `${what}: length`);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const first = a.findIndex((v, i) => v !== b[i]);
  assert.equal(first, -1, `${what}: entry ${first} differs: ${got[first]} vs ${expected[first]}`);
}

gpuTest(
  "biprop: one SGD step on the scores equals the f64 reference; weights stay frozen",
  async (_t, gpu) => {
    const pool = new BufferPool(gpu.device);
    const learningRate = 0.1;
    const keep = Array.from({ length: RUNS }, () => KEEP);
    const { trainer, dataset, parts, params: initial, scores } = await setUp(
      gpu,
      pool,
      { kind: "sgd", learningRate, momentum: 0, weightDecay: 0 },
      1,
      // Normal weights: signed constants make exact cancellations (pre-activations of exactly
      // 0) likely, where f32 and f64 may disagree on ReLU'.
      "kaiming-normal",
      new Biprop(keep),
    );
    try {
      const params = withBiasesAndZeros(initial);
      trainer.reset(params, ones(), { scores });
      const indices = chunkIndices(batchOrders(dataset), 1);
      trainer.train(indices, 1, false);
      const gpuGrads = await trainer.readBuffer("grads");
      const gpuScores = await trainer.readBuffer("scores");
      sameBytes("weights and biases after a step", await trainer.readParams(), params);

      for (let r = 0; r < RUNS; r++) {
        const base = r * layout.perRun;
        const w = params.subarray(base, base + layout.perRun);
        const s = scores.subarray(base, base + layout.perRun);
        const batch = firstBatch(parts, indices, r);
        const { grads } = mlpGradReference(
          layout,
          effectiveParams(params, scores, keep[r], r),
          new Float64Array(layout.perRun).fill(1),
          batch.inputs,
          batch.labels,
          { maskInProducts: false },
        );
        for (const layer of layout.layers) {
          for (
            let i = layer.weightOffset;
            i < layer.weightOffset + layer.inputs * layer.outputs;
            i++
          ) {
            // The unmasked gradient of the effective weight, then the authors' rule.
            const dEffective = gpuGrads[base + i];
            assert.ok(
              Math.abs(dEffective - grads[i]) <= 1e-6 + 1e-4 * Math.abs(grads[i]),
              `run ${r} ${layer.name} dWeff[${i}]: GPU ${dEffective}, reference ${grads[i]}`,
            );
            const step = -learningRate * grads[i] * w[i] * Math.sign(s[i]);
            // The step as the GPU took it; s - lr * dS rounds to the score's f32 ULP.
            const taken = gpuScores[base + i] - s[i];
            const ulp = 2 ** -23 * Math.max(Math.abs(s[i]), Math.abs(gpuScores[base + i]));
            assert.ok(
              Math.abs(taken - step) <= ulp + 1e-8 + 1e-4 * Math.abs(step),
              `run ${r} ${layer.name} score ${i}: moved by ${taken}, reference ${step} (lr * dWeff * W * sign(S), W ${
                w[i]
              }, S ${s[i]})`,
            );
          }
          for (let o = 0; o < layer.outputs; o++) {
            const i = layer.biasOffset + o;
            assert.equal(gpuScores[base + i], s[i], `run ${r} bias score ${i} is not trained`);
          }
        }
      }
    } finally {
      trainer.destroy();
      pool.destroy();
    }
  },
);

gpuTest(
  "biprop: an evaluation uses alpha * sign(W) * M (loss and accuracy as the f64 reference's)",
  async (_t, gpu) => {
    const pool = new BufferPool(gpu.device);
    const keep = [[0.5, 0.5, 0.7], [0.2, 0.9, 0.3]];
    const { trainer, parts, params: initial, scores } = await setUp(
      gpu,
      pool,
      { kind: "sgd", learningRate: 0.1, momentum: 0, weightDecay: 0 },
      1,
      "kaiming-normal",
      new Biprop(keep),
    );
    try {
      const params = withBiasesAndZeros(initial);
      trainer.reset(params, ones(), { scores });
      trainer.evaluate();
      const [history] = await trainer.readHistory();
      const { pixels, labels } = packedParts(parts);
      const sets = [
        { name: "validation", first: parts.train.count, count: parts.validation.count },
        {
          name: "test",
          first: parts.train.count + parts.validation.count,
          count: parts.test.count,
        },
      ];
      sets.forEach((set, k) => {
        const indices = Uint32Array.from({ length: set.count }, (_, i) => set.first + i);
        const batch = gatherBatchReference(
          {
            features: SIDE * SIDE,
            batch: set.count,
            runs: 1,
            steps: 1,
            step: 0,
            mean: 0,
            std: 1,
          },
          pixels,
          labels,
          indices,
        );
        for (let r = 0; r < RUNS; r++) {
          const evaluate = (effective: Float64Array) =>
            mlpEvaluateReference(
              layout,
              effective,
              new Float64Array(layout.perRun).fill(1),
              batch.inputs,
              batch.labels,
              { maskInProducts: false },
            );
          const expected = evaluate(effectiveParams(params, scores, keep[r], r));
          const got = history[k][r];
          const what = `run ${r} ${set.name}`;
          assert.ok(
            Math.abs(got.loss - expected.loss) <= 1e-5 * expected.loss,
            `${what}: loss ${got.loss}, reference ${expected.loss} with alpha * sign(W) * M`,
          );
          assert.equal(got.accuracy, expected.accuracy, `${what}: accuracy`);
          // The check can tell: edge-popup's W * M on the same mask gives another loss.
          const w = params.subarray(r * layout.perRun, (r + 1) * layout.perRun);
          const binary = effectiveParams(params, scores, keep[r], r);
          const masked = Float64Array.from(binary, (v, i) => v === 0 ? 0 : w[i]);
          layout.layers.forEach((layer) =>
            masked.set(
              w.subarray(layer.biasOffset, layer.biasOffset + layer.outputs),
              layer.biasOffset,
            )
          );
          const other = evaluate(masked).loss;
          assert.ok(
            Math.abs(other - expected.loss) > 1e-3 * expected.loss,
            `${what}: W * M and alpha * sign(W) * M give the same loss ${other}; the check cannot fail`,
          );
        }
      });
    } finally {
      trainer.destroy();
      pool.destroy();
    }
  },
);

gpuTest(
  "biprop: runs batched in one dispatch give the same bits as each run alone",
  async (_t, gpu) => {
    const pool = new BufferPool(gpu.device);
    const keep = [[0.5, 0.5, 0.7], [0.2, 0.9, 0.3]];
    const steps = 10;
    const optimizer = {
      kind: "adam",
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
    } as const;
    const parts = fixtureParts();
    const dataset = uploadDataset(pool, parts);
    const { params: initial, scores } = initialValues("kaiming-normal");
    const params = withBiasesAndZeros(initial);
    const indices = chunkIndices(batchOrders(dataset), steps);
    const chunk = indices.length / RUNS;
    const run = async (trainer: Trainer, runs: number, r: number) => {
      try {
        const slice = (v: Float32Array) =>
          runs === RUNS ? v : v.slice(r * layout.perRun, (r + 1) * layout.perRun);
        trainer.reset(slice(params), new Float32Array(runs * layout.perRun).fill(1), {
          scores: slice(scores),
        });
        trainer.train(
          runs === RUNS ? indices : indices.slice(r * chunk, (r + 1) * chunk),
          steps,
          true,
        );
        return {
          scores: await trainer.readBuffer("scores"),
          mask: await trainer.readBuffer("mask"),
          params: await trainer.readParams(),
          losses: (await trainer.readHistory())[0].map((set) => set.map((e) => e.loss)),
        };
      } finally {
        trainer.destroy();
      }
    };
    try {
      const batched = await run(
        await createScoreTrainer(gpu, dataset, optimizer, steps, new Biprop(keep)),
        RUNS,
        0,
      );
      sameBytes("batched weights after training", batched.params, params);
      for (let r = 0; r < RUNS; r++) {
        const alone = await run(
          await createScoreTrainer(gpu, dataset, optimizer, steps, new Biprop([keep[r]]), 1),
          1,
          r,
        );
        const part = (v: Float32Array) => v.subarray(r * layout.perRun, (r + 1) * layout.perRun);
        sameBytes(`run ${r} scores`, alone.scores, part(batched.scores));
        sameBytes(`run ${r} mask`, alone.mask, part(batched.mask));
        alone.losses.forEach((set, k) =>
          assert.equal(set[0], batched.losses[k][r], `run ${r} evaluation set ${k} loss`)
        );
        // The mask is the top-k of the final scores (the evaluation recomputed it).
        layout.layers.forEach((layer, l) => {
          const block = alone.mask.subarray(
            layer.weightOffset,
            layer.weightOffset + layer.inputs * layer.outputs,
          );
          assert.equal(
            block.reduce((a, b) => a + b, 0),
            keepCount(keep[r][l], block.length),
            `run ${r} ${layer.name} keeps k weights`,
          );
        });
      }
    } finally {
      pool.destroy();
    }
  },
);

gpuTest("biprop: a kept fraction per layer and run is required", async (_t, gpu) => {
  const pool = new BufferPool(gpu.device);
  try {
    const dataset = uploadDataset(pool, fixtureParts());
    const sgd = { kind: "sgd", learningRate: 0.1, momentum: 0, weightDecay: 0 } as const;
    for (const keep of [[[0.5, 0.5]], [KEEP, [0.5, 1.5, 0.5]]]) {
      await assert.rejects(
        () => createScoreTrainer(gpu, dataset, sgd, 1, new Biprop(keep)),
        /biprop needs one kept fraction in \[0, 1\] per layer \(3\) for each of the 2 runs, got /,
      );
    }
  } finally {
    pool.destroy();
  }
});
