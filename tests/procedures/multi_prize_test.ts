/**
 * The multi-prize procedure end to end, as a person runs it (a child `reproduce`): a copy of
 * experiments/multi-prize.yaml whose smoke profile is two widths, two k, 20 iterations on 1,000
 * MNIST images. Checks: every arm's row exists at every (width, k); every searched arm of a
 * (trial, width) starts from the same frozen W and ends with it unchanged (mpt-1-1's model has
 * the same weight tensors); biprop and edge-popup masks keep exactly round(k n) per layer and are
 * the top k of the final |scores|; checkpoints hold <layer>.scores and <layer>.mask (and mpt-1-1
 * its batch norms' running statistics); random-signs keeps mpt-1-32's mask and alpha with some
 * signs flipped; random-mask keeps mpt-1-32's per-layer counts; the second ticket's kappa is
 * against mpt-1-32's mask; a second run of the completed experiment rewrites no run file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSafetensors } from "../../src/io/safetensors.ts";
import { armDirectory, armFiles, runFiles } from "../../src/io/paths.ts";
import { parseResultsCsv } from "../../src/io/csv.ts";
import { maskOverlap } from "../../src/prune/mod.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { smokeFixtureYaml } from "../fixtures/experiments.ts";
import { assertCompleted, runChild, runFolder } from "../harness/child_run.ts";

const FIXTURE_ID = "multi-prize-fixture";
const WIDTHS = [8, 12];
const KS = [0.5, 0.3]; // levels 1 and 2
const LAYERS = ["fc1", "fc2", "fc3"];
const SEARCHED = ["mpt-1-32", "mpt-1-32-b", "mpt-1-1", "edge-popup"];
const ARMS = [...SEARCHED, "dense", "random-mask", "random-signs"];

function fixtureYaml(): string {
  return smokeFixtureYaml(
    "multi-prize",
    FIXTURE_ID,
    "two widths, two k, 20 iterations on 1,000 images",
    `      trials: 1
      data:
        validation: 300
        train_limit: 1000
        test_limit: 300
      procedure:
        sweeps:
          - { widths: [${WIDTHS.join(", ")}], weights_remaining: [${KS.join(", ")}] }
        iterations: 20
        eval_every: 10
        binary:
          iterations: 20
          eval_every: 10
        dense:
          iterations: 20
          eval_every: 10
`,
  );
}

type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

function tensors(path: string): Tensors {
  return new Map(
    decodeSafetensors(readFileSync(path)).map((t) => [t.name, { shape: t.shape, data: t.data }]),
  );
}

const data = (t: Tensors, name: string) => {
  const found = t.get(name);
  assert.ok(found, `checkpoint has no ${name}; has ${[...t.keys()].join(", ")}`);
  return found.data;
};
const kept = (mask: Float32Array) => mask.reduce((sum, m) => sum + m, 0);

Deno.test({
  name: "multi-prize: every arm on the same W, exact k per layer, controls, kappa, resume",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    const root = mkdtempSync(join(tmpdir(), "multi-prize-test-"));
    try {
      const fixture = join(root, `${FIXTURE_ID}.yaml`);
      writeFileSync(fixture, fixtureYaml());
      const out = join(root, "out");
      const run = await runChild([fixture, "--profile", "smoke", "--out", out]);
      assertCompleted(run, "multi-prize");
      const folder = runFolder(out, FIXTURE_ID);
      const results = readFileSync(runFiles(folder).results, "utf8");
      const rows = parseResultsCsv(results);

      // Per width: dense, and six arms at each k.
      assert.equal(rows.length, WIDTHS.length * (1 + 6 * KS.length));
      for (const width of WIDTHS) {
        const at = (arm: string, level: number) =>
          rows.filter((r) => r.width === width && r.arm === arm && r.level === level);
        assert.equal(at("dense", 0).length, 1, `h${width}: dense row`);
        for (const level of [1, 2]) {
          for (const arm of ARMS.filter((a) => a !== "dense")) {
            assert.equal(at(arm, level).length, 1, `h${width} level ${level}: ${arm} row`);
          }
        }
      }
      for (const row of rows) {
        assert.ok(
          row.test_accuracy_at_early_stop > 0 && row.test_accuracy_at_early_stop <= 1,
          `${row.arm} h${row.width}: accuracy ${row.test_accuracy_at_early_stop}`,
        );
        const hasKappa = !["dense", "mpt-1-32"].includes(row.arm);
        assert.equal(Number.isFinite(row.kappa), hasKappa, `${row.arm}: kappa ${row.kappa}`);
      }

      for (const width of WIDTHS) {
        const dir = (arm: string, level: number) =>
          armDirectory(folder, { trial: 1, width, level, arm });
        const init = (arm: string, level: number) => tensors(armFiles(dir(arm, level)).init);
        const final = (arm: string, level: number) => tensors(armFiles(dir(arm, level)).final);
        const reference = init("mpt-1-32", 1);
        KS.forEach((k, i) => {
          const level = i + 1;
          const ticketFinal = final("mpt-1-32", level);
          for (const arm of SEARCHED) {
            const start = init(arm, level), end = final(arm, level);
            for (const layer of LAYERS) {
              const w = data(reference, `${layer}.weight`);
              assert.deepEqual(data(start, `${layer}.weight`), w, `${arm} k ${k} ${layer}: same W`);
              assert.deepEqual(data(end, `${layer}.weight`), w, `${arm} k ${k} ${layer}: frozen`);
              const mask = data(end, `${layer}.mask`);
              assert.equal(kept(mask), Math.round(k * mask.length), `${arm} ${layer}: kept`);
              const scores = data(end, `${layer}.scores`);
              let lowestKept = Infinity, highestDropped = -Infinity;
              mask.forEach((m, j) => {
                if (m === 1) lowestKept = Math.min(lowestKept, Math.abs(scores[j]));
                else highestDropped = Math.max(highestDropped, Math.abs(scores[j]));
              });
              assert.ok(lowestKept >= highestDropped, `${arm} ${layer}: top k of |scores|`);
            }
          }
          // Seeds a and b start from different scores; a, mpt-1-1 and edge-popup from the same.
          const scoresOf = (arm: string) => data(init(arm, level), "fc1.scores");
          assert.notDeepEqual(scoresOf("mpt-1-32-b"), scoresOf("mpt-1-32"));
          assert.deepEqual(scoresOf("mpt-1-1"), scoresOf("mpt-1-32"));
          assert.deepEqual(scoresOf("edge-popup"), scoresOf("mpt-1-32"));
          // mpt-1-1's checkpoint holds its non-affine batch norms' running statistics.
          const binary = final("mpt-1-1", level);
          for (const bn of ["bn1", "bn2"]) {
            assert.equal(data(binary, `${bn}.running_var`).length, width);
            assert.ok(!binary.has(`${bn}.weight`), `${bn} is non-affine`);
          }
          // The second ticket's kappa is its final mask against mpt-1-32's.
          const masksOf = (t: Tensors) => LAYERS.map((layer) => data(t, `${layer}.mask`));
          const row = rows.find((r) =>
            r.width === width && r.level === level && r.arm === "mpt-1-32-b"
          )!;
          const expected = maskOverlap(masksOf(final("mpt-1-32-b", level)), masksOf(ticketFinal));
          assert.ok(
            Math.abs(row.kappa! - expected.kappa) < 1e-6,
            `${row.kappa} vs ${expected.kappa}`,
          );

          // random-signs: mpt-1-32's mask, |weight| = alpha = mean |W| over the mask, signs drawn.
          const signs = init("random-signs", level);
          let flipped = 0;
          for (const layer of LAYERS) {
            const w = data(reference, `${layer}.weight`);
            const mask = data(ticketFinal, `${layer}.mask`);
            assert.deepEqual(data(signs, `${layer}.mask`), mask, `random-signs ${layer}: mask`);
            let sum = 0;
            mask.forEach((m, j) => (sum += m * Math.abs(w[j])));
            const alpha = sum / kept(mask);
            data(signs, `${layer}.weight`).forEach((v, j) => {
              if (mask[j] === 0) return assert.equal(v, 0);
              assert.ok(
                Math.abs(Math.abs(v) - alpha) <= 1e-6 * alpha,
                `${layer}: |${v}| vs ${alpha}`,
              );
              if (Math.sign(v) !== Math.sign(w[j])) flipped++;
            });
            // random-mask: mpt-1-32's per-layer count, alpha over its own mask.
            const random = init("random-mask", level);
            const randomMask = data(random, `${layer}.mask`);
            assert.equal(kept(randomMask), kept(mask), `random-mask ${layer}: count`);
            assert.notDeepEqual(randomMask, mask);
          }
          assert.ok(flipped > 0, "random-signs flips some signs");
        });
      }

      // A second run of the finished experiment resumes every job: no run file is rewritten.
      const stamp = (arm: string) =>
        statSync(armFiles(armDirectory(folder, { trial: 1, width: WIDTHS[0], level: 1, arm })).row)
          .mtimeMs;
      const before = ARMS.filter((a) => a !== "dense").map(stamp);
      const again = await runChild([fixture, "--profile", "smoke", "--out", out]);
      assertCompleted(again, "multi-prize, resumed");
      assert.doesNotMatch(again.stderr, / iter \d+\//, "a resumed run trains nothing");
      assert.deepEqual(ARMS.filter((a) => a !== "dense").map(stamp), before);
      assert.equal(readFileSync(runFiles(folder).results, "utf8"), results);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
