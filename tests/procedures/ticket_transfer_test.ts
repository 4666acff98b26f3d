/**
 * The ticket-transfer procedure end to end on two tiny synthetic data sets standing in for MNIST
 * and Fashion-MNIST (the same 8x8 images, Fashion-MNIST's labels a permutation of MNIST's, so a
 * network trained on one is near 0% on the other), called as the harness calls it: once per data
 * set of experiments/ticket-transfer.yaml (a small dense layer list, 2 trials, 2 rounds, late
 * resetting to iteration 3). Checks: the arms of every level; the transferred runs start from the
 * source ticket's masks over the source's rewound weights and train on the target; the random
 * tickets keep the transferred counts over a fresh initialisation from their streams; each data
 * set's IMP lineage is trained once and read back by the other direction; a level cut short
 * resumes to the same rows and bytes; the same seed gives the same rows and checkpoints.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/base/rng.ts";
import { STREAMS } from "../../src/base/streams.ts";
import type { DatasetName } from "../../src/config/datasets.ts";
import type { ResolvedConfig, ResultRow } from "../../src/config/types.ts";
import { type GpuDataset, uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool, type Gpu } from "../../src/gpu/mod.ts";
import { datasetRunDirectory, datasetRuns } from "../../src/harness/dataset_runs.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import { armDirectory, armFiles } from "../../src/io/paths.ts";
import { decodeSafetensors } from "../../src/io/safetensors.ts";
import { initialNetwork, initParams } from "../../src/model/mod.ts";
import { randomMask } from "../../src/prune/mod.ts";
import { configuredModel } from "../../src/procedures/configured_model.ts";
import { networkFromCheckpoint } from "../../src/procedures/run_files.ts";
import { runTicketTransfer } from "../../src/procedures/ticket_transfer.ts";
import { sourceOf } from "../../src/procedures/ticket_transfer_spec.ts";
import { evaluateGroup } from "../../src/procedures/train_group.ts";
import { allTrials } from "../../src/harness/shards.ts";
import type { ProcedureContext } from "../../src/procedures/types.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { assertSameFiles } from "../fixtures/files.ts";
import { prototypesOf, syntheticImages } from "../fixtures/synthetic_images.ts";

const FIXTURE_ID = "ticket-transfer-fixture";
const SIDE = 8;
const LAYERS = ["fc1", "fc2"];
const TRIALS = [1, 2];

/** ticket-transfer.yaml with a 16-unit hidden layer and a tiny smoke profile. */
function fixtureYaml(): string {
  const yaml = smokeFixtureYaml(
    "ticket-transfer",
    FIXTURE_ID,
    "procedure test, 2 rounds of 60 iterations on synthetic 8x8 images",
    `      trials: ${TRIALS.length}
      procedure:
        optimizer: { name: adam, learning_rate: 0.01 }
        iterations: 60
        eval_every: 20
        rounds: 2
        rewind: { iteration: 3 }
`,
  );
  const listed = yaml.replace(
    "  kind: mlp\n  layers: [784, 300, 100, 10]\n  activation: relu\n",
    "  layers: [{ dense: 16 }, relu, { dense: 10 }]\n",
  );
  assert.notEqual(listed, yaml, "ticket-transfer.yaml's model block changed; update the fixture");
  return listed;
}

interface Fixture {
  config: ResolvedConfig;
  gpu: Gpu;
  data: Map<DatasetName, GpuDataset>;
}

/** The config and both synthetic data sets on the GPU (Fashion-MNIST: labels c -> 9 - c). */
async function withFixture(gpu: Gpu, body: (fixture: Fixture, root: string) => Promise<void>) {
  const root = mkdtempSync(join(tmpdir(), "ticket-transfer-test-"));
  const pool = new BufferPool(gpu.device);
  try {
    const file = join(root, `${FIXTURE_ID}.yaml`);
    writeFileSync(file, fixtureYaml());
    const config = resolveConfig(loadExperimentFile(file), "smoke");
    const rng = new Rng(11, "ticket-transfer test data");
    const prototypes = prototypesOf(rng, SIDE);
    const split = (labelOf?: (c: number) => number) => ({
      train: syntheticImages(rng, 600, prototypes, SIDE, labelOf),
      validation: syntheticImages(rng, 100, prototypes, SIDE, labelOf),
      test: syntheticImages(rng, 200, prototypes, SIDE, labelOf),
    });
    const data = new Map<DatasetName, GpuDataset>([
      ["mnist", uploadDataset(pool, split())],
      ["fashion-mnist", uploadDataset(pool, split((c) => 9 - c))],
    ]);
    await body({ config, gpu, data }, root);
  } finally {
    pool.destroy();
    rmSync(root, { recursive: true, force: true });
  }
}

