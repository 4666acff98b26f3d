import assert from "node:assert/strict";
import {
  constantSchedule,
  learningRateAt,
  learningRateFactor,
  learningRateTable,
  type LrSchedule,
} from "../../src/train/lr_schedule.ts";
import { lrSchedule, optimizerSpec } from "../../src/train/optimizer_spec.ts";

const schedule = (fields: Partial<LrSchedule>): LrSchedule => ({
  ...constantSchedule(fields.iterations ?? 1000),
  ...fields,
});

/** PyTorch's CosineAnnealingLR closed form with eta_min = 0 at step t of T_max. */
const torchCosine = (lr: number, t: number, tMax: number) =>
  0.5 * lr * (1 + Math.cos(Math.PI * t / tMax));

Deno.test("constant: the configured rate at every step, rounded to f32 once", () => {
  const lr = 1.2e-3;
  const s = constantSchedule(50000);
  for (const t of [0, 1, 49999, 50000]) assert.equal(learningRateAt(lr, s, t), lr);
  const table = learningRateTable(lr, s, 50000);
  assert.equal(table.length, 50000);
  // The same f32 the uniform block carried before schedules: constant runs keep their bits.
  assert.ok(table.every((r) => r === Math.fround(lr)));
  assert.equal(learningRateTable(lr, s, 0).length, 1, "a table has at least one entry");
});

Deno.test("step: ResNet-20's 0.1, x0.1 at 32K and 48K of 64K (milestone iterations included)", () => {
  const s = schedule({ kind: "step", iterations: 64000, milestones: [32000, 48000], gamma: 0.1 });
  const at = (t: number) => learningRateAt(0.1, s, t);
  assert.equal(at(0), 0.1);
  assert.equal(at(31999), 0.1);
  // open_lth: gamma ** bisect_right(milestones, t): the milestone iteration has the new rate.
  assert.equal(at(32000), 0.1 * 0.1 ** 1);
  assert.equal(at(47999), 0.1 * 0.1 ** 1);
  assert.equal(at(48000), 0.1 * 0.1 ** 2);
  assert.equal(at(63999), 0.1 * 0.1 ** 2);
  const table = learningRateTable(0.1, s, 64000);
  assert.equal(table[31999], Math.fround(0.1));
  assert.equal(table[32000], Math.fround(0.1 * 0.1));
  assert.equal(table[48000], Math.fround(0.1 * 0.01));
  assert.equal(table[63999], Math.fround(0.1 * 0.01));
});

Deno.test("cosine per iteration: CosineAnnealingLR (eta_min 0, T_max = iterations) stepped per iteration", () => {
  const T = 1000;
  const s = schedule({ kind: "cosine", iterations: T });
  for (const t of [0, 1, 250, 500, 999]) {
    assert.equal(learningRateAt(0.1, s, t), torchCosine(0.1, t, T), `t = ${t}`);
  }
  assert.equal(learningRateAt(0.1, s, 0), 0.1);
  assert.ok(Math.abs(learningRateAt(0.1, s, 500) - 0.05) < 1e-17);
  // The last step's rate is small but not 0; 0 would be iteration T, which is never trained.
  const last = learningRateAt(0.1, s, T - 1);
  assert.ok(last > 0 && last < 0.1 * 3e-5, `last rate ${last}`);
  assert.ok(Math.abs(learningRateAt(0.1, s, T)) < 1e-17);
  const table = learningRateTable(0.1, s, T);
  assert.equal(table[T - 1], Math.fround(torchCosine(0.1, T - 1, T)));
});

Deno.test("cosine per epoch: held within each epoch, as hidden-networks' cosine_lr", () => {
  // CIFAR-10 at batch 128: 391 iterations per epoch, 100 epochs (Ramanujan et al.'s configs).
  const E = 391, epochs = 100;
  const s = schedule({ kind: "cosine", iterations: E * epochs, stepsPerUpdate: E });
  // hidden-networks: lr = 0.5 * (1 + cos(pi * e / epochs)) * lr at the start of epoch e.
  const epochRate = (e: number) => 0.5 * (1 + Math.cos(Math.PI * e / epochs)) * 0.1;
  const at = (t: number) => learningRateAt(0.1, s, t);
  assert.equal(at(0), 0.1);
  assert.equal(at(E - 1), 0.1);
  assert.ok(Math.abs(at(E) - epochRate(1)) < 1e-17);
  assert.ok(Math.abs(at(2 * E - 1) - epochRate(1)) < 1e-17);
  assert.ok(Math.abs(at(50 * E) - epochRate(50)) < 1e-17);
  assert.ok(Math.abs(at(E * epochs - 1) - epochRate(99)) < 1e-17, "the last step: epoch 99");
});

