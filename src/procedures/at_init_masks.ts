/**
 * The masks of IMP's controls.at_init arms: each method scores the trial's initial weights and
 * keeps the ticket's counts (per layer, or the total ranked across layers):
 *   snip            |g * w0|, g the gradient of the mean loss on `examples` training examples
 *   grasp           -w0 * (H g) (lowest kept), the loss at GraSP's logit temperature
 *   synflow         data-free, `synflow_rounds` rounds of re-scoring |dR/dw * w| on the masked
 *                   network, kept counts shrinking exponentially to the target
 *   magnitude-init  |w0|
 * The scores are computed on the CPU in f64 at initialisation (running statistics at their
 * initial values): for a plain MLP (dense layers and ReLUs) by prune/mlp_f64.ts, exact (the
 * Hessian-vector product by the R-operator); for any other model by prune/model_saliency.ts
 * through the model's f64 pass, GraSP on the examples' two halves as Wang et al.'s code does it
 * (for an MLP the same scores times 4). SNIP's and GraSP's scores depend only on the trial, so
 * they are computed once per trial.
 */
import { STREAMS } from "../base/streams.ts";
import type { NormalizeConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";
import { initialNetwork, type Model, weightBlock } from "../model/mod.ts";
import {
  graspScores,
  halves,
  masksFromScores,
  mlpSynflow,
  modelGraspScores,
  modelSnipScores,
  modelSynflowScores,
  saliencyBatch,
  snipScores,
  synflowMasks,
  synflowMasksKeepingTotal,
  type SynflowScorer,
} from "../prune/mod.ts";
import type { AtInitControls, AtInitMethod } from "./imp_controls.ts";

export class AtInitMasks {
  private readonly cached = new Map<string, Float64Array[]>();

  /** Dense layers and ReLUs only: the exact MLP code applies. */
  private readonly plainMlp: boolean;

  constructor(
    private readonly model: Model,
    private readonly controls: AtInitControls,
    private readonly dataset: GpuDataset,
    private readonly seed: number,
    /** The inputs' per-channel normalisation (data.normalize); absent: x / 255. */
    private readonly normalize?: NormalizeConfig,
  ) {
    this.plainMlp = model.layers.every((layer) => layer.kind === "dense" || layer.kind === "relu");
  }

  /** The method's mask of the trial whose initial parameters are `init`, at `counts`. */
  masks(method: AtInitMethod, trial: number, init: Float32Array, counts: number[]): Float32Array[] {
    const scope = this.controls.counts;
    if (method === "synflow") {
      const { layout } = this.model;
      const score: SynflowScorer = this.plainMlp
        ? mlpSynflow(layout, init)
        : (masks) => modelSynflowScores(this.model, initialNetwork(layout, init), masks);
      const sizes = layout.layers.map((layer) => layer.inputs * layer.outputs);
      const rounds = this.controls.synflow_rounds;
      return scope === "per-layer"
        ? synflowMasks(score, sizes, counts, rounds)
        : synflowMasksKeepingTotal(score, sizes, counts.reduce((a, b) => a + b, 0), rounds);
    }
    return masksFromScores(this.scores(method, trial, init), counts, scope);
  }

  private scores(method: Exclude<AtInitMethod, "synflow">, trial: number, init: Float32Array) {
    const key = `${method} ${trial}`;
    const found = this.cached.get(key);
    if (found) return found;
    const { layout } = this.model;
    const ones = layout.layers.map((layer) =>
      new Float32Array(layer.inputs * layer.outputs).fill(1)
    );
    const temperature = this.controls.grasp_temperature;
    let scores: Float64Array[];
    if (method === "magnitude-init") {
      scores = layout.layers.map((_, l) =>
        Float64Array.from(weightBlock(layout, init, l), Math.abs)
      );
    } else if (this.plainMlp) {
      const batch = this.examples(trial);
      scores = method === "snip"
        ? snipScores(layout, init, ones, batch)
        : graspScores(layout, init, ones, batch, temperature);
    } else {
      const batch = this.examples(trial);
      const network = initialNetwork(layout, init);
      scores = method === "snip"
        ? modelSnipScores(this.model, network, batch)
        : modelGraspScores(this.model, network, halves(batch, this.model.inputs), temperature);
    }
    this.cached.set(key, scores);
    return scores;
  }

  /** The first `examples` of a seeded permutation of the training split (never augmented). */
  private examples(trial: number) {
    const { train } = this.dataset;
    const count = Math.min(this.controls.examples, train.length);
    const order = STREAMS.saliencyExamples.rng(this.seed, trial).permutation(train.length);
    const chosen = Uint32Array.from(order.subarray(0, count), (k) => train[k]);
    return saliencyBatch(this.dataset, chosen, this.normalize);
  }
}
