/**
 * Trainer end to end on a tiny synthetic data set (4x4 images, 10 classes) uploaded with
 * uploadDataset: the GPU training loop against the f64 CPU reference of the whole step
 * (tests/train/mlp_reference.ts) driven with the same batch indices and the same gathered inputs;
 * determinism across trainers; S runs side by side bit-identical to the same runs one at a
 * time; and the evaluation history against a CPU forward over the evaluation sets.
 *
 * "Exactly zero" is numeric (=== 0): pruned entries are zeroed by multiplying with the mask,
 * which may leave -0.
 */
import assert from "node:assert/strict";
import type { ImageDataset } from "../../src/data/dataset.ts";
import { type GpuDataset, uploadDataset } from "../../src/data/gpu_dataset.ts";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool, type Gpu, withValidation } from "../../src/gpu/mod.ts";
import { type AdamHyper, adamReference } from "../../src/nn/adam.ts";
import { sgdReference } from "../../src/nn/sgd.ts";
import { gatherBatchReference } from "../../src/nn/gather_batch.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import { type OptimizerSpec, Trainer } from "../../src/train/trainer.ts";
import { constantSchedule, learningRateTable } from "../../src/train/lr_schedule.ts";
import { weightDecayMask } from "../../src/train/weight_decay.ts";
import { FrozenPrunedWeights, MaskedWeights, mlpModel } from "../../src/model/mod.ts";
import { mlpEvaluateReference, mlpGradReference, mlpStepReference } from "./mlp_reference.ts";
import { BatchOrder } from "../../src/train/batch_order.ts";
import { trainRuns } from "../../src/train/train_runs.ts";
import { initParams } from "../../src/model/init.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SEED = 5;
const SIDE = 4;
const CLASSES = 10;
const WIDTHS = [SIDE * SIDE, 12, 8, CLASSES];
const BATCH = 8;
const CHUNK = 50;
const EVAL_BATCH = 16; // 50 evaluation examples: three full batches and a partial one of 2
const INPUT = { mean: 0.5, std: 0.25 };
const HYPER: AdamHyper = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const PRUNED_FRACTION = 0.3;
const layout = mlpLayout(WIDTHS);

/** Images scattered around one random prototype per class, so the task is learnable. */
function synthetic(rng: Rng, name: string, count: number, prototypes: Uint8Array[]): ImageDataset {
  const features = SIDE * SIDE;
  const images = new Uint8Array(count * features);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.nextInt(CLASSES);
    labels[i] = label;
    for (let f = 0; f < features; f++) {
      const value = prototypes[label][f] + Math.round(120 * (rng.nextUnit() - 0.5));
      images[i * features + f] = Math.min(255, Math.max(0, value));
    }
  }
  return { name, count, rows: SIDE, cols: SIDE, classes: CLASSES, images, labels };
}

