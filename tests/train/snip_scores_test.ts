/**
 * SNIP on the GPU (src/train/snip_scores.ts) against the f64 MLP reference (src/prune/snip.ts):
 * the same networks and examples give the same |g * w| up to f32 rounding, two networks scored
 * side by side each get their own, and a mismatch of networks and example lists is refused.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import type { ImageDataset } from "../../src/data/dataset.ts";
import { uploadDataset } from "../../src/data/gpu_dataset.ts";
import { BufferPool } from "../../src/gpu/mod.ts";
import { initialNetwork, initParams, mlpModel } from "../../src/model/mod.ts";
import { snipScores } from "../../src/prune/mod.ts";
import { snipScoresOnGpu } from "../../src/train/snip_scores.ts";
import { gpuTest } from "../gpu_test_helper.ts";

const SIDE = 4;
const CLASSES = 10;
const WIDTHS = [SIDE * SIDE, 12, 8, CLASSES];

function randomImages(rng: Rng, name: string, count: number): ImageDataset {
  return {
    name,
    count,
    rows: SIDE,
    cols: SIDE,
    classes: CLASSES,
    images: Uint8Array.from({ length: count * SIDE * SIDE }, () => rng.nextInt(256)),
    labels: Uint8Array.from({ length: count }, () => rng.nextInt(CLASSES)),
  };
}

gpuTest(
  "SNIP on the GPU equals the f64 reference's |g * w|, per network side by side",
  async (_t, gpu) => {
    const rng = new Rng(3, "snip gpu test");
    const train = randomImages(rng, "train", 60);
    const pool = new BufferPool(gpu.device);
    try {
      const dataset = uploadDataset(pool, {
        train,
        validation: randomImages(rng, "validation", 10),
        test: randomImages(rng, "test", 10),
      });
      const model = mlpModel(WIDTHS);
      const layout = model.layout;
      const networks = [1, 2].map((run) => {
        const params = initParams(layout, "glorot-normal", new Rng(7, "snip init", run));
        // Non-zero biases, so the bias path shapes the gradient too.
        layout.layers.forEach((layer) => {
          for (let o = 0; o < layer.outputs; o++) {
            params[layer.biasOffset + o] = 0.1 * rng.nextNormal();
          }
        });
        return initialNetwork(layout, params);
      });
      const examples = [
        Uint32Array.from({ length: 20 }, (_, i) => i),
        Uint32Array.from({ length: 20 }, (_, i) => 59 - 2 * i),
      ];
      const gpuScores = await snipScoresOnGpu(gpu, model, dataset, networks, examples);
      const ones = layout.layers.map((layer) =>
        new Float32Array(layer.inputs * layer.outputs).fill(1)
      );
      networks.forEach((network, r) => {
        const features = SIDE * SIDE;
        const inputs = new Float64Array(examples[r].length * features);
        examples[r].forEach((example, b) => {
          for (let f = 0; f < features; f++) {
            inputs[b * features + f] = train.images[example * features + f] / 255;
          }
        });
        const labels = Array.from(examples[r], (example) => train.labels[example]);
        const reference = snipScores(layout, network.params, ones, { inputs, labels });
        reference.forEach((expected, l) => {
          const scale = Math.max(...expected);
          assert.ok(scale > 0, `layer ${l} of network ${r} has all-zero reference scores`);
          expected.forEach((value, i) => {
            const got = gpuScores[r][l][i];
            assert.ok(
              Math.abs(got - value) <= 1e-4 * scale,
              `network ${r} layer ${l} weight ${i}: GPU ${got}, f64 ${value}`,
            );
          });
        });
      });
      await assert.rejects(
        () => snipScoresOnGpu(gpu, model, dataset, networks, [examples[0]]),
        /one example list per network, got 1 for 2/,
      );
    } finally {
      pool.destroy();
    }
  },
);