/** One procedure call's context, as src/harness/run.ts builds it. */
function contextOf(
  fixture: Fixture,
  results: string,
  dataset: DatasetName,
  lines: string[],
): ProcedureContext {
  const run = datasetRuns(fixture.config, results).find((r) => r.dataset === dataset)!;
  const source = sourceOf(run.config, dataset);
  return {
    config: run.config,
    gpu: fixture.gpu,
    dataset: fixture.data.get(dataset)!,
    directory: run.directory,
    cacheDirectory: join(results, "cache"),
    checksums: {},
    trials: allTrials(run.config.trials),
    otherDatasets: new Map([[source, {
      dataset: fixture.data.get(source)!,
      checksums: {},
      directory: datasetRunDirectory(fixture.config, results, source),
    }]]),
    progress: (line) => lines.push(`${dataset}: ${line}`),
  };
}

/** Both calls, in data.dataset's order; their rows by data set, and the progress lines. */
async function runBoth(fixture: Fixture, results: string) {
  const lines: string[] = [];
  const rows = new Map<DatasetName, ResultRow[]>();
  for (const run of datasetRuns(fixture.config, results)) {
    rows.set(run.dataset, await runTicketTransfer(contextOf(fixture, results, run.dataset, lines)));
  }
  return { rows, lines };
}

function tensors(file: string): Map<string, Float32Array> {
  return new Map(decodeSafetensors(readFileSync(file)).map((t) => [t.name, t.data]));
}

const count = (mask: Float32Array) => mask.reduce((n, m) => n + m, 0);
const runDir = (results: string, dataset: string, trial: number, level: number, arm: string) =>
  armDirectory(join(results, dataset), { trial, level, arm });

