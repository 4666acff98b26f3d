/**
 * Training throughput of Trainer at the papers' batch sizes, one run (S = 1, the baseline) and
 * several runs side by side, via `deno bench`: LeNet-300-100 (784-300-100-10) on MNIST-shaped
 * images (batch 60, Adam, S = 4), Frankle & Carbin's Conv-2 on CIFAR-10-shaped 3 x 32 x 32
 * images (batch 60, Adam, S = 2), and ResNet-20 on the same images as open_lth trains it (batch
 * 128, SGD with momentum 0.9 and weight decay 1e-4, random crops and flips; S = 2).
 *
 * One iteration = a chunk of training steps (100 for LeNet, 5 for Conv-2, 2 for ResNet-20) recorded into one
 * command buffer, one submit, one wait; no evaluation. The data are synthetic uint8 images
 * (labels 0..9): loading MNIST needs an npm package and CIFAR-10 a user's directory, and the speed
 * does not depend on the pixel values, so this bench runs on a machine without node_modules.
 * Before timing, each trainer runs one iteration and its parameters are checked to be finite. A
 * summary goes to stderr at the end: steps/s, images/s, ms per step and the implied epoch time.
 */
import type { ImageDataset } from "../src/data/dataset.ts";
import { uploadDataset } from "../src/data/gpu_dataset.ts";
import { Rng } from "../src/base/rng.ts";
import { acquireGpu, BufferPool } from "../src/gpu/mod.ts";
import {
  buildModel,
  MaskedWeights,
  mlpModel,
  type Model,
  namedModelSpecs,
} from "../src/model/mod.ts";
import { type OptimizerSpec, Trainer } from "../src/train/trainer.ts";
import { BatchOrder } from "../src/train/batch_order.ts";
import { initParams } from "../src/model/init.ts";

const SEED = 1;

const gpu = await acquireGpu();
const pool = new BufferPool(gpu.device);

function syntheticPart(
  name: string,
  count: number,
  image: { channels: number; rows: number; cols: number },
  rng: Rng,
): ImageDataset {
  const features = image.channels * image.rows * image.cols;
  const words = new Uint32Array(Math.ceil((count * features) / 4));
  for (let i = 0; i < words.length; i++) words[i] = rng.nextU32();
  const labels = Uint8Array.from({ length: count }, () => rng.nextInt(10));
  return {
    name,
    count,
    ...image,
    classes: 10,
    images: new Uint8Array(words.buffer, 0, count * features),
    labels,
  };
}

/** A training set of `count` synthetic images (the bench's examples per epoch are the paper's). */
function syntheticDataset(count: number, image: { channels: number; rows: number; cols: number }) {
  const rng = new Rng(SEED, `train bench data ${image.channels}x${image.rows}`);
  return uploadDataset(pool, {
    train: syntheticPart("train", count, image, rng),
    validation: syntheticPart("validation", 0, image, rng),
    test: syntheticPart("test", 0, image, rng),
  });
}

interface Network {
  label: string;
  model: Model;
  dataset: ReturnType<typeof syntheticDataset>;
  /** Steps per bench iteration. */
  steps: number;
  batch: number;
  optimizer: OptimizerSpec;
  augmentation?: { padding: number; flip: boolean };
  /** Training examples per epoch in the paper's protocol. */
  epochExamples: number;
}

