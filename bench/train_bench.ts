/**
 * Training throughput of Trainer on LeNet-300-100 (784-300-100-10) at batch 60 with Adam,
 * one run (S = 1, the baseline) and four runs side by side (S = 4), via `deno bench`.
 *
 * One iteration = 100 training steps recorded into one command buffer, one submit, one wait;
 * no evaluation. The data are synthetic uint8 images of MNIST's shape (60,000 x 784, labels
 * 0..9): loading MNIST needs an npm package, and the speed does not depend on the pixel values,
 * so this bench runs on a machine without node_modules. Before timing, each trainer runs one
 * iteration and its parameters are checked to be finite. A summary goes to stderr at the end:
 * steps/s, ms per step and the implied epoch time (1000 steps of batch 60 = 60,000 examples).
 */
import type { ImageDataset } from "../src/data/dataset.ts";
import { uploadDataset } from "../src/data/gpu_dataset.ts";
import { Rng } from "../src/base/rng.ts";
import { acquireGpu, BufferPool } from "../src/gpu/mod.ts";
import { MaskedWeights, mlpLayout, mlpModel } from "../src/model/mod.ts";
import { Trainer } from "../src/train/trainer.ts";
import { BatchOrder } from "../src/train/batch_order.ts";
import { initParams } from "../src/model/init.ts";

const WIDTHS = [784, 300, 100, 10];
const BATCH = 60;
const STEPS = 100;
const EXAMPLES = 60_000;
const STEPS_PER_EPOCH = EXAMPLES / BATCH;
const SEED = 1;

const gpu = await acquireGpu();
const pool = new BufferPool(gpu.device);

function syntheticPart(name: string, count: number, rng: Rng): ImageDataset {
  const words = new Uint32Array(Math.ceil((count * 784) / 4));
  for (let i = 0; i < words.length; i++) words[i] = rng.nextU32();
  const labels = Uint8Array.from({ length: count }, () => rng.nextInt(10));
  return {
    name,
    count,
    rows: 28,
    cols: 28,
    classes: 10,
    images: new Uint8Array(words.buffer, 0, count * 784),
    labels,
  };
}

const rng = new Rng(SEED, "train bench data");
const dataset = uploadDataset(pool, {
  train: syntheticPart("train", EXAMPLES, rng),
  validation: syntheticPart("validation", 0, rng),
  test: syntheticPart("test", 0, rng),
});
const layout = mlpLayout(WIDTHS);

interface Case {
  name: string;
  runs: number;
  baseline: boolean;
  trainer: Trainer;
  indices: Uint32Array;
  times: number[];
}

async function prepareCase(runs: number): Promise<Case> {
  const trainer = await Trainer.create(gpu, {
    model: mlpModel(WIDTHS),
    parameterization: new MaskedWeights(false),
    runs,
    batch: BATCH,
    maxSteps: 10_000,
    chunkSteps: STEPS,
    optimizer: { kind: "adam", learningRate: 1.2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    dataset,
    evalSets: [],
    evalBatch: 1000,
    maxEvaluations: 1,
    inputMean: 0.1307,
    inputStd: 0.3081,
  });
  const params = new Float32Array(runs * layout.perRun);
  const masks = new Float32Array(runs * layout.perRun).fill(1);
  const indices = new Uint32Array(runs * STEPS * BATCH);
  for (let r = 0; r < runs; r++) {
    params.set(initParams(layout, "glorot-normal", new Rng(SEED, "init", r)), r * layout.perRun);
    new BatchOrder(dataset.train, SEED, r).fill(indices, r * STEPS * BATCH, STEPS * BATCH);
  }
  trainer.reset(params, masks);
  trainer.train(indices, STEPS, false);
  const after = await trainer.readParams();
  gpu.throwIfFailed();
  const bad = after.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0) {
    throw new Error(`S=${runs}: parameter ${bad} is ${after[bad]} after ${STEPS} steps`);
  }
  return {
    name: `train lenet-300-100 b${BATCH} S=${runs} x${STEPS}`,
    runs,
    baseline: runs === 1,
    trainer,
    indices,
    times: [],
  };
}

const cases = [await prepareCase(1), await prepareCase(4)];

for (const c of cases) {
  Deno.bench({
    name: c.name,
    group: "train",
    baseline: c.baseline,
    // Each iteration is 0.1-20 s on a CPU adapter; a few suffice.
    n: 5,
    warmup: 1,
    async fn() {
      const start = performance.now();
      c.trainer.train(c.indices, STEPS, false);
      await gpu.device.queue.onSubmittedWorkDone();
      c.times.push(performance.now() - start);
    },
  });
}

globalThis.addEventListener("unload", () => {
  const lines = cases.map((c) => {
    if (c.times.length === 0) return `${c.name}: not run`;
    const sorted = [...c.times].sort((a, b) => a - b);
    const msPerStep = sorted[sorted.length >> 1] / STEPS;
    const epochSeconds = (STEPS_PER_EPOCH * msPerStep) / 1000;
    return `${c.name}: ${(1000 / msPerStep).toFixed(1)} steps/s (${
      (c.runs * 1000 / msPerStep).toFixed(1)
    } run-steps/s), ${
      msPerStep.toFixed(3)
    } ms/step; one epoch (${STEPS_PER_EPOCH} steps of ${BATCH}) ${
      epochSeconds.toFixed(2)
    } s for all ${c.runs} run(s) together = ${
      (epochSeconds / c.runs).toFixed(2)
    } s per run (median of ${c.times.length} iterations)`;
  });
  console.error(`Training throughput on ${gpu.provenance.description}:\n  ${lines.join("\n  ")}`);
  for (const c of cases) c.trainer.destroy();
  pool.destroy();
});