interface Data {
  gpu: GpuDataset;
  /** The concatenation uploadDataset builds (train, validation, test), for the CPU side. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

function makeData(pool: BufferPool): Data {
  const rng = new Rng(SEED, "mlp test data");
  const prototypes = Array.from(
    { length: CLASSES },
    () => Uint8Array.from({ length: SIDE * SIDE }, () => rng.nextInt(256)),
  );
  const parts = {
    train: synthetic(rng, "train", 200, prototypes),
    validation: synthetic(rng, "validation", 50, prototypes),
    test: synthetic(rng, "test", 50, prototypes),
  };
  const all = [parts.train, parts.validation, parts.test];
  const pixels = new Uint8Array(all.reduce((n, p) => n + p.images.length, 0));
  const labels = new Uint8Array(all.reduce((n, p) => n + p.count, 0));
  let at = 0;
  for (const part of all) {
    pixels.set(part.images, at * SIDE * SIDE);
    labels.set(part.labels, at);
    at += part.count;
  }
  return { gpu: uploadDataset(pool, parts), pixels, labels };
}

/** One run's starting point: glorot init and a random mask with ~30% of weights pruned. */
function runStart(seed: number, run: number, preMask: boolean) {
  const params = initParams(layout, "glorot-normal", new Rng(seed, "init", run));
  const mask = new Float32Array(layout.perRun).fill(1);
  const rng = new Rng(seed, "mask", run);
  for (const layer of layout.layers) {
    for (let i = 0; i < layer.inputs * layer.outputs; i++) {
      if (rng.nextUnit() < PRUNED_FRACTION) mask[layer.weightOffset + i] = 0;
    }
  }
  // Biases start at 0; make them nonzero so the bias path is live from the first step.
  const biasRng = new Rng(seed, "bias", run);
  for (const layer of layout.layers) {
    for (let o = 0; o < layer.outputs; o++) {
      params[layer.biasOffset + o] = 0.1 * (biasRng.nextUnit() - 0.5);
    }
  }
  if (preMask) { for (let i = 0; i < params.length; i++) params[i] *= mask[i]; }
  return { params, mask };
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

function createTrainer(
  gpu: Gpu,
  data: Data,
  runs: number,
  maskInProducts: boolean | "frozen-pruned",
  maxSteps = 200,
  optimizer: OptimizerSpec = { kind: "adam", ...HYPER },
): Promise<Trainer> {
  return Trainer.create(gpu, {
    model: mlpModel(WIDTHS),
    parameterization: maskInProducts === "frozen-pruned"
      ? new FrozenPrunedWeights()
      : new MaskedWeights(maskInProducts),
    runs,
    batch: BATCH,
    maxSteps,
    chunkSteps: CHUNK,
    optimizer,
    dataset: data.gpu,
    evalSets: [
      { name: "validation", indices: data.gpu.validation },
      { name: "test", indices: data.gpu.test },
    ],
    evalBatch: EVAL_BATCH,
    maxEvaluations: 8,
    inputMean: INPUT.mean,
    inputStd: INPUT.std,
  });
}

/**
 * Trains `chunks` chunks of CHUNK steps, each run drawing from its own order, evaluating after
 * every chunk when asked; returns the index buffer of every chunk ([runs, CHUNK, BATCH]).
 */
function trainChunks(
  trainer: Trainer,
  orders: BatchOrder[],
  chunks: number,
  evaluate: boolean,
): Uint32Array[] {
  const used: Uint32Array[] = [];
  for (let c = 0; c < chunks; c++) {
    const indices = new Uint32Array(orders.length * CHUNK * BATCH);
    orders.forEach((order, r) => order.fill(indices, r * CHUNK * BATCH, CHUNK * BATCH));
    trainer.train(indices, CHUNK, evaluate);
    used.push(indices);
  }
  return used;
}

/** Runs `body` with a fresh pool (data set, trainers) inside a validation scope. */
async function scoped<T>(
  gpu: Gpu,
  what: string,
  body: (pool: BufferPool, data: Data, trainers: Trainer[]) => Promise<T>,
): Promise<T> {
  const pool = new BufferPool(gpu.device);
  const trainers: Trainer[] = [];
  try {
    const result = await withValidation(
      gpu.device,
      what,
      () => body(pool, makeData(pool), trainers),
    );
    gpu.throwIfFailed();
    return result;
  } finally {
    for (const trainer of trainers) trainer.destroy();
    pool.destroy();
  }
}

/** Asserts byte equality, naming the first differing element. */
function assertSameBytes(what: string, a: Float32Array, b: Float32Array): void {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      assert.fail(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
    }
  }
}

/** The gathered, normalised inputs and labels of one run's examples, on the CPU. */
function gatherCpu(data: Data, indices: Uint32Array, steps: number, step: number, batch: number) {
  return gatherBatchReference(
    { features: WIDTHS[0], batch, runs: 1, steps, step, ...INPUT },
    data.pixels,
    data.labels,
    indices,
  );
}

gpuTest("Trainer: 200 Adam steps on the GPU match the f64 CPU reference", async (t, gpu) => {
  // The tolerance: every f32 operation rounds with relative error <= 2^-24, the inputs reach
  // the GPU rounded to f32, and the f32 weights are re-rounded every step, so the GPU drifts
  // from the f64 trajectory by a random walk of ~1e-7 relative per step (sqrt(200) * 6e-8 ~
  // 1e-6 after 200 steps) plus what Adam makes of the gradients' rounding: its update
  // lr * m / sqrt(v) is scale-free, so a relative error e in the gradient moves a weight by
  // about lr * e per step. rtol 1e-3 is ~1000x that drift; atol 1e-4 = lr / 10 covers weights
  // near 0 and stays below a single step's update (up to lr), so a missing or doubled step, a
  // wrong mask, a dropped bias or a wrong batch moves weights far outside it.
  const ATOL = 1e-4, RTOL = 1e-3;
  const STEPS = 200;
  for (const maskInProducts of [false, true]) {
    await t.step(`maskInProducts ${maskInProducts}`, async () => {
      const runs = 1;
      // Without the mask in the products the trainer assumes pre-masked weights.
      const start = runStart(SEED, 0, !maskInProducts);
      const out = await scoped(gpu, "train vs reference", async (_pool, data, trainers) => {
        const trainer = await createTrainer(gpu, data, runs, maskInProducts, STEPS);
        trainers.push(trainer);
        trainer.reset(start.params, start.mask);
        const used = trainChunks(
          trainer,
          [new BatchOrder(data.gpu.train, SEED, 0)],
          STEPS / CHUNK,
          false,
        );
        return {
          data,
          used,
          params: await trainer.readParams(),
          m: await trainer.readBuffer("moment0"),
          v: await trainer.readBuffer("moment1"),
          grads: await trainer.readBuffer("grads"),
          steps: trainer.steps,
        };
      });
      assert.equal(out.steps, STEPS);

      const params = Float64Array.from(start.params);
      const state = {
        m: new Float64Array(layout.perRun),
        v: new Float64Array(layout.perRun),
        t: 0,
      };
      let firstLoss = NaN, lastLoss = NaN, lastGrads: ArrayLike<number> = [];
      for (const indices of out.used) {
        for (let s = 0; s < CHUNK; s++) {
          const batch = gatherCpu(out.data, indices, CHUNK, s, BATCH);
          const { loss, grads } = mlpStepReference(
            layout,
            params,
            start.mask,
            batch.inputs,
            batch.labels,
            state,
            HYPER,
            { maskInProducts },
          );
          if (state.t === 1) firstLoss = loss;
          lastLoss = loss;
          lastGrads = grads;
        }
      }
      assert.equal(state.t, STEPS);
      assert.ok(lastLoss < firstLoss, `the reference did not learn: ${firstLoss} -> ${lastLoss}`);

      const bad: string[] = [];
      let worst = 0, moved = 0, pruned = 0;
      for (let i = 0; i < layout.perRun; i++) {
        const gpuValue = out.params[i], ref = params[i];
        if (start.mask[i] === 0) {
          pruned++;
          const [w, m, v] = [gpuValue, out.m[i], out.v[i]];
          if (!(w === 0 && m === 0 && v === 0)) {
            bad.push(`pruned entry ${i}: W ${w}, moment0 ${m}, moment1 ${v}`);
          }
          continue;
        }
        const error = Math.abs(gpuValue - ref);
        worst = Math.max(worst, error / (ATOL + RTOL * Math.abs(ref)));
        if (!(error <= ATOL + RTOL * Math.abs(ref))) {
          bad.push(
            `entry ${i}: GPU ${gpuValue}, reference ${ref}, |diff| ${error.toExponential(2)}`,
          );
        }
        if (Math.abs(ref - start.params[i]) > 10 * ATOL) moved++;
      }
      assert.deepEqual(bad, [], `${bad.length} mismatches; first:\n${bad.slice(0, 10).join("\n")}`);
      assert.ok(pruned > 50, `only ${pruned} pruned entries`);
      assert.ok(
        moved > 100,
        `only ${moved} weights moved more than 10 * atol: the test is not live`,
      );
      // The last step's gradient as the trainer's grads buffer holds it, pruned entries
      // included (masked only with maskInProducts). Gradients are sums over the batch of
      // products of activations and output gradients of size <= ~1, taken at weights that
      // already differ by the drift above, so they get the same rtol and an atol of 1e-5.
      let gradWorst = 0, prunedGrads = 0;
      for (let i = 0; i < layout.perRun; i++) {
        const g = out.grads[i], ref = lastGrads[i];
        if (start.mask[i] === 0 && maskInProducts) {
          assert.ok(g === 0, `pruned gradient ${i} is ${g} with the mask in the products`);
        }
        if (start.mask[i] === 0 && ref !== 0) prunedGrads++;
        const error = Math.abs(g - ref) / (1e-5 + RTOL * Math.abs(ref));
        gradWorst = Math.max(gradWorst, error);
        assert.ok(error <= 1, `gradient ${i}: GPU ${g}, reference ${ref}`);
      }
      assert.equal(prunedGrads > 0, !maskInProducts, "pruned entries of the gradient");
      console.log(
        `maskInProducts ${maskInProducts}: worst |diff| / (atol + rtol|ref|) = ${
          worst.toFixed(3)
        }, gradient ${gradWorst.toFixed(3)}; loss ${firstLoss.toFixed(4)} -> ${
          lastLoss.toFixed(4)
        }`,
      );
    });
  }
});

gpuTest(
  "Trainer: two trainers with the same seed give byte-identical params",
  async (t, gpu) => {
    await t.step("50 steps, twice from the same seed", async () => {
      const results = await scoped(gpu, "determinism", async (_pool, data, trainers) => {
        const results: Float32Array[][] = [];
        for (let k = 0; k < 2; k++) {
          const trainer = await createTrainer(gpu, data, 1, false);
          trainers.push(trainer);
          const start = runStart(SEED, 0, true);
          trainer.reset(start.params, start.mask);
          trainChunks(trainer, [new BatchOrder(data.gpu.train, SEED, 0)], 1, false);
          results.push([
            await trainer.readParams(),
            await trainer.readBuffer("moment0"),
            await trainer.readBuffer("moment1"),
          ]);
        }
        return results;
      });
      ["params", "moment0", "moment1"].forEach((name, k) =>
        assertSameBytes(name, results[0][k], results[1][k])
      );
    });
  },
);

gpuTest(
  "Trainer: S = 4 runs together are bit-identical to the same runs one at a time",
  async (t, gpu) => {
    await t.step(
      "4 runs, different inits, masks and orders; 2 chunks with evaluation",
      async () => {
        const runs = 4, chunks = 2;
        const starts = Array.from({ length: runs }, (_, r) => runStart(SEED, r, false));
        const { together, alone } = await scoped(
          gpu,
          "S=4 vs S=1",
          async (_pool, data, trainers) => {
            const go = async (first: number, count: number) => {
              const trainer = await createTrainer(gpu, data, count, true);
              trainers.push(trainer);
              const mine = starts.slice(first, first + count);
              trainer.reset(concat(mine.map((s) => s.params)), concat(mine.map((s) => s.mask)));
              const orders = mine.map((_, r) => new BatchOrder(data.gpu.train, SEED, first + r));
              trainChunks(trainer, orders, chunks, true);
              return { params: await trainer.readParams(), history: await trainer.readHistory() };
            };
            const together = await go(0, runs);
            const alone = [];
            for (let r = 0; r < runs; r++) alone.push(await go(r, 1));
            return { together, alone };
          },
        );
        for (let r = 0; r < runs; r++) {
          assertSameBytes(
            `params of run ${r}`,
            together.params.subarray(r * layout.perRun, (r + 1) * layout.perRun),
            alone[r].params,
          );
          assert.equal(together.history.length, chunks);
          for (let e = 0; e < chunks; e++) {
            for (let set = 0; set < 2; set++) {
              assert.deepEqual(
                together.history[e][set][r],
                alone[r].history[e][set][0],
                `history of run ${r}, evaluation ${e}, set ${set}`,
              );
            }
          }
        }
        // The runs really differ, so a mix-up between them would show.
        assert.notDeepEqual(together.history[1][0][0], together.history[1][0][1]);
      },
    );
  },
);

gpuTest("Trainer: the evaluation history matches a CPU forward pass", async (t, gpu) => {
  await t.step("2 runs, at reset and after 100 steps, validation and test", async () => {
    const runs = 2;
    const starts = Array.from({ length: runs }, (_, r) => runStart(SEED + 1, r, true));
    const out = await scoped(gpu, "evaluation", async (_pool, data, trainers) => {
      const trainer = await createTrainer(gpu, data, runs, false);
      trainers.push(trainer);
      trainer.reset(concat(starts.map((s) => s.params)), concat(starts.map((s) => s.mask)));
      trainer.evaluate();
      const initial = await trainer.readParams();
      const orders = starts.map((_, r) => new BatchOrder(data.gpu.train, SEED + 1, r));
      trainChunks(trainer, orders, 2, false);
      trainer.evaluate();
      return {
        data,
        params: [initial, await trainer.readParams()],
        history: await trainer.readHistory(),
      };
    });
    assert.equal(out.history.length, 2);
    const sets = [out.data.gpu.validation, out.data.gpu.test];
    for (let e = 0; e < 2; e++) {
      for (let r = 0; r < runs; r++) {
        const params = out.params[e].subarray(r * layout.perRun, (r + 1) * layout.perRun);
        sets.forEach((indices, set) => {
          const gathered = gatherCpu(out.data, indices, 1, 0, indices.length);
          const ref = mlpEvaluateReference(
            layout,
            params,
            starts[r].mask,
            gathered.inputs,
            gathered.labels,
            { maskInProducts: false },
          );
          const got = out.history[e][set][r];
          const what = `evaluation ${e}, set ${set}, run ${r}`;
          assert.ok(
            Math.abs(got.loss - ref.loss) <= 1e-5 * Math.abs(ref.loss),
            `${what}: loss ${got.loss} on the GPU, ${ref.loss} on the CPU`,
          );
          assert.equal(got.accuracy, ref.accuracy, `${what}: accuracy`);
        });
      }
    }
    // Training changed something, so the second evaluation is not a copy of the first.
    assert.notEqual(out.history[1][0][0].loss, out.history[0][0][0].loss);
  });
});

gpuTest(
  "trainRuns: a snapshot at iteration k changes no result and equals k steps alone",
  async (t, gpu) => {
    await t.step("2 runs, 120 iterations, evaluations every 50, snapshot at 70", async () => {
      const runs = 2;
      const starts = Array.from({ length: runs }, (_, r) => runStart(SEED + 3, r, true));
      const budget = { iterations: 120, evalEvery: 50, batch: BATCH };
      const train = (iterations: number, snapshotAt?: number) =>
        scoped(gpu, "snapshot", async (_pool, data, trainers) => {
          const trainer = await createTrainer(gpu, data, runs, false);
          trainers.push(trainer);
          trainer.reset(concat(starts.map((s) => s.params)), concat(starts.map((s) => s.mask)));
          const orders = starts.map((_, r) => new BatchOrder(data.gpu.train, SEED + 3, r));
          return await trainRuns(trainer, orders, { ...budget, iterations, snapshotAt }, () => {});
        });
      const plain = await train(120);
      const snapped = await train(120, 70);
      const short = await train(70);
      for (let r = 0; r < runs; r++) {
        assert.deepEqual(snapped[r].curve, plain[r].curve);
        assertSameBytes(`run ${r} final`, snapped[r].finalParams, plain[r].finalParams);
        assertSameBytes(`run ${r} snapshot`, snapped[r].snapshot!, short[r].finalParams);
        assert.equal(plain[r].snapshot, undefined);
      }
      await assert.rejects(() => train(120, 120), /snapshot at iteration 120 is outside 1\.\.119/);
    });
  },
);

gpuTest(
  "FrozenPrunedWeights: pruned weights keep their values; with them at 0 it is MaskedWeights",
  async (t, gpu) => {
    await t.step("2 runs, 100 Adam steps", async () => {
      const runs = 2;
      const train = (starts: { params: Float32Array; mask: Float32Array }[], frozen: boolean) =>
        scoped(gpu, "frozen-pruned", async (_pool, data, trainers) => {
          const trainer = await createTrainer(gpu, data, runs, frozen ? "frozen-pruned" : false);
          trainers.push(trainer);
          trainer.reset(concat(starts.map((s) => s.params)), concat(starts.map((s) => s.mask)));
          const orders = starts.map((_, r) => new BatchOrder(data.gpu.train, SEED + 4, r));
          trainChunks(trainer, orders, 2, false);
          return await trainer.readParams();
        });
      // Unmasked starts: the pruned weights hold their initial values and must keep them.
      const open = Array.from({ length: runs }, (_, r) => runStart(SEED + 4, r, false));
      const after = await train(open, true);
      let pruned = 0, moved = 0;
      open.forEach((start, r) => {
        for (let i = 0; i < layout.perRun; i++) {
          const value = after[r * layout.perRun + i];
          if (start.mask[i] === 0) {
            pruned++;
            assert.ok(Object.is(value, start.params[i]), `run ${r} pruned entry ${i} moved`);
          } else if (value !== start.params[i]) moved++;
        }
      });
      assert.ok(pruned > 0 && moved > 0, `${pruned} pruned, ${moved} kept entries moved`);
      // Masked starts (pruned weights 0): what MaskedWeights(false) trains, bit for bit on the
      // kept weights (a pruned 0 may differ in sign: MaskedWeights' optimizer writes +0).
      const closed = Array.from({ length: runs }, (_, r) => runStart(SEED + 4, r, true));
      const [frozen, masked] = [await train(closed, true), await train(closed, false)];
      const bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];
      frozen.forEach((value, i) => {
        const kept = closed[Math.floor(i / layout.perRun)].mask[i % layout.perRun] === 1;
        if (kept) assert.equal(bits(value), bits(masked[i]), `entry ${i}`);
        else assert.ok(value === 0 && masked[i] === 0, `pruned entry ${i}`);
      });
    });
  },
);