Deno.test("warm-up: lr * min(1, t / W) from 0, as open_lth's warmup_steps, times the decay", () => {
  const s = schedule({ kind: "constant", warmupIterations: 10 });
  assert.equal(learningRateAt(0.1, s, 0), 0);
  assert.equal(learningRateAt(0.1, s, 1), 0.1 * 0.1);
  assert.equal(learningRateAt(0.1, s, 5), 0.1 * 0.5);
  assert.equal(learningRateAt(0.1, s, 9), 0.1 * 0.9);
  assert.equal(learningRateAt(0.1, s, 10), 0.1);
  assert.equal(learningRateAt(0.1, s, 999), 0.1);
  const step = schedule({ kind: "step", milestones: [5], gamma: 0.1, warmupIterations: 10 });
  assert.equal(learningRateFactor(step, 4), 0.4);
  assert.equal(learningRateFactor(step, 6), 0.6 * 0.1);
  assert.equal(learningRateFactor(step, 10), 0.1);
  const cosine = schedule({ kind: "cosine", iterations: 100, warmupIterations: 10 });
  assert.equal(learningRateFactor(cosine, 5), 0.5 * 0.5 * (1 + Math.cos(Math.PI * 5 / 100)));
  assert.equal(learningRateFactor(cosine, 50), 0.5 * (1 + Math.cos(Math.PI / 2)));
});

Deno.test("a run from iteration k reads the schedule from k on (IMP rewound to k)", () => {
  const s = schedule({
    kind: "step",
    iterations: 100,
    milestones: [60],
    gamma: 0.1,
    firstIteration: 40,
  });
  const table = learningRateTable(1, s, 60);
  assert.equal(table.length, 60);
  assert.equal(table[0], 1, "trainer step 0 is iteration 40");
  assert.equal(table[19], 1);
  assert.equal(table[20], Math.fround(0.1), "trainer step 20 is the milestone 60");
  assert.equal(table[59], Math.fround(0.1));
});

Deno.test("the config's schedule block -> the schedule, with the defaults", () => {
  const span = { iterations: 5000, firstIteration: 0, stepsPerEpoch: 100 };
  assert.deepEqual(lrSchedule(undefined, span), constantSchedule(5000));
  const step = lrSchedule({ kind: "step", milestones: [1000, 3000] }, span);
  assert.equal(step.gamma, 0.1, "gamma defaults to 0.1");
  assert.equal(step.warmupIterations, 0);
  assert.deepEqual(step.milestones, [1000, 3000]);
  assert.equal(lrSchedule({ kind: "cosine" }, span).stepsPerUpdate, 1, "per iteration by default");
  assert.equal(lrSchedule({ kind: "cosine", per: "epoch" }, span).stepsPerUpdate, 100);
  assert.equal(
    lrSchedule({ kind: "cosine", per: "epoch", steps_per_epoch: 391 }, span).stepsPerUpdate,
    391,
  );
  const rewound = lrSchedule({ kind: "cosine" }, { ...span, firstIteration: 300 });
  assert.equal(rewound.firstIteration, 300);
  assert.equal(rewound.iterations, 5000);
});

Deno.test("optimizerSpec: SGD and Adam with their defaults, the decay rule and the schedule", () => {
  const span = { iterations: 64000, firstIteration: 0, stepsPerEpoch: 391 };
  const sgd = optimizerSpec({
    name: "sgd",
    learning_rate: 0.1,
    momentum: 0.9,
    nesterov: true,
    weight_decay: 1e-4,
    weight_decay_applies_to: "weights",
    schedule: { kind: "step", milestones: [32000, 48000] },
  }, span);
  assert.equal(sgd.kind, "sgd");
  if (sgd.kind !== "sgd") return;
  assert.equal(sgd.nesterov, true);
  assert.equal(sgd.momentum, 0.9);
  assert.equal(sgd.weightDecay, 1e-4);
  assert.equal(sgd.weightDecayAppliesTo, "weights");
  assert.equal(sgd.schedule?.kind, "step");
  const adam = optimizerSpec({ name: "adam", learning_rate: 1.2e-3 }, span);
  assert.deepEqual(adam, {
    kind: "adam",
    learningRate: 1.2e-3,
    weightDecay: 0,
    weightDecayAppliesTo: "all",
    schedule: constantSchedule(64000),
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  });
  const plain = optimizerSpec({ name: "sgd", learning_rate: 0.1 }, span);
  assert.equal(plain.kind === "sgd" && plain.nesterov, false);
  assert.equal(plain.kind === "sgd" && plain.momentum, 0);
});