const ADAM: OptimizerSpec = {
  kind: "adam",
  learningRate: 1.2e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

const NETWORKS: Record<string, Network> = {
  lenet: {
    label: "lenet-300-100",
    model: mlpModel([784, 300, 100, 10]),
    dataset: syntheticDataset(60_000, { channels: 1, rows: 28, cols: 28 }),
    steps: 100,
    batch: 60,
    optimizer: ADAM,
    epochExamples: 60_000,
  },
  conv2: {
    label: "conv-2 3x32x32",
    model: buildModel(namedModelSpecs("conv2", 10), { channels: 3, height: 32, width: 32 }),
    // 5,000 distinct images: the batch order only indexes them.
    dataset: syntheticDataset(5_000, { channels: 3, rows: 32, cols: 32 }),
    steps: 5,
    batch: 60,
    optimizer: ADAM,
    epochExamples: 45_000,
  },
  resnet20: {
    label: "resnet-20 3x32x32",
    model: buildModel(namedModelSpecs("resnet-20", 10), { channels: 3, height: 32, width: 32 }),
    dataset: syntheticDataset(5_000, { channels: 3, rows: 32, cols: 32 }),
    steps: 2,
    batch: 128,
    optimizer: {
      kind: "sgd",
      learningRate: 0.1,
      momentum: 0.9,
      nesterov: false,
      weightDecay: 1e-4,
    },
    augmentation: { padding: 4, flip: true },
    epochExamples: 50_000,
  },
};

interface Case {
  name: string;
  network: Network;
  runs: number;
  baseline: boolean;
  trainer: Trainer;
  indices: Uint32Array;
  times: number[];
}

async function prepareCase(network: Network, runs: number): Promise<Case> {
  const { model, dataset, steps, batch } = network;
  const layout = model.layout;
  const trainer = await Trainer.create(gpu, {
    model,
    parameterization: new MaskedWeights(false),
    runs,
    batch,
    maxSteps: 10_000,
    chunkSteps: steps,
    optimizer: network.optimizer,
    ...(network.augmentation ? { augmentation: { ...network.augmentation, key: SEED } } : {}),
    dataset,
    evalSets: [],
    evalBatch: 1000,
    maxEvaluations: 1,
    inputMean: 0.1307,
    inputStd: 0.3081,
  });
  const params = new Float32Array(runs * layout.perRun);
  const masks = new Float32Array(runs * layout.perRun).fill(1);
  const indices = new Uint32Array(runs * steps * batch);
  for (let r = 0; r < runs; r++) {
    params.set(initParams(layout, "glorot-normal", new Rng(SEED, "init", r)), r * layout.perRun);
    new BatchOrder(dataset.train, SEED, r).fill(indices, r * steps * batch, steps * batch);
  }
  trainer.reset(params, masks);
  trainer.train(indices, steps, false);
  const after = await trainer.readParams();
  gpu.throwIfFailed();
  const bad = after.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0) {
    throw new Error(
      `${network.label} S=${runs}: parameter ${bad} is ${after[bad]} after ${steps} steps`,
    );
  }
  return {
    name: `train ${network.label} b${batch} S=${runs} x${steps}`,
    network,
    runs,
    baseline: runs === 1,
    trainer,
    indices,
    times: [],
  };
}

const cases = [
  await prepareCase(NETWORKS.lenet, 1),
  await prepareCase(NETWORKS.lenet, 4),
  await prepareCase(NETWORKS.conv2, 1),
  await prepareCase(NETWORKS.conv2, 2),
  await prepareCase(NETWORKS.resnet20, 1),
  await prepareCase(NETWORKS.resnet20, 2),
];

for (const c of cases) {
  Deno.bench({
    name: c.name,
    group: c.network.label,
    baseline: c.baseline,
    // Each iteration is 0.1-20 s on a CPU adapter; a few suffice.
    n: 5,
    warmup: 1,
    async fn() {
      const start = performance.now();
      c.trainer.train(c.indices, c.network.steps, false);
      await gpu.device.queue.onSubmittedWorkDone();
      c.times.push(performance.now() - start);
    },
  });
}

globalThis.addEventListener("unload", () => {
  const lines = cases.map((c) => {
    if (c.times.length === 0) return `${c.name}: not run`;
    const sorted = [...c.times].sort((a, b) => a - b);
    const msPerStep = sorted[sorted.length >> 1] / c.network.steps;
    const { batch } = c.network;
    const stepsPerEpoch = Math.ceil(c.network.epochExamples / batch);
    const epochSeconds = (stepsPerEpoch * msPerStep) / 1000;
    return `${c.name}: ${(1000 / msPerStep).toFixed(1)} steps/s (${
      (c.runs * 1000 / msPerStep).toFixed(1)
    } run-steps/s, ${(c.runs * batch * 1000 / msPerStep).toFixed(0)} images/s), ${
      msPerStep.toFixed(3)
    } ms/step; one epoch (${stepsPerEpoch} steps of ${batch}) ${
      epochSeconds.toFixed(2)
    } s for all ${c.runs} run(s) together = ${
      (epochSeconds / c.runs).toFixed(2)
    } s per run (median of ${c.times.length} iterations)`;
  });
  console.error(`Training throughput on ${gpu.provenance.description}:\n  ${lines.join("\n  ")}`);
  for (const c of cases) c.trainer.destroy();
  pool.destroy();
});
