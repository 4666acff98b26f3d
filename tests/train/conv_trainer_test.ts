/**
 * Convolutional models through the whole engine: the f64 layer-list reference
 * (src/model/f64_pass.ts) against central finite differences of its own loss, then
 * the Trainer's gradient on the GPU against that reference for conv -> relu -> maxpool -> conv
 * (stride 2) -> relu -> dense on 2-channel 7x6 images, and for the same with batch norms (affine
 * after the convolutions and the hidden dense layer, non-affine after the second convolution),
 * global average pooling and a hidden dense layer (the running statistics after the step too),
 * and for a small CIFAR-style ResNet (a stem convolution without bias, an identity block and a
 * projection block at stride 2, global average pooling), and for two models with MPT-1/1's binary
 * activations (sign: biprop's order conv -> [maxpool] -> non-affine batch norm -> sign, and dense
 * layers with a sign straight after one and after an affine batch norm), each with a mask and
 * several runs side by side, and those runs bit-identical to each run alone; the evaluation after
 * the step (running statistics) matches the reference's evaluation-mode loss.
 *
 * Finite differences do not apply through sign: its true derivative is 0 wherever it exists, and
 * training uses the straight-through gradient instead (dy * 2 * max(1 - |x|, 0)). With sign layers
 * the finite-difference check covers only the parameters after the last sign, and the gradient of
 * every earlier parameter is checked against the f64 reference's straight-through gradient alone.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import type { ImageDataset } from "../../src/data/dataset.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool, type Gpu, withValidation } from "../../src/gpu/mod.ts";
import {
  type BatchNormLayer,
  buildModel,
  initParams,
  MaskedWeights,
  type Model,
} from "../../src/model/mod.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { f64Forward, f64Gradient } from "../../src/model/f64_pass.ts";

const IMAGE = { channels: 2, height: 7, width: 6 };
const CLASSES = 5;
const BATCH = 6;
const PLAIN: Model = buildModel(
  [
    { conv: 3, kernel: 3, padding: 1 },
    "relu",
    "maxpool", // 3x3
    { conv: 4, kernel: 3, stride: 2, padding: 1 }, // 2x2
    "relu",
    { dense: CLASSES },
  ],
  IMAGE,
);
const NORMED: Model = buildModel(
  [
    { conv: 3, kernel: 3, padding: 1 },
    "batchnorm",
    "relu",
    "maxpool",
    { conv: 4, kernel: 3, stride: 2, padding: 1 },
    "batchnorm-nonaffine",
    "relu",
    "global_avgpool",
    { dense: 7 },
    "batchnorm",
    "relu",
    { dense: CLASSES },
  ],
  IMAGE,
);
const RESIDUAL: Model = buildModel(
  [
    { conv: 3, kernel: 3, padding: 1, bias: false },
    "batchnorm",
    "relu",
    { residual: 3 }, // identity shortcut
    { residual: 4, stride: 2 }, // projection shortcut, 4x3
    "global_avgpool",
    { dense: CLASSES },
  ],
  IMAGE,
);
/**
 * MPT-1/1's order (chrundle/biprop models/frankle.py Conv2_BinAct, lines 68-96): bias-free
 * convolutions, max pooling before the second norm, non-affine batch norm, then sign; the hidden
 * dense layer likewise; the classifier reads +-1 features and gives the logits.
 */
const BINARY_CONV: Model = buildModel(
  [
    { conv: 3, kernel: 3, padding: 1, bias: false },
    "batchnorm-nonaffine",
    "sign",
    { conv: 4, kernel: 3, padding: 1, bias: false },
    "maxpool", // 3x3
    "batchnorm-nonaffine",
    "sign",
    { dense: 6, bias: false },
    "batchnorm-nonaffine",
    "sign",
    { dense: CLASSES, bias: false },
  ],
  IMAGE,
);
/**
 * A sign straight after a dense layer (inputs in [0, 1], so pre-activations fall on both sides of
 * |x| = 1, where the straight-through slope is 0) and one after an affine batch norm (gamma and
 * beta get straight-through gradients).
 */
const BINARY_DENSE: Model = buildModel(
  [{ dense: 9 }, "sign", { dense: 8 }, "batchnorm", "sign", { dense: CLASSES }],
  IMAGE,
);
const FEATURES = IMAGE.channels * IMAGE.height * IMAGE.width;

/**
 * A run's parameters (glorot, biases nonzero, batch norms' gamma and beta away from 1 and 0) and a
 * mask with about a quarter of the weights pruned.
 */
