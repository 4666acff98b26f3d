/**
 * Edge-popup (Ramanujan et al. 2020): W * topk(|S|). Before every step and every evaluation each
 * layer keeps its `keep` fraction of weights with the largest |score| (kernels/topk_mask.wgsl,
 * exact, lower index first on ties); the scores train straight through the top-k,
 * dScore = dWeff * W * sign(score) (the sign because the top-k is of |score|).
 */
import type { Dispatch } from "../gpu/mod.ts";
import { keepCount, prepareTopkMask } from "../nn/topk_mask.ts";
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";
import { bindScored } from "./scored.ts";

/** Throws unless `keep` holds one fraction in [0, 1] per layer for each run (`name`: whose). */
export function checkKeptFractions(
  name: string,
  store: ParameterStore,
  keep: readonly (readonly number[])[],
): void {
  const layers = store.layout.layers.length;
  const bad = keep.length !== store.runs ||
    keep.some((k) => k.length !== layers || k.some((f) => !(f >= 0 && f <= 1)));
  if (bad) {
    throw new RangeError(
      `${name} needs one kept fraction in [0, 1] per layer (${layers}) for each of the ${store.runs} runs, got ${
        JSON.stringify(keep)
      }`,
    );
  }
}

/**
 * The dispatch writing store.mask as the top-k of |scores| per run and layer, run r's layer l
 * keeping keepCount(keep[r][l], its weights).
 */
export function prepareLayerTopk(
  store: ParameterStore,
  keep: readonly (readonly number[])[],
  scores: GPUBuffer,
): Promise<Dispatch> {
  const { layout } = store;
  return prepareTopkMask(store.gpu, store.pool, {
    runs: 1,
    // One segment per run and layer, so runs may keep different fractions.
    segments: keep.flatMap((fractions, r) =>
      layout.layers.map((layer, l) => ({
        scoreOffset: r * layout.perRun + layer.weightOffset,
        maskOffset: r * layout.perRun + layer.weightOffset,
        length: layer.inputs * layer.outputs,
        k: keepCount(fractions[l], layer.inputs * layer.outputs),
      }))
    ),
    scores,
    scoreRunStride: 0,
    masks: store.mask,
    maskRunStride: 0,
  });
}

export class EdgePopup implements Parameterization {
  readonly name = "edge-popup";
  readonly storedTensors = ["scores"];

  /** `keep[r][l]`: the fraction of layer l's weights run r keeps (runs may differ). */
  constructor(readonly keep: readonly (readonly number[])[]) {}

  bind(store: ParameterStore): Promise<BoundParameterization> {
    checkKeptFractions(this.name, store, this.keep);
    return bindScored(store, async (scores) => {
      const mask = await prepareLayerTopk(store, this.keep, scores);
      return { step: [mask], evaluation: [mask] };
    }, false);
  }
}
