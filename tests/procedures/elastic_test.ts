/**
 * The elastic procedure end to end, as a person runs it (a child `reproduce`): a copy of
 * experiments/elastic.yaml whose smoke profile is ResNet-20 and ResNet-32 at 2/4/8 channels, 12
 * iterations rewound to 2, one round, 500 images. Checks: every arm's row exists; the stretched
 * and the squeezed tickets' checkpoints are exactly the Elastic Ticket Transformation of the
 * source's IMP ticket (src/prune/elastic.ts, recomputed here from the source's files); reinit
 * keeps that mask on other weights; random keeps its per-layer counts; magnitude and SNIP keep
 * its total count; the baselines start from the target's dense network at the rewind point; a
 * second run of the completed experiment rewrites no run file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATASET_SHAPES } from "../../src/config/datasets.ts";
import { armDirectory, armFiles, runFiles } from "../../src/io/paths.ts";
import { parseResultsCsv } from "../../src/io/csv.ts";
import { loadExperimentFile, resolveConfig } from "../../src/harness/load_experiment.ts";
import { buildModel, featureMapsOf, withBlocksPerStage } from "../../src/model/mod.ts";
import {
  countKept,
  elasticTicket,
  modelSynflowScores,
  paperBlockMap,
  synflowMasksKeepingTotal,
} from "../../src/prune/mod.ts";
import { classBalanced } from "../../src/procedures/elastic.ts";
import { configuredLayers } from "../../src/procedures/configured_model.ts";
import { ELASTIC_SPEC } from "../../src/procedures/elastic_spec.ts";
import { masksFromCheckpoint, networkFromCheckpoint } from "../../src/procedures/run_files.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { assertCompleted, runChild, runFolder } from "../harness/child_run.ts";

const FIXTURE_ID = "elastic-fixture";

function fixtureYaml(): string {
  return smokeFixtureYaml(
    "elastic",
    FIXTURE_ID,
    "ResNet-20/32 at 2/4/8 channels, 12 iterations, one round, 500 images",
    `      trials: 1
      model:
        kind: null
        layers:
          - { conv: 2, bias: false }
          - batchnorm
          - relu
          - maxpool
          - { residual: 2 }
          - { residual: 4, stride: 2 }
          - { residual: 8, stride: 2 }
          - global_avgpool
          - { dense: 10 }
      data:
        dataset: fashion-mnist
        validation: 200
        train_limit: 500
        test_limit: 200
        normalize:
          mean: [0.286]
          std: [0.353]
      procedure:
        optimizer:
          schedule:
            kind: step
            milestones: [8, 10]
        batch_size: 16
        iterations: 12
        eval_every: 6
        rounds: 1
        rewind: { iteration: 2 }
        transfer_rounds: [1]
      controls:
        snip_examples: 16
        grasp_examples_per_class: 3
        synflow_rounds: 10
`,
  );
}

Deno.test({
  name: "elastic: transformed tickets are the ETT of the source's files, baselines matched, resume",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    const root = mkdtempSync(join(tmpdir(), "elastic-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, fixtureYaml());
      const out = join(root, "out");
      const run = await runChild([fixture, "--profile", "smoke", "--out", out]);
      assertCompleted(run, "elastic");
      const folder = runFolder(out, FIXTURE_ID);
      const rows = parseResultsCsv(readFileSync(runFiles(folder).results, "utf8"));
      const config = resolveConfig(loadExperimentFile(fixture), "smoke");
      const arms = ELASTIC_SPEC.arms(config);
      for (const arm of arms) {
        const levels = arm.startsWith("imp-") ? [0, 1] : [1];
        for (const level of levels) {
          assert.equal(
            rows.filter((row) => row.arm === arm && row.level === level).length,
            1,
            `row of ${arm} at level ${level}`,
          );
        }
      }
      assert.equal(rows.length, 2 * 2 + (arms.length - 2));

      const image = featureMapsOf(DATASET_SHAPES["fashion-mnist"]);
      const member = (blocks: number) => {
        const specs = withBlocksPerStage(configuredLayers(config), blocks);
        return { specs, layout: buildModel(specs, image).layout };
      };
      const read = (
        side: ReturnType<typeof member>,
        directory: string,
        file: "init" | "rewind",
      ) => {
        const bytes = readFileSync(armFiles(directory)[file]);
        return {
          network: networkFromCheckpoint(side.layout, bytes),
          masks: masksFromCheckpoint(side.layout, bytes),
        };
      };
      const runDir = (sub: string, level: number, arm: string) =>
        armDirectory(join(folder, sub), { trial: 1, level, arm, replicate: 0 });
      for (const [from, to, S, T] of [[3, 5, 20, 32], [5, 3, 32, 20]]) {
        const source = member(from), target = member(to);
        const ticket = read(source, runDir(`imp-${S}`, 1, "ticket"), "init");
        const expected = elasticTicket(
          { ...source, ...ticket },
          target,
          paperBlockMap(source, target),
        );
        const transfer = `ett-${S}to${T}`;
        const got = read(target, runDir(transfer, 1, transfer), "init");
        assert.deepEqual(got.masks, expected.masks, `${transfer}: masks are the ETT's`);
        assert.deepEqual(got.network.params, expected.network.params, `${transfer}: weights`);
        assert.deepEqual(got.network.state, expected.network.state, `${transfer}: BN statistics`);

        const total = (masks: Float32Array[]) => masks.reduce((n, m) => n + countKept(m), 0);
        const reinit = read(target, runDir(transfer, 1, `${transfer}-reinit`), "init");
        assert.deepEqual(reinit.masks, expected.masks, `${transfer}-reinit keeps the mask`);
        assert.notDeepEqual(reinit.network.params, expected.network.params);
        const rewound = read(target, runDir(`imp-${T}`, 0, "ticket"), "rewind").network;
        const targetModel = buildModel(target.specs, image);
        for (const method of ["random", "magnitude", "snip", "grasp", "synflow"]) {
          const arm = `${method}-${S}to${T}`;
          const baseline = read(target, runDir(transfer, 1, arm), "init");
          assert.equal(total(baseline.masks), total(expected.masks), `${arm}: total count`);
          if (method === "random") {
            assert.deepEqual(
              baseline.masks.map(countKept),
              expected.masks.map(countKept),
              `${arm}: per-layer counts`,
            );
          }
          // Kept weights and every other tensor come from the target's dense run at iteration k.
          const flatMask = new Float32Array(target.layout.perRun).fill(1);
          target.layout.layers.forEach((layer, l) =>
            flatMask.set(baseline.masks[l], layer.weightOffset)
          );
          baseline.network.params.forEach((value, i) => {
            // Numeric equality: a pruned negative weight is -0 after the mask.
            const want = rewound.params[i] * flatMask[i];
            assert.ok(value === want, `${arm}: parameter ${i} is ${value}, expected ${want}`);
          });
          assert.deepEqual(baseline.network.state, rewound.state, `${arm}: BN statistics`);
          if (method === "synflow") {
            // SynFlow is data-free: its masks follow from the rewound network alone.
            const sizes = target.layout.layers.map((layer) => layer.inputs * layer.outputs);
            const score = (masks: Float32Array[]) =>
              modelSynflowScores(targetModel, rewound, masks);
            assert.deepEqual(
              baseline.masks,
              synflowMasksKeepingTotal(score, sizes, total(expected.masks), 10),
              `${arm}: the masks of 10 SynFlow rounds on the rewound network`,
            );
          }
        }
      }

      // A finished run is read back, not redone: no run file is rewritten.
      const marker = armFiles(runDir("ett-20to32", 1, "snip-20to32")).done;
      const before = statSync(marker).mtimeMs;
      const results = readFileSync(runFiles(folder).results, "utf8");
      const again = await runChild([fixture, "--profile", "smoke", "--out", out]);
      assertCompleted(again, "elastic (resumed)");
      assert.equal(statSync(marker).mtimeMs, before, "the finished run was redone");
      assert.match(again.stdout + again.stderr, /ett 20->32 round 1: finished earlier/);
      assert.equal(readFileSync(runFiles(folder).results, "utf8"), results);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});

Deno.test("GraSP's examples: the first k of each class in the given order, class 0's first", () => {
  const labels = [2, 0, 1, 0, 2, 0, 1, 2];
  // Examples in a shuffled order; class 1 has only two, class 3 none.
  const order = [7, 3, 0, 5, 6, 1, 4, 2];
  assert.deepEqual(Array.from(classBalanced(order, labels, 4, 2)), [3, 5, 6, 2, 7, 0]);
  assert.deepEqual(Array.from(classBalanced(order, labels, 4, 1)), [3, 6, 7]);
});
