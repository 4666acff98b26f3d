/**
 * A conv + batch-norm network through the procedures, end to end, on a tiny synthetic data set
 * (1x8x8 images around one prototype per class): the experiment file (weak-lth.yaml with a
 * written-out layer list holding batchnorm and batchnorm-nonaffine) validates; IMP rewinding to
 * iteration k, with stability copies at levels 0 and 2 and SNIP / GraSP / SynFlow masks at level
 * 2, runs; the running statistics travel with
 * the parameters (rewind = the stats at k, a fresh reinit = the initial ones, the ends of a line
 * evaluate as the runs themselves did); a run resumed after a level ends with identical rows and
 * checkpoints; and evaluateGroup of a trained network equals the trainer's own last evaluation.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/base/rng.ts";
import type { ResolvedConfig } from "../../src/config/types.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool, type Gpu } from "../../src/gpu/mod.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import { armDirectory, armFiles } from "../../src/io/paths.ts";
import { decodeSafetensors } from "../../src/io/safetensors.ts";
import { initialState, initParams } from "../../src/model/mod.ts";
import { configuredModel } from "../../src/procedures/configured_model.ts";
import { runImp } from "../../src/procedures/imp.ts";
import { impConfig } from "../../src/procedures/imp_spec.ts";
import { denseTraining, evaluateGroup, trainGroup } from "../../src/procedures/train_group.ts";
import { allTrials } from "../../src/harness/shards.ts";
import type { ProcedureContext } from "../../src/procedures/types.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { prototypesOf, syntheticImages } from "../fixtures/synthetic_images.ts";

const FIXTURE_ID = "imp-batchnorm-fixture";
const SIDE = 8;
const LAYERS =
  "[{conv: 3, kernel: 3}, batchnorm, relu, maxpool, {dense: 8}, batchnorm-nonaffine, relu, {dense: 10}]";

/** weak-lth.yaml with the layer list above, rewinding to iteration 3, stability at 0 and 2. */
function fixtureYaml(): string {
  const yaml = smokeFixtureYaml(
    "weak-lth",
    FIXTURE_ID,
    "batch-norm procedure test, 2 levels of 12 iterations on synthetic 8x8 images",
    `      trials: 1
      procedure:
        iterations: 12
        eval_every: 6
        rounds: 2
        rewind: { iteration: 3 }
      controls:
        random_reinit: 1
        rounds: [2]
        stability: { rounds: [0, 2], points: 3 }
        at_init:
          methods: [snip, grasp, synflow]
          counts: total
          examples: 20
          grasp_temperature: 200
          synflow_rounds: 5
          shuffled: false
`,
  );
  const listed = yaml.replace(
    "  kind: mlp\n  layers: [784, 300, 100, 10]\n  activation: relu\n",
    `  layers: ${LAYERS}\n`,
  );
  assert.notEqual(listed, yaml, "weak-lth.yaml's model block changed; update the fixture");
  return listed;
}

function withContext(
  gpu: Gpu,
  body: (context: ProcedureContext, config: ResolvedConfig, root: string) => Promise<void>,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "imp-batchnorm-test-"));
  const pool = new BufferPool(gpu.device);
  const run = async () => {
    const fixture = join(root, `${FIXTURE_ID}.yaml`);
    writeFileSync(fixture, fixtureYaml());
    const config = resolveConfig(loadExperimentFile(fixture), "smoke");
    const rng = new Rng(5, "batch-norm procedure test data");
    const prototypes = prototypesOf(rng, SIDE);
    const dataset = uploadDataset(pool, {
      train: syntheticImages(rng, 240, prototypes, SIDE),
      validation: syntheticImages(rng, 60, prototypes, SIDE),
      test: syntheticImages(rng, 60, prototypes, SIDE),
    });
    const context: ProcedureContext = {
      config,
      gpu,
      dataset,
      directory: join(root, "run"),
      cacheDirectory: join(root, "cache"),
      checksums: {},
      trials: allTrials(config.trials),
      otherDatasets: new Map(),
      progress: () => {},
    };
    await body(context, config, root);
  };
  return run().finally(() => {
    pool.destroy();
    rmSync(root, { recursive: true, force: true });
  });
}

/** A checkpoint's tensors by name. */
function tensors(file: string): Map<string, Float32Array> {
  return new Map(decodeSafetensors(readFileSync(file)).map((t) => [t.name, t.data]));
}