gpuTest(
  "Trainer: schedules, Nesterov and weights-only weight decay match the f64 CPU reference",
  async (t, gpu) => {
    // 100 steps in two submits of 50: the rate table is read at the GPU step counter across
    // the chunk boundary (a milestone at 70, warm-up over the first 10 steps). The tolerance
    // is the Adam test's: the rates and decay are the same f32 numbers on both sides, so only
    // f32 rounding drift separates them.
    const ATOL = 1e-4, RTOL = 1e-3;
    const STEPS = 100;
    const step = {
      ...constantSchedule(STEPS),
      kind: "step" as const,
      milestones: [30, 70],
      gamma: 0.1,
      warmupIterations: 10,
    };
    const cosine = { ...constantSchedule(STEPS), kind: "cosine" as const, stepsPerUpdate: 25 };
    const optimizers: { name: string; spec: OptimizerSpec }[] = [
      {
        name: "SGD Nesterov 0.9, step schedule with warm-up, weight decay on weights",
        spec: {
          kind: "sgd",
          learningRate: 0.05,
          momentum: 0.9,
          nesterov: true,
          weightDecay: 5e-2,
          weightDecayAppliesTo: "weights",
          schedule: step,
        },
      },
      {
        name: "Adam, cosine per 25-step epoch, weight decay on all entries",
        spec: { kind: "adam", ...HYPER, weightDecay: 5e-2, schedule: cosine },
      },
    ];
    for (const { name, spec } of optimizers) {
      await t.step(name, async () => {
        const start = runStart(SEED + 5, 0, false);
        const out = await scoped(gpu, name, async (_pool, data, trainers) => {
          const trainer = await createTrainer(gpu, data, 1, true, STEPS, spec);
          trainers.push(trainer);
          trainer.reset(start.params, start.mask);
          const order = new BatchOrder(data.gpu.train, SEED + 5, 0);
          const used = trainChunks(trainer, [order], STEPS / CHUNK, false);
          return { data, used, params: await trainer.readParams() };
        });
        const rates = learningRateTable(spec.learningRate, spec.schedule!, STEPS);
        const decay = weightDecayMask(layout, 1, spec.weightDecayAppliesTo ?? "all");
        const params = Float64Array.from(start.params);
        const [m, v] = [new Float64Array(layout.perRun), new Float64Array(layout.perRun)];
        let s = 0;
        for (const indices of out.used) {
          for (let k = 0; k < CHUNK; k++, s++) {
            const batch = gatherCpu(out.data, indices, CHUNK, k, BATCH);
            const { grads } = mlpGradReference(
              layout,
              params,
              start.mask,
              batch.inputs,
              batch.labels,
            );
            const hyper = { ...spec, learningRate: rates[s] };
            if (hyper.kind === "sgd") sgdReference(hyper, grads, start.mask, params, m, decay);
            else adamReference(hyper, s + 1, grads, start.mask, params, m, v, decay);
          }
        }
        let worst = 0, moved = 0;
        const bad: string[] = [];
        for (let i = 0; i < layout.perRun; i++) {
          const error = Math.abs(out.params[i] - params[i]);
          worst = Math.max(worst, error / (ATOL + RTOL * Math.abs(params[i])));
          if (!(error <= ATOL + RTOL * Math.abs(params[i]))) {
            bad.push(`entry ${i}: GPU ${out.params[i]}, reference ${params[i]}`);
          }
          if (Math.abs(params[i] - start.params[i]) > 10 * ATOL) moved++;
        }
        assert.deepEqual(
          bad,
          [],
          `${bad.length} mismatches; first:\n${bad.slice(0, 10).join("\n")}`,
        );
        assert.ok(moved > 100, `only ${moved} entries moved: the test is not live`);
        console.log(`${name}: worst |diff| / (atol + rtol|ref|) = ${worst.toFixed(3)}`);
      });
    }
  },
);
