import assert from "node:assert/strict";
import { mlpModel } from "../../src/model/mod.ts";
import type { GpuDataset } from "../../src/data/gpu_dataset.ts";
import { floatsPerRun, trainerOptions } from "../../src/train/trainer_options.ts";

Deno.test("floatsPerRun is the largest per-run buffer: parameters or the widest activations", () => {
  const lenet = mlpModel([784, 300, 100, 10]);
  // 266,610 parameters (padded) against 1000 x 784 evaluation inputs: the inputs win.
  assert.equal(floatsPerRun(lenet, { batch: 60, evalBatch: 1000 }), 784_000);
  // A wide network: its parameters are the largest buffer.
  const wide = mlpModel([784, 1000, 1000, 10]);
  assert.equal(floatsPerRun(wide, { batch: 60, evalBatch: 1000 }), wide.layout.perRun);
  assert.ok(wide.layout.perRun > 1000 * 1000);
});

Deno.test("trainerOptions: the schedule spans the whole run, read from the first iteration", () => {
  const dataset = { train: new Uint32Array(1000) } as unknown as GpuDataset;
  const training = {
    optimizer: {
      name: "sgd" as const,
      learning_rate: 0.1,
      schedule: { kind: "cosine" as const, per: "epoch" as const },
    },
    batch_size: 60,
    iterations: 700,
    eval_every: 100,
  };
  const fresh = trainerOptions(dataset, training);
  assert.equal(fresh.maxSteps, 700);
  assert.equal(fresh.optimizer.schedule?.iterations, 700);
  assert.equal(fresh.optimizer.schedule?.firstIteration, 0);
  // An epoch of 1000 examples at batch 60 is ceil(1000 / 60) = 17 iterations.
  assert.equal(fresh.optimizer.schedule?.stepsPerUpdate, 17);
  // IMP rewound to 300: 700 more iterations of a 1000-iteration schedule, from 300 on.
  const rewound = trainerOptions(dataset, training, {}, 300);
  assert.equal(rewound.maxSteps, 700);
  assert.equal(rewound.optimizer.schedule?.iterations, 1000);
  assert.equal(rewound.optimizer.schedule?.firstIteration, 300);
});
