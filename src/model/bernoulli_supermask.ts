/**
 * Learned Bernoulli supermask (Zhou et al. 2019): W * m, m ~ Bernoulli(sigmoid(S)) sampled anew
 * every step (kernels/supermask_sample.wgsl, counter-based stream `key`, counter =
 * step * runs * perRun + run * perRun + i, wrapping at 2^32); the scores train straight through the
 * sample, dScore = dWeff * W * sigmoid'(score). Evaluation uses the most probable mask,
 * m = [score > 0].
 */
import { prepareSupermaskSample } from "../nn/supermask_sample.ts";
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";
import { bindScored } from "./scored.ts";

export class BernoulliSupermask implements Parameterization {
  readonly name = "bernoulli-supermask";
  readonly storedTensors = ["scores"];

  /** `key`: the sampling stream's key (base/rng.ts streamKey). */
  constructor(readonly key: number) {}

  bind(store: ParameterStore): Promise<BoundParameterization> {
    const { gpu, pool, runs, layout } = store;
    const runStride = layout.perRun;
    return bindScored(store, async (scores) => {
      const sample = (expected: boolean) =>
        prepareSupermaskSample(gpu, pool, {
          n: layout.perRun,
          runs,
          scores,
          scoreOffset: 0,
          scoreRunStride: runStride,
          masks: store.mask,
          maskOffset: 0,
          maskRunStride: runStride,
          key: this.key,
          counterBase: 0,
          counterRunStride: runStride,
          stepStride: runs * runStride,
          counters: store.counters,
          expected,
        });
      return { step: [await sample(false)], evaluation: [await sample(true)] };
    }, true);
  }
}
