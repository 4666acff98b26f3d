/**
 * Edge-popup (Ramanujan et al. 2020): W * topk(|S|). Before every step and every evaluation each
 * layer keeps its `keep` fraction of weights with the largest |score| (kernels/topk_mask.wgsl,
 * exact, lower index first on ties); the scores train straight through the top-k,
 * dScore = dWeff * W * sign(score) (the sign because the top-k is of |score|).
 */
import { keepCount, prepareTopkMask } from "../nn/topk_mask.ts";
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";
import { bindScored } from "./scored.ts";

export class EdgePopup implements Parameterization {
  readonly name = "edge-popup";
  readonly storedTensors = ["scores"];

  /** `keep[r][l]`: the fraction of layer l's weights run r keeps (runs may differ). */
  constructor(readonly keep: readonly (readonly number[])[]) {}

  private checkKeep(store: ParameterStore): void {
    const layers = store.layout.layers.length;
    const bad = this.keep.length !== store.runs ||
      this.keep.some((k) => k.length !== layers || k.some((f) => !(f >= 0 && f <= 1)));
    if (bad) {
      throw new RangeError(
        `edge-popup needs one kept fraction in [0, 1] per layer (${layers}) for each of the ${store.runs} runs, got ${
          JSON.stringify(this.keep)
        }`,
      );
    }
  }

  bind(store: ParameterStore): Promise<BoundParameterization> {
    this.checkKeep(store);
    const { layout } = store;
    return bindScored(store, async (scores) => {
      const topk = await prepareTopkMask(store.gpu, store.pool, {
        runs: 1,
        // One segment per run and layer, so runs may keep different fractions.
        segments: this.keep.flatMap((keep, r) =>
          layout.layers.map((layer, l) => ({
            scoreOffset: r * layout.perRun + layer.weightOffset,
            maskOffset: r * layout.perRun + layer.weightOffset,
            length: layer.inputs * layer.outputs,
            k: keepCount(keep[l], layer.inputs * layer.outputs),
          }))
        ),
        scores,
        scoreRunStride: 0,
        masks: store.mask,
        maskRunStride: 0,
      });
      return { step: [topk], evaluation: [topk] };
    }, false);
  }
}