function runStart(model: Model, run: number): { params: Float32Array; mask: Float32Array } {
  const params = initParams(model.layout, "glorot-normal", new Rng(3, "conv init", run));
  const rng = new Rng(3, "conv mask and biases", run);
  const mask = new Float32Array(model.layout.perRun).fill(1);
  for (const layer of model.layout.layers) {
    for (let i = 0; i < layer.inputs * layer.outputs; i++) {
      if (rng.nextUnit() < 0.25) mask[layer.weightOffset + i] = 0;
    }
    if (!layer.bias) continue;
    for (let o = 0; o < layer.outputs; o++) {
      params[layer.biasOffset + o] = 0.2 * (rng.nextUnit() - 0.5);
    }
  }
  for (const norm of model.layout.norms) {
    if (!norm.affine) continue;
    for (let c = 0; c < norm.channels; c++) {
      params[norm.gammaOffset + c] = 0.5 + rng.nextUnit();
      params[norm.betaOffset + c] = 0.4 * (rng.nextUnit() - 0.5);
    }
  }
  for (let i = 0; i < params.length; i++) if (mask[i] === 0) params[i] = 0;
  return { params, mask };
}

function images(rng: Rng, count: number, name: string): ImageDataset {
  return {
    name,
    count,
    rows: IMAGE.height,
    cols: IMAGE.width,
    channels: IMAGE.channels,
    classes: CLASSES,
    images: Uint8Array.from({ length: count * FEATURES }, () => rng.nextInt(256)),
    labels: Uint8Array.from({ length: count }, () => rng.nextInt(CLASSES)),
  };
}

for (
  const [name, model] of [
    ["plain", PLAIN],
    ["with batch norms", NORMED],
    ["residual blocks", RESIDUAL],
    ["binary activations, conv", BINARY_CONV],
    ["binary activations, dense", BINARY_DENSE],
  ] as const
) {
  const signs = model.layers.some((layer) => layer.kind === "sign");
  const covered = signs ? "the parameters after the last sign" : "every parameter";
  Deno.test(
    `the layer-list reference gradient matches central finite differences, ${covered} (${name})`,
    () => {
      checkFiniteDifferences(model);
    },
  );
  gpuTest(
    `Trainer: a conv model's gradient matches the f64 reference, runs batched = alone (${name})`,
    (t, gpu) => checkTrainer(model, t, gpu),
  );
}

/**
 * Whether the loss is differentiable in flat entry i: every entry without sign layers; with them,
 * only the entries of the layers after the last sign (through a sign the true derivative is 0, so
 * a finite difference sees no change, and the straight-through gradient is a surrogate).
 */
function differentiableEntries(model: Model): (i: number) => boolean {
  const last = model.layers.findLastIndex((layer) => layer.kind === "sign");
  if (last < 0) return () => true;
  const ranges: [number, number][] = [];
  for (const layer of model.layers.slice(last + 1)) {
    if (layer.block) {
      const { weightOffset, inputs, outputs, biasOffset, bias } = layer.block;
      ranges.push([weightOffset, weightOffset + inputs * outputs]);
      if (bias) ranges.push([biasOffset, biasOffset + outputs]);
    } else if (layer.kind === "batchnorm") {
      const { norm } = layer as BatchNormLayer;
      if (norm.affine) {
        ranges.push([norm.gammaOffset, norm.gammaOffset + norm.channels]);
        ranges.push([norm.betaOffset, norm.betaOffset + norm.channels]);
      }
    } else if (layer.kind === "residual") {
      throw new Error(
        "differentiableEntries: a residual block after the last sign; list its convolutions' and norms' entries here",
      );
    }
  }
  return (i) => ranges.some(([from, to]) => i >= from && i < to);
}