gpuTest(
  "IMP with batch norms: rewinds to k restore the running statistics, lines start from the runs, resume is identical",
  (_t, gpu) =>
    withContext(gpu, async (context) => {
      const rows = await runImp(context);
      const place = (level: number, arm: string, replicate = 0) =>
        armDirectory(context.directory, { trial: 1, level, arm, replicate });
      assert.deepEqual(rows.map((row) => `${row.level} ${row.arm}`).sort(), [
        "0 ticket",
        "1 ticket",
        "2 grasp",
        "2 random-mask",
        "2 random-reinit",
        "2 snip",
        "2 synflow",
        "2 ticket",
      ]);
      // Pruning at initialisation scores the conv net (f64 pass) and keeps the ticket's total.
      const kept = (arm: string) =>
        [...tensors(armFiles(place(2, arm)).init)].filter(([name]) => name.endsWith(".mask"))
          .map(([, mask]) => mask);
      const total = (masks: Float32Array[]) =>
        masks.reduce((n, mask) => n + mask.reduce((a, b) => a + b, 0), 0);
      const ticketMasks = kept("ticket");
      const atInit = ["snip", "grasp", "synflow"].map(kept);
      for (const masks of atInit) assert.equal(total(masks), total(ticketMasks));
      assert.notDeepEqual(atInit[0], atInit[1], "SNIP and GraSP chose the same weights");
      assert.notDeepEqual(atInit[0], atInit[2], "SNIP and SynFlow chose the same weights");
      for (const row of rows) {
        assert.equal(Number.isFinite(row.instability), [0, 2].includes(row.level), `${row.arm}`);
      }

      // The dense run's checkpoint at k holds gamma, beta and running statistics that moved.
      const rewind = tensors(armFiles(place(0, "ticket")).rewind);
      for (const name of ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"]) {
        assert.ok(rewind.has(name), `rewind checkpoint lacks ${name}`);
      }
      assert.ok(!rewind.has("bn2.weight"), "a non-affine batch norm has no weight");
      assert.ok(rewind.get("bn2.running_mean")!.some((v) => v !== 0));
      assert.ok(rewind.get("bn1.running_var")!.some((v) => v !== 1));
      // Every later ticket and the masks' controls start from the statistics at k...
      for (const [level, arm] of [[1, "ticket"], [2, "ticket"], [2, "random-mask"]] as const) {
        const init = tensors(armFiles(place(level, arm)).init);
        for (const name of ["bn1.running_mean", "bn1.running_var", "bn2.running_var"]) {
          assert.deepEqual(init.get(name), rewind.get(name), `level ${level} ${arm} ${name}`);
        }
        assert.deepEqual(init.get("bn1.weight"), rewind.get("bn1.weight"));
      }
      // ... and a fresh initialisation from the initial ones (means 0, variances 1).
      const reinit = tensors(armFiles(place(2, "random-reinit", 1)).init);
      assert.ok(reinit.get("bn1.running_mean")!.every((v) => v === 0));
      assert.ok(reinit.get("bn2.running_var")!.every((v) => v === 1));
      assert.ok(reinit.get("bn1.weight")!.every((v) => v === 1));

      // A line's ends are the run and its copy: the run's end evaluates as its own last
      // evaluation did (with initial running statistics it would not).
      for (const [level, arm] of [[0, "ticket"], [2, "ticket"], [2, "random-reinit"]] as const) {
        const files = armFiles(place(level, arm, arm === "random-reinit" ? 1 : 0));
        const line = JSON.parse(readFileSync(files.line, "utf8"));
        const curve = readFileSync(files.metrics, "utf8").trim().split("\n").map((l) =>
          JSON.parse(l)
        );
        assert.equal(line.test_error[0], 1 - curve[curve.length - 1].test_accuracy);
        const copy = tensors(files.checkpoint("copy.safetensors"));
        assert.ok(copy.has("bn2.running_var"), "the copy's checkpoint lacks its statistics");
      }

      // Resume: level 2 again from what levels 0 and 1 wrote (the rewind point read back).
      const finals = ["ticket", "random-mask"].map((arm) =>
        readFileSync(armFiles(place(2, arm)).final)
      );
      const levelTwo = join(context.directory, "trial-1", "level-2");
      assert.ok(existsSync(levelTwo));
      rmSync(levelTwo, { recursive: true });
      const resumed = await runImp(context);
      // (as results.csv sees them: a row read back has null where a computed one has NaN)
      assert.equal(JSON.stringify(resumed), JSON.stringify(rows));
      ["ticket", "random-mask"].forEach((arm, i) =>
        assert.deepEqual(readFileSync(armFiles(place(2, arm)).final), finals[i], arm)
      );
    }),
);

gpuTest(
  "evaluateGroup of a trained batch-norm network equals the trainer's own last evaluation",
  (_t, gpu) =>
    withContext(gpu, async (context, config) => {
      const model = configuredModel(config, context.dataset);
      assert.ok(model.layout.statePerRun > 0);
      const training = impConfig(config);
      const runs = [1, 2].map((trial) => ({
        trial,
        params: initParams(model.layout, "glorot-normal", new Rng(9, "bn eval", trial)),
        mask: new Float32Array(model.layout.perRun).fill(1),
      }));
      const outcomes = await trainGroup(context, model, training, denseTraining, runs, "dense");
      const points = await evaluateGroup(context, model, outcomes, "trained");
      outcomes.forEach((outcome, r) => {
        assert.ok(outcome.state.some((v, i) => v !== initialState(model.layout, 1)[i]));
        assert.deepEqual(points[r], { ...outcome.curve[outcome.curve.length - 1], iteration: 0 });
      });
      // With the initial running statistics (what evaluations did before they carried the
      // state) the same parameters evaluate differently.
      const stale = await evaluateGroup(
        context,
        model,
        outcomes.map((outcome) => ({ params: outcome.params })),
        "trained, initial statistics",
      );
      stale.forEach((point, r) => assert.notEqual(point.test_loss, points[r].test_loss));
    }),
);
