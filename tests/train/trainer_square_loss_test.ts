/**
 * The trainer with square loss (kernels/square_loss.wgsl): SGD steps of two runs side by side
 * against the f64 reference theta -= lr J(theta)^T (f(theta) - onehot) / batch (the backward pass
 * of src/tangent/mlp_f64.ts at the current weights), then an evaluation's mean square loss and
 * accuracy; the same runs under cross-entropy move differently (the option is live).
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool, type Gpu } from "../../src/gpu/mod.ts";
import { initParams } from "../../src/model/init.ts";
import { MaskedWeights, mlpModel } from "../../src/model/mod.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { squareLossReference } from "../../src/nn/square_loss.ts";
import { mlpPrimal, mlpVjp, primalLogits } from "../../src/tangent/mod.ts";
import { BatchOrder } from "../../src/train/batch_order.ts";
import { Trainer } from "../../src/train/trainer.ts";
import type { TrainingLoss } from "../../src/config/types.ts";
import { prototypesOf, syntheticImages } from "../fixtures/synthetic_images.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SIDE = 4;
const WIDTHS = [SIDE * SIDE, 12, 10];
const BATCH = 8;
const STEPS = 4;
const RUNS = 2;
const LEARNING_RATE = 0.2;
const INPUT = { mean: 0.5, std: 0.25 };

async function train(gpu: Gpu, loss: TrainingLoss) {
  const pool = new BufferPool(gpu.device);
  const rng = new Rng(21, "square loss test");
  const prototypes = prototypesOf(rng, SIDE);
  const parts = {
    train: syntheticImages(rng, 64, prototypes, SIDE),
    validation: syntheticImages(rng, 20, prototypes, SIDE),
    test: syntheticImages(rng, 20, prototypes, SIDE),
  };
  const dataset = uploadDataset(pool, parts);
  const model = mlpModel(WIDTHS);
  const trainer = await Trainer.create(gpu, {
    model,
    parameterization: new MaskedWeights(false),
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
    loss,
  });
  try {
    const { perRun } = model.layout;
    const starts = Array.from(
      { length: RUNS },
      () => initParams(model.layout, "kaiming-normal", rng),
    );
    const params = new Float32Array(RUNS * perRun);
    starts.forEach((start, r) => params.set(start, r * perRun));
    trainer.reset(params, new Float32Array(params.length).fill(1));
    const indices = new Uint32Array(RUNS * STEPS * BATCH);
    for (let r = 0; r < RUNS; r++) {
      new BatchOrder(dataset.train, 4, r + 1).fill(indices, r * STEPS * BATCH, STEPS * BATCH);
    }
    trainer.train(indices, STEPS, true);
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
    return {
      model,
      starts,
      indices,
      pixels,
      labels,
      validation: dataset.validation,
      final: await trainer.readParams(),
      history: (await trainer.readHistory())[0][0],
    };
  } finally {
    trainer.destroy();
    pool.destroy();
  }
}

gpuTest("square-loss SGD steps and evaluation match the f64 reference", async (_t, gpu) => {
  const run = await train(gpu, "square");
  const { layout } = run.model;
  const classes = WIDTHS[WIDTHS.length - 1];
  for (let r = 0; r < RUNS; r++) {
    const theta = Float64Array.from(run.starts[r]);
    for (let step = 0; step < STEPS; step++) {
      const batch = gatherBatchReference(
        { features: WIDTHS[0], batch: BATCH, runs: 1, steps: STEPS, step, ...INPUT },
        run.pixels,
        run.labels,
        run.indices.subarray(r * STEPS * BATCH, (r + 1) * STEPS * BATCH),
      );
      const primal = mlpPrimal(layout, theta, batch.inputs);
      const g = new Float64Array(BATCH * classes);
      squareLossReference(
        primalLogits(primal),
        batch.labels,
        classes,
        1 / BATCH,
        g,
        new Float64Array(2 * BATCH),
      );
      const grad = mlpVjp(primal, g);
      for (let i = 0; i < layout.perRun; i++) theta[i] -= LEARNING_RATE * grad[i];
    }
    for (let i = 0; i < layout.perRun; i++) {
      const got = run.final[r * layout.perRun + i];
      assert.ok(
        Math.abs(got - theta[i]) <= 1e-5 + 1e-4 * Math.abs(theta[i]),
        `run ${r} parameter ${i}: GPU ${got}, f64 ${theta[i]}`,
      );
    }
    const evaluation = gatherBatchReference(
      { features: WIDTHS[0], batch: run.validation.length, runs: 1, steps: 1, step: 0, ...INPUT },
      run.pixels,
      run.labels,
      run.validation,
    );
    const rows = new Float64Array(2 * run.validation.length);
    const logits = primalLogits(mlpPrimal(layout, theta, evaluation.inputs));
    squareLossReference(
      logits,
      evaluation.labels,
      classes,
      1,
      new Float64Array(logits.length),
      rows,
    );
    const count = run.validation.length;
    const loss = rows.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / count;
    const accuracy = rows.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0) / count;
    assert.ok(
      Math.abs(run.history[r].loss - loss) < 1e-4 * (1 + loss),
      `run ${r}: validation square loss GPU ${run.history[r].loss}, f64 ${loss}`,
    );
    assert.equal(run.history[r].accuracy, accuracy, `run ${r}: validation accuracy`);
  }
  const crossEntropy = await train(gpu, "cross-entropy");
  assert.notDeepEqual(crossEntropy.final, run.final, "the loss option must change training");
});