function checkFiniteDifferences(model: Model): void {
  const differentiable = differentiableEntries(model);
  const { params, mask } = runStart(model, 0);
  const rng = new Rng(4, "conv fd inputs");
  const inputs = Float64Array.from({ length: BATCH * FEATURES }, () => 2 * rng.nextUnit() - 1);
  const labels = Uint32Array.from({ length: BATCH }, () => rng.nextInt(CLASSES));
  const p64 = Float64Array.from(params);
  const { grads } = f64Gradient(model, p64, mask, inputs, labels);
  const EPS = 1e-6;
  let checked = 0, nonzero = 0, worst = 0;
  for (let i = 0; i < model.layout.perRun; i++) {
    const weight = model.layout.layers.some((layer) =>
      i >= layer.weightOffset && i < layer.weightOffset + layer.inputs * layer.outputs
    );
    if (weight && mask[i] === 0) {
      assert.equal(grads[i], 0, `pruned entry ${i} has gradient ${grads[i]}`);
      continue;
    }
    // A layer without a bias keeps its slot at 0 and never gets a gradient.
    if (
      model.layout.layers.some((layer) =>
        !layer.bias && i >= layer.biasOffset && i < layer.biasOffset + layer.outputs
      )
    ) {
      assert.equal(grads[i], 0, `bias-free slot ${i} has gradient ${grads[i]}`);
      continue;
    }
    if (!differentiable(i)) continue;
    const plus = p64.slice(), minus = p64.slice();
    plus[i] += EPS;
    minus[i] -= EPS;
    const numeric = (f64Forward(model, plus, mask, inputs, labels).loss -
      f64Forward(model, minus, mask, inputs, labels).loss) / (2 * EPS);
    // Relative error floored at 1e-3 as in mlp_reference_test.ts: the quotient's rounding error
    // is ~1e-10 absolute. A ReLU or pooling kink inside +-EPS would show as one large error.
    const error = Math.abs(grads[i] - numeric) /
      Math.max(Math.abs(grads[i]), Math.abs(numeric), 1e-3);
    worst = Math.max(worst, error);
    assert.ok(error < 1e-5, `entry ${i}: analytic ${grads[i]}, numeric ${numeric}`);
    checked++;
    if (Math.abs(grads[i]) > 1e-4) nonzero++;
  }
  assert.ok(nonzero > checked / 2, `only ${nonzero} of ${checked} gradients above 1e-4`);
}

async function checkTrainer(model: Model, t: Deno.TestContext, gpu: Gpu): Promise<void> {
  {
    const RUNS = 3;
    const pool = new BufferPool(gpu.device);
    const trainers: Trainer[] = [];
    try {
      await withValidation(gpu.device, "conv trainer", async () => {
        const rng = new Rng(5, "conv data");
        const parts = {
          train: images(rng, 40, "train"),
          validation: images(rng, 10, "validation"),
          test: images(rng, 10, "test"),
        };
        const dataset = uploadDataset(pool, parts);
        const pixels = new Uint8Array([
          ...parts.train.images,
          ...parts.validation.images,
          ...parts.test.images,
        ]);
        const labelBytes = new Uint8Array([
          ...parts.train.labels,
          ...parts.validation.labels,
          ...parts.test.labels,
        ]);
        const create = async (runs: number) => {
          const trainer = await Trainer.create(gpu, {
            model,
            parameterization: new MaskedWeights(true),
            runs,
            batch: BATCH,
            maxSteps: 1,
            chunkSteps: 1,
            // A zero step: the parameters stay, the gradient buffer holds this batch's gradient.
            optimizer: { kind: "sgd", learningRate: 0, momentum: 0, weightDecay: 0 },
            dataset,
            evalSets: [{ name: "test", indices: dataset.test }],
            evalBatch: 10,
            maxEvaluations: 1,
          });
          trainers.push(trainer);
          return trainer;
        };
        const starts = Array.from({ length: RUNS }, (_, r) => runStart(model, r));
        const indices = Uint32Array.from({ length: RUNS * BATCH }, (_, i) => (7 * i + 3) % 40);

        const batched = await create(RUNS);
        batched.reset(
          concat(starts.map((s) => s.params)),
          concat(starts.map((s) => s.mask)),
        );
        batched.train(indices, 1, true);
        const grads = await batched.readBuffer("grads");
        const state = await batched.readState();
        const history = await batched.readHistory();

        await t.step("each run's gradient matches the f64 reference", () => {
          const { perRun } = model.layout;
          for (let r = 0; r < RUNS; r++) {
            const gathered = gatherBatchReference(
              { features: FEATURES, batch: BATCH, runs: 1, steps: 1, step: 0, mean: 0, std: 1 },
              pixels,
              labelBytes,
              indices.subarray(r * BATCH, (r + 1) * BATCH),
            );
            const pass = f64Gradient(
              model,
              starts[r].params,
              starts[r].mask,
              gathered.inputs,
              gathered.labels,
            );
            const forward = f64Forward(
              model,
              starts[r].params,
              starts[r].mask,
              gathered.inputs,
              gathered.labels,
            );
            assertSignMargins(model, forward.acts, `run ${r} training step`);
            const reference = pass.grads;
            assertFirstLayerLearns(model, reference, `run ${r}`);
            const { statePerRun } = model.layout;
            for (let i = 0; i < statePerRun; i++) {
              const got = state[r * statePerRun + i];
              assert.ok(
                Math.abs(got - pass.state[i]) <= 1e-5 * Math.max(1, Math.abs(pass.state[i])),
                `run ${r} running statistic ${i}: gpu ${got} reference ${pass.state[i]}`,
              );
            }
            const gpuGrads = grads.subarray(r * perRun, (r + 1) * perRun);
            let maxRef = 0;
            for (const g of reference) maxRef = Math.max(maxRef, Math.abs(g));
            for (let i = 0; i < perRun; i++) {
              // Sums of at most a few hundred f32 products of magnitude <= 1, accumulated in
              // another order than the reference: 1e-5 of the largest gradient is ~100 ulp.
              assert.ok(
                Math.abs(gpuGrads[i] - reference[i]) <= 1e-5 * maxRef + 1e-7,
                `run ${r} entry ${i}: gpu ${gpuGrads[i]} reference ${reference[i]}`,
              );
              if (starts[r].mask[i] === 0) assert.ok(gpuGrads[i] === 0, `pruned entry ${i}`);
            }
          }
        });

        await t.step("the evaluation after the step matches the reference's", () => {
          const { statePerRun } = model.layout;
          const test = gatherBatchReference(
            { features: FEATURES, batch: 10, runs: 1, steps: 1, step: 0, mean: 0, std: 1 },
            pixels,
            labelBytes,
            dataset.test,
          );
          for (let r = 0; r < RUNS; r++) {
            const reference = f64Forward(
              model,
              starts[r].params,
              starts[r].mask,
              test.inputs,
              test.labels,
              { training: false, state: state.subarray(r * statePerRun, (r + 1) * statePerRun) },
            );
            assertSignMargins(model, reference.acts, `run ${r} evaluation`);
            const got = history[0][0][r].loss;
            assert.ok(
              Math.abs(got - reference.loss) <= 1e-5 * Math.max(1, reference.loss),
              `run ${r}: evaluation loss ${got}, reference ${reference.loss}`,
            );
          }
        });

        await t.step("runs side by side give each run's bits alone", async () => {
          for (let r = 0; r < RUNS; r++) {
            const alone = await create(1);
            alone.reset(starts[r].params, starts[r].mask);
            alone.train(indices.slice(r * BATCH, (r + 1) * BATCH), 1, true);
            const own = await alone.readBuffer("grads");
            const part = grads.subarray(r * model.layout.perRun, (r + 1) * model.layout.perRun);
            assert.deepEqual(
              new Uint32Array(own.buffer, own.byteOffset, own.length),
              new Uint32Array(part.buffer, part.byteOffset, part.length),
              `run ${r}: batched gradient differs from the run alone`,
            );
          }
        });
      });
      gpu.throwIfFailed();
    } finally {
      for (const trainer of trainers) trainer.destroy();
      pool.destroy();
    }
  }
}

