/**
 * The linearized network in the Trainer (src/model/linearized.ts with LinearizedWeights): a few SGD
 * steps of two runs side by side against the f64 reference f(theta0) + J(theta0)(theta - theta0),
 * whose gradient is J(theta0)^T g (src/tangent/mlp_f64.ts), with theta != theta0 from the start so
 * the tangent path carries weight; then an evaluation's loss and accuracy against the same
 * reference; with and without pruned entries (0 in theta and theta0, kept at 0).
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool } from "../../src/gpu/mod.ts";
import { initParams } from "../../src/model/init.ts";
import { LinearizedWeights, linearizeModel, mlpModel } from "../../src/model/mod.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { softmaxXentReference } from "../../src/nn/softmax_xent.ts";
import { mlpJvp, mlpPrimal, mlpVjp, primalLogits } from "../../src/tangent/mod.ts";
import { BatchOrder } from "../../src/train/batch_order.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { prototypesOf, syntheticImages } from "../fixtures/synthetic_images.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SIDE = 4;
const WIDTHS = [SIDE * SIDE, 12, 8, 10];
const BATCH = 8;
const STEPS = 3;
const RUNS = 2;
const LEARNING_RATE = 0.1;
const INPUT = { mean: 0.5, std: 0.25 };

/** Linearized logits of `inputs` [rows, features] and the primal pass they came from. */
function linearized(theta0: Float32Array, theta: Float64Array, inputs: Float64Array) {
  const model = mlpModel(WIDTHS);
  const primal = mlpPrimal(model.layout, theta0, inputs);
  const step = theta.map((value, i) => value - theta0[i]);
  const tangent = mlpJvp(primal, step);
  return { primal, logits: primalLogits(primal).map((z, i) => z + tangent[i]) };
}

gpuTest(
  "linearized training matches f(theta0) + J(theta0)(theta - theta0) in f64",
  async (t, gpu) => {
    for (const pruned of [false, true]) {
      await t.step(pruned ? "with pruned entries" : "dense", async () => {
        const pool = new BufferPool(gpu.device);
        const rng = new Rng(11, "linearized test", pruned ? 1 : 0);
        const prototypes = prototypesOf(rng, SIDE);
        const parts = {
          train: syntheticImages(rng, 64, prototypes, SIDE),
          validation: syntheticImages(rng, 20, prototypes, SIDE),
          test: syntheticImages(rng, 20, prototypes, SIDE),
        };
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
        const dataset = uploadDataset(pool, parts);
        const model = mlpModel(WIDTHS);
        const { perRun } = model.layout;
        const trainer = await Trainer.create(gpu, {
          model: linearizeModel(model),
          parameterization: new LinearizedWeights(),
          runs: RUNS,
          batch: BATCH,
          maxSteps: STEPS,
          chunkSteps: STEPS,
          optimizer: { kind: "sgd", learningRate: LEARNING_RATE, momentum: 0, weightDecay: 0 },
          dataset,
          evalSets: [{ name: "validation", indices: dataset.validation }],
          evalBatch: 16,
          maxEvaluations: 1,
          inputMean: INPUT.mean,
          inputStd: INPUT.std,
        });
        try {
          const theta0s: Float32Array[] = [],
            thetas: Float32Array[] = [],
            masks: Float32Array[] = [];
          for (let r = 0; r < RUNS; r++) {
            const theta0 = initParams(model.layout, "kaiming-normal", rng);
            const mask = new Float32Array(perRun).fill(1);
            for (const layer of model.layout.layers) {
              for (let o = 0; o < layer.outputs; o++) {
                theta0[layer.biasOffset + o] = 0.1 * rng.nextNormal();
              }
              for (let i = 0; pruned && i < layer.inputs * layer.outputs; i++) {
                if (rng.nextUnit() < 0.3) mask[layer.weightOffset + i] = 0;
              }
            }
            const theta = theta0.map((value, i) => mask[i] * (value + 0.3 * rng.nextNormal()));
            theta0s.push(theta0.map((value, i) => mask[i] * value));
            thetas.push(theta);
            masks.push(mask);
          }
          const flat = (parts: Float32Array[]) => {
            const out = new Float32Array(RUNS * perRun);
            parts.forEach((part, r) => out.set(part, r * perRun));
            return out;
          };
          trainer.reset(flat(thetas), flat(masks), { anchor: flat(theta0s) });
          const indices = new Uint32Array(RUNS * STEPS * BATCH);
          for (let r = 0; r < RUNS; r++) {
            new BatchOrder(dataset.train, 3, r + 1).fill(indices, r * STEPS * BATCH, STEPS * BATCH);
          }
          trainer.train(indices, STEPS, true);
          const params = await trainer.readParams();
          const [[validation]] = await trainer.readHistory();

          for (let r = 0; r < RUNS; r++) {
            const theta = Float64Array.from(thetas[r]);
            for (let step = 0; step < STEPS; step++) {
              const batch = gatherBatchReference(
                { features: WIDTHS[0], batch: BATCH, runs: 1, steps: STEPS, step, ...INPUT },
                pixels,
                labels,
                indices.subarray(r * STEPS * BATCH, (r + 1) * STEPS * BATCH),
              );
              const { primal, logits } = linearized(theta0s[r], theta, batch.inputs);
              const g = new Float64Array(logits.length);
              softmaxXentReference(
                logits,
                batch.labels,
                10,
                1 / BATCH,
                g,
                new Float64Array(BATCH * 2),
              );
              const grad = mlpVjp(primal, g);
              for (let i = 0; i < perRun; i++) theta[i] -= masks[r][i] * LEARNING_RATE * grad[i];
            }
            for (let i = 0; i < perRun; i++) {
              const got = params[r * perRun + i];
              assert.ok(
                Math.abs(got - theta[i]) <= 1e-5 + 1e-4 * Math.abs(theta[i]),
                `run ${r} parameter ${i}: GPU ${got}, f64 ${theta[i]}`,
              );
              if (masks[r][i] === 0) assert.equal(got, 0, `run ${r}: pruned entry ${i} moved`);
            }
            const evaluation = gatherBatchReference(
              {
                features: WIDTHS[0],
                batch: dataset.validation.length,
                runs: 1,
                steps: 1,
                step: 0,
                ...INPUT,
              },
              pixels,
              labels,
              dataset.validation,
            );
            const { logits } = linearized(theta0s[r], theta, evaluation.inputs);
            const rows = new Float64Array(2 * dataset.validation.length);
            softmaxXentReference(
              logits,
              evaluation.labels,
              10,
              1,
              new Float64Array(logits.length),
              rows,
            );
            const count = dataset.validation.length;
            const loss = rows.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / count;
            const accuracy = rows.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0) / count;
            assert.ok(
              Math.abs(validation[r].loss - loss) < 1e-4 * (1 + loss),
              `run ${r}: validation loss GPU ${validation[r].loss}, f64 ${loss}`,
            );
            assert.equal(validation[r].accuracy, accuracy, `run ${r}: validation accuracy`);
          }
        } finally {
          trainer.destroy();
          pool.destroy();
        }
      });
    }
  },
);

gpuTest("linearizeModel refuses a model that is not an MLP", () => {
  const model = mlpModel(WIDTHS);
  const withConv = { ...model, layers: [{ ...model.layers[0], kind: "conv2d" }, ...model.layers] };
  assert.throws(() => linearizeModel(withConv), /handles dense and relu layers.*conv2d at layer 1/);
  return Promise.resolve();
});
