/**
 * Edge-popup on a convolutional layer list without biases, run as a person runs it (a child
 * `reproduce`): a copy of experiments/strong-lth.yaml whose smoke profile turns the MLP into a
 * small conv list (`kind: null`, `activation: null`, every layer `bias: false`), as the paper
 * profile does with Conv-4, on 1,000 MNIST images with the paper profile's optimizer forms (SGD,
 * momentum, weight decay on the scores, cosine per epoch), normalisation and augmentation. The
 * sweep sets the hidden dense width; the convolutions keep their channels; every layer keeps
 * round(k n) of its weights; the frozen weights end as they started; no checkpoint has a bias.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSafetensors } from "../../src/io/safetensors.ts";
import { armDirectory, armFiles, runFiles } from "../../src/io/paths.ts";
import { parseResultsCsv } from "../../src/io/csv.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { assertCompleted, runChild, runFolder } from "../harness/child_run.ts";

const FIXTURE_ID = "edge-popup-conv-fixture";
const WIDTHS = [6, 12];

function fixtureYaml(): string {
  return smokeFixtureYaml(
    "strong-lth",
    FIXTURE_ID,
    "a conv list without biases, 20 iterations on 1,000 images",
    `      trials: 1
      model:
        kind: null
        activation: null
        layers:
          - { conv: 4, kernel: 3, stride: 1, padding: 1, bias: false }
          - relu
          - maxpool
          - { conv: 8, kernel: 3, stride: 1, padding: 1, bias: false }
          - relu
          - maxpool
          - { dense: 16, bias: false }
          - relu
          - { dense: 10, bias: false }
      data:
        validation: 500
        train_limit: 1000
        test_limit: 300
        normalize: { mean: [0.1307], std: [0.3081] }
        augmentation: { random_crop_padding: 2, horizontal_flip: true }
      procedure:
        sweeps:
          - { widths: [${
      WIDTHS.join(", ")
    }], weights_remaining: [0.3, 0.5], weight_inits: [signed-kaiming-constant, kaiming-normal] }
        optimizer:
          name: sgd
          learning_rate: 0.1
          momentum: 0.9
          weight_decay: 1.0e-4
          schedule: { kind: cosine, per: epoch, steps_per_epoch: 8 }
        batch_size: 128
        iterations: 20
        eval_every: 10
        dense:
          optimizer:
            name: sgd
            learning_rate: 0.01
            momentum: 0.9
            weight_decay: 1.0e-4
            schedule: { kind: cosine, per: epoch, steps_per_epoch: 8 }
          batch_size: 128
          iterations: 20
          eval_every: 10
          extra_widths: null
`,
  );
}

/** The checkpoint's tensors by name. */
function tensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map(
    decodeSafetensors(readFileSync(path)).map((t) => [t.name, { shape: t.shape, data: t.data }]),
  );
}

Deno.test({
  name: "edge-popup on a conv list without biases: widths of the dense layers, exact top-k",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    const root = mkdtempSync(join(tmpdir(), "edge-popup-conv-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, fixtureYaml());
      const out = join(root, "out");
      const run = await runChild([fixture, "--profile", "smoke", "--out", out]);
      assertCompleted(run, "edge-popup on a conv list");
      const folder = runFolder(out, FIXTURE_ID);
      const rows = parseResultsCsv(readFileSync(runFiles(folder).results, "utf8"));

      const arms = ["dense", "kaiming-normal", "random-mask", "signed-kaiming-constant"];
      assert.deepEqual([...new Set(rows.map((row) => row.arm))].sort(), arms);
      assert.deepEqual([...new Set(rows.map((row) => row.width))].sort((a, b) => a - b), WIDTHS);
      // Per width: dense, and each init and the random mask at 2 k.
      assert.equal(rows.length, WIDTHS.length * (1 + 3 * 2));
      for (const row of rows) {
        assert.ok(
          row.test_accuracy_at_early_stop > 0 && row.test_accuracy_at_early_stop <= 1,
          `${row.arm} h${row.width}: accuracy ${row.test_accuracy_at_early_stop}`,
        );
      }

      for (const width of WIDTHS) {
        const k = 0.3;
        const arm = armDirectory(folder, { trial: 1, width, level: 2, arm: "kaiming-normal" });
        const init = tensors(armFiles(arm).init);
        const final = tensors(armFiles(arm).final);
        // conv1 [4, 1, 3, 3], conv2 [8, 4, 3, 3], fc1 [width, 8 * 7 * 7], fc2 [10, width].
        const shapes: Record<string, number[]> = {
          conv1: [4, 1, 3, 3],
          conv2: [8, 4, 3, 3],
          fc1: [width, 392],
          fc2: [10, width],
        };
        assert.deepEqual(
          [...final.keys()].sort(),
          Object.keys(shapes).flatMap((name) =>
            ["mask", "scores", "weight"].map((t) => `${name}.${t}`)
          ).sort(),
          "no bias tensors in the checkpoint",
        );
        for (const [name, shape] of Object.entries(shapes)) {
          const weight = final.get(`${name}.weight`)!;
          assert.deepEqual(weight.shape, shape, `${name}.weight shape`);
          assert.deepEqual(
            weight.data,
            init.get(`${name}.weight`)!.data,
            `${name}: weights frozen`,
          );
          const mask = final.get(`${name}.mask`)!.data;
          const kept = mask.reduce((sum, m) => sum + m, 0);
          assert.equal(kept, Math.round(k * mask.length), `${name}: kept of ${mask.length}`);
          // The mask is the top k of the final |scores|: every kept |score| >= every dropped one.
          const scores = final.get(`${name}.scores`)!.data;
          let lowestKept = Infinity, highestDropped = -Infinity;
          mask.forEach((m, i) => {
            if (m === 1) lowestKept = Math.min(lowestKept, Math.abs(scores[i]));
            else highestDropped = Math.max(highestDropped, Math.abs(scores[i]));
          });
          assert.ok(lowestKept >= highestDropped, `${name}: ${lowestKept} < ${highestDropped}`);
        }
        const dense = tensors(
          armFiles(armDirectory(folder, { trial: 1, width, level: 0, arm: "dense" })).final,
        );
        assert.ok(![...dense.keys()].some((name) => name.endsWith(".bias")), "dense: no bias");
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