/**
 * No sign layer's input lies within 1e-5 of 0 in the reference: the GPU computes it in f32 (sums
 * of at most 36 products of O(1) terms and a batch norm over at most 252 values, each off by a few
 * 2^-24 relative, so about 1e-6 at most), and a value nearer 0 could flip its sign and change the
 * network's output by a step, which no tolerance should absorb. A failure means the seeded data
 * put a value there: change a seed of runStart or images, not the margin.
 */
function assertSignMargins(model: Model, acts: Float64Array[], what: string): void {
  const MARGIN = 1e-5;
  model.layers.forEach((layer, l) => {
    if (layer.kind !== "sign") return;
    const x = acts[l];
    for (let i = 0; i < x.length; i++) {
      assert.ok(
        Math.abs(x[i]) >= MARGIN,
        `${what}: sign layer ${l + 1}'s input ${i} is ${
          x[i]
        }, within ${MARGIN} of 0 where f32 rounding could flip it; change the test's seeds`,
      );
    }
  });
}

/**
 * The first weight layer's gradient is not all zero: with sign layers it arrives only through the
 * straight-through gradients, so the comparison with the reference would otherwise be vacuous.
 */
function assertFirstLayerLearns(model: Model, grads: Float64Array, what: string): void {
  const first = model.layout.layers[0];
  const weights = grads.subarray(
    first.weightOffset,
    first.weightOffset + first.inputs * first.outputs,
  );
  let nonzero = 0;
  for (const g of weights) if (Math.abs(g) > 1e-6) nonzero++;
  assert.ok(
    nonzero > weights.length / 4,
    `${what}: only ${nonzero} of ${first.name}'s ${weights.length} weight gradients above 1e-6 in the reference; the gradient hardly reaches the first layer`,
  );
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
