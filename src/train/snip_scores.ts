/**
 * SNIP's saliency (Lee et al., ICLR 2019) of any model the trainer runs, convolutions and batch
 * norms included: s = |g * w| per weight, g the gradient of the mean cross-entropy over one batch
 * of training examples at the network `w`, batch norms in training mode (batch statistics), as
 * PyTorch computes it on a model in train() mode. The gradient is the trainer's own backward pass
 * over one step whose learning rate is 0 (so nothing moves), read back once; runs side by side
 * score several networks in one job. Masks come from the scores as for the f64 MLP version
 * (src/prune/snip.ts), which the tests check this against.
 */
import type { NormalizeConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";
import type { Gpu } from "../gpu/mod.ts";
import { flatStates, MaskedWeights, type Model, type Network, weightBlock } from "../model/mod.ts";
import { Trainer } from "./trainer.ts";

/**
 * Per network, per weight layer: |g * w| over the examples `examples[r]` (training-set indices,
 * the same count for every network).
 */
export async function snipScoresOnGpu(
  gpu: Gpu,
  model: Model,
  dataset: GpuDataset,
  networks: readonly Network[],
  examples: readonly Uint32Array[],
  normalize?: NormalizeConfig,
): Promise<Float64Array[][]> {
  const layout = model.layout;
  const batch = examples[0]?.length ?? 0;
  if (networks.length === 0 || networks.length !== examples.length) {
    throw new RangeError(
      `SNIP needs one example list per network, got ${examples.length} for ${networks.length}`,
    );
  }
  if (batch < 1 || examples.some((list) => list.length !== batch)) {
    throw new RangeError(
      `SNIP's example lists must be non-empty and of one length, got ${
        examples.map((list) => list.length).join(", ")
      }`,
    );
  }
  const runs = networks.length;
  const trainer = await Trainer.create(gpu, {
    model,
    parameterization: new MaskedWeights(false),
    runs,
    batch,
    maxSteps: 1,
    chunkSteps: 1,
    // A rate of 0 leaves the weights where they are; the step only fills the gradient buffer.
    optimizer: { kind: "sgd", learningRate: 0, momentum: 0, weightDecay: 0 },
    dataset,
    evalSets: [{ name: "validation", indices: dataset.validation }],
    evalBatch: Math.min(1000, Math.max(1, dataset.validation.length)),
    maxEvaluations: 1,
    ...(normalize ? { inputMean: normalize.mean, inputStd: normalize.std } : {}),
  });
  try {
    const params = new Float32Array(runs * layout.perRun);
    networks.forEach((network, r) => params.set(network.params, r * layout.perRun));
    trainer.reset(
      params,
      new Float32Array(runs * layout.perRun).fill(1),
      {},
      flatStates(layout, networks.map((network) => network.state)),
    );
    const indices = new Uint32Array(runs * batch);
    examples.forEach((list, r) => indices.set(list, r * batch));
    trainer.train(indices, 1, false);
    const grads = await trainer.readBuffer("grads");
    return networks.map((network, r) => {
      const g = grads.subarray(r * layout.perRun, (r + 1) * layout.perRun);
      return layout.layers.map((_, l) => {
        const w = weightBlock(layout, network.params, l);
        const gl = weightBlock(layout, g, l);
        return Float64Array.from(w, (value, i) => Math.abs(value * gl[i]));
      });
    });
  } finally {
    trainer.destroy();
  }
}