gpuTest(
  "ticket-transfer: source masks and rewound weights on the target, random tickets, one lineage per data set, resume, determinism",
  (_t, gpu) =>
    withFixture(gpu, async (fixture, root) => {
      const results = join(root, "a");
      const { rows, lines } = await runBoth(fixture, results);
      for (const dataset of ["mnist", "fashion-mnist"] as const) {
        const got = rows.get(dataset)!.map((r) => `${r.trial} ${r.level} ${r.arm}`).sort();
        const want = TRIALS.flatMap((t) => [
          `${t} 0 ticket`,
          ...[1, 2].flatMap((
            l,
          ) => [`${t} ${l} random-mask`, `${t} ${l} ticket`, `${t} ${l} transferred`]),
        ]).sort();
        assert.deepEqual(got, want, dataset);
      }

      // Each lineage trained once: fashion-mnist's call trains only its transfer arms.
      const second = lines.filter((line) => line.startsWith("fashion-mnist: "));
      for (const level of [0, 1, 2]) {
        assert.ok(
          second.includes(
            `fashion-mnist: source mnist: level ${level}: finished earlier, loaded from ${
              join(results, "mnist")
            }`,
          ),
        );
      }
      assert.ok(
        second.includes(
          `fashion-mnist: level 0: finished earlier, loaded from ${join(results, "fashion-mnist")}`,
        ),
      );
      const trainedRuns = second.filter((line) => / iter /.test(line))
        .map((line) => line.match(/\((\S+)% remaining, (\d+) runs\)/)![2]);
      assert.ok(trainedRuns.length > 0 && trainedRuns.every((n) => n === "4"), second.join("\n"));

      const model = configuredModel(fixture.config, fixture.data.get("mnist")!);
      const layout = model.layout;
      for (
        const [target, source] of [["fashion-mnist", "mnist"], ["mnist", "fashion-mnist"]] as const
      ) {
        const targetRows = rows.get(target)!;
        for (const trial of TRIALS) {
          const rewind = tensors(armFiles(runDir(results, source, trial, 0, "ticket")).rewind);
          const ownRewind = tensors(armFiles(runDir(results, target, trial, 0, "ticket")).rewind);
          for (const level of [1, 2]) {
            const transferred = tensors(
              armFiles(runDir(results, target, trial, level, "transferred")).init,
            );
            const sourceTicket = tensors(
              armFiles(runDir(results, source, trial, level, "ticket")).init,
            );
            const random = tensors(
              armFiles(runDir(results, target, trial, level, "random-mask")).init,
            );
            const maskRng = STREAMS.transferRandomMask.rng(
              fixture.config.seed,
              target,
              trial,
              level,
            );
            const fresh = initialNetwork(
              layout,
              initParams(
                layout,
                fixture.config.model.init,
                STREAMS.transferRandomInit.rng(fixture.config.seed, target, trial, level),
              ),
            );
            layout.layers.forEach((layer, l) => {
              const name = LAYERS[l];
              const mask = transferred.get(`${name}.mask`)!;
              // The source ticket's masks at this level, over the source's weights at k.
              assert.deepEqual(
                mask,
                sourceTicket.get(`${name}.mask`),
                `${target} ${trial} ${level} ${name}`,
              );
              assert.deepEqual(
                transferred.get(`${name}.weight`),
                rewind.get(`${name}.weight`)!.map((w, i) => (mask[i] === 0 ? 0 : w)),
              );
              assert.deepEqual(transferred.get(`${name}.bias`), rewind.get(`${name}.bias`));
              // The target's own rewind point is another network (k iterations on other data).
              assert.notDeepEqual(ownRewind.get(`${name}.weight`), rewind.get(`${name}.weight`));
              // Random ticket: the transferred count per layer, drawn from its stream, over a
              // fresh initialisation from its stream.
              const randomMaskOf = random.get(`${name}.mask`)!;
              assert.equal(count(randomMaskOf), count(mask));
              assert.notDeepEqual(randomMaskOf, mask);
              assert.deepEqual(randomMaskOf, randomMask(mask.length, count(mask), maskRng));
              const start = fresh.params.subarray(
                layer.weightOffset,
                layer.weightOffset + mask.length,
              );
              assert.deepEqual(
                random.get(`${name}.weight`),
                Float32Array.from(start, (w, i) => (randomMaskOf[i] === 0 ? 0 : w)),
              );
            });
            const row = (arm: string) =>
              targetRows.find((r) => r.trial === trial && r.level === level && r.arm === arm)!;
            // kappa against the target's own ticket of the level.
            assert.equal(row("ticket").kappa, 1);
            assert.ok(Math.abs(row("random-mask").kappa!) < 0.2, `${row("random-mask").kappa}`);
            assert.ok(row("transferred").kappa! > row("random-mask").kappa!);
            assert.equal(row("transferred").weights_remaining, row("ticket").weights_remaining);
          }
          // Trained on the target: its final network is as accurate on the target's test set as
          // its row says, and far less on the source's (whose labels are permuted).
          const final = networkFromCheckpoint(
            layout,
            readFileSync(armFiles(runDir(results, target, trial, 2, "transferred")).final),
          );
          const context = contextOf(fixture, results, target, []);
          const onTarget = await evaluateGroup(context, model, [final], "on target", true);
          const onSource = await evaluateGroup(
            { ...context, dataset: fixture.data.get(source)! },
            model,
            [final],
            "on source",
            true,
          );
          const row = targetRows.find((r) =>
            r.trial === trial && r.level === 2 && r.arm === "transferred"
          )!;
          assert.equal(onTarget[0].test_accuracy, row.final_test_accuracy);
          assert.ok(
            onTarget[0].test_accuracy > onSource[0].test_accuracy + 0.3,
            `${target} trial ${trial}: ${onTarget[0].test_accuracy} on the target, ${
              onSource[0].test_accuracy
            } on the source`,
          );
        }
      }

      // A level cut short: level 2 of fashion-mnist's arms and of mnist's lineage are lost
      // except one run; both calls again give the same rows and the same bytes.
      const keep = runDir(results, "fashion-mnist", 1, 2, "ticket");
      const finals = new Map<string, Uint8Array>();
      for (const trial of TRIALS) {
        for (
          const [dataset, arm] of [
            ["fashion-mnist", "transferred"],
            ["fashion-mnist", "random-mask"],
            ["fashion-mnist", "ticket"],
            ["mnist", "ticket"],
          ]
        ) {
          const dir = runDir(results, dataset, trial, 2, arm);
          finals.set(dir, readFileSync(armFiles(dir).final));
          if (dir !== keep) rmSync(armFiles(dir).done);
        }
      }
      const resumed = await runBoth(fixture, results);
      const sorted = (list: ResultRow[]) => list.map((row) => JSON.stringify(row)).sort();
      for (const dataset of ["mnist", "fashion-mnist"] as const) {
        // (as results.csv sees them: a row read back has null where a computed one has NaN)
        assert.deepEqual(sorted(resumed.rows.get(dataset)!), sorted(rows.get(dataset)!));
      }
      // Only the lost runs trained again: fashion-mnist's trial 2 lineage run (by mnist's call,
      // as its source), mnist's two lineage runs, fashion-mnist's four transfer arms.
      const retrained = resumed.lines.filter((line) => / iter /.test(line))
        .map((line) => line.replace(/ \(\S+% remaining, (\d+) runs\) iter .*/, ": $1 runs"));
      assert.deepEqual([...new Set(retrained)], [
        "mnist: source fashion-mnist: level 2/2: 1 runs",
        "mnist: level 2/2: 2 runs",
        "fashion-mnist: level 2/2: 4 runs",
      ]);
      for (const [dir, bytes] of finals) {
        assert.ok(readFileSync(armFiles(dir).final).equals(bytes), `${dir} changed on resume`);
      }

      // Same seed, fresh folder: the same rows and files, byte for byte.
      const again = join(root, "b");
      const repeat = await runBoth(fixture, again);
      for (const dataset of ["mnist", "fashion-mnist"] as const) {
        assert.equal(JSON.stringify(repeat.rows.get(dataset)), JSON.stringify(rows.get(dataset)));
      }
      const compared = assertSameFiles(
        results,
        again,
        (path) =>
          path.endsWith(".safetensors") || path.endsWith("row.json") ||
          path.endsWith("metrics.jsonl"),
      );
      // 2 data sets x 2 trials x (level 0: the ticket with init, final and rewind; levels 1-2:
      // 3 arms with init and final) checkpoints.
      assert.equal(
        compared.filter((path) => path.endsWith(".safetensors")).length,
        2 * 2 * (3 + 2 * 3 * 2),
      );
    }),
);
