/**
 * The masks of IMP's controls.at_init arms: each method scores the trial's initial weights and
 * keeps the ticket's counts (per layer, or the total ranked across layers):
 *   snip            |g * w0|, g the gradient of the mean loss on `examples` training examples
 *   grasp           -w0 * (H g) (lowest kept), the loss at GraSP's logit temperature
 *   synflow         data-free, `synflow_rounds` rounds of re-scoring |dR/dw * w| on the masked
 *                   network, kept counts shrinking exponentially to the target
 *   magnitude-init  |w0|
 * The scores are computed on the CPU in f64 (prune/mlp_f64.ts): one pass over a few hundred
 * examples at initialisation, exact (the Hessian-vector product by the R-operator).
 * SNIP's and GraSP's scores depend only on the trial, so they are computed once per trial.
 */
import { STREAMS } from "../base/streams.ts";
import type { NormalizeConfig } from "../config/types.ts";
import type { GpuDataset } from "../data/gpu_dataset.ts";
import { type ParamLayout, weightBlock } from "../model/layout.ts";
import {
  graspScores,
  masksFromScores,
  masksKeepingTotal,
  snipScores,
  synflowMasks,
  synflowScores,
} from "../prune/mod.ts";
import type { AtInitControls, AtInitMethod } from "./imp_controls.ts";

export class AtInitMasks {
  private readonly cached = new Map<string, Float64Array[]>();

  constructor(
    private readonly layout: ParamLayout,
    private readonly controls: AtInitControls,
    private readonly dataset: GpuDataset,
    private readonly seed: number,
    /** The inputs' per-channel normalisation (data.normalize); absent: x / 255. */
    private readonly normalize?: NormalizeConfig,
  ) {}

  /** The method's mask of the trial whose initial parameters are `init`, at `counts`. */
  masks(method: AtInitMethod, trial: number, init: Float32Array, counts: number[]): Float32Array[] {
    const scope = this.controls.counts;
    if (method === "synflow") {
      return scope === "per-layer"
        ? synflowMasks(this.layout, init, counts, this.controls.synflow_rounds)
        : this.globalSynflow(init, counts);
    }
    return masksFromScores(this.scores(method, trial, init), counts, scope);
  }

  private scores(method: Exclude<AtInitMethod, "synflow">, trial: number, init: Float32Array) {
    const key = `${method} ${trial}`;
    const found = this.cached.get(key);
    if (found) return found;
    const layout = this.layout;
    const ones = layout.layers.map((layer) =>
      new Float32Array(layer.inputs * layer.outputs).fill(1)
    );
    let scores: Float64Array[];
    if (method === "magnitude-init") {
      scores = layout.layers.map((_, l) =>
        Float64Array.from(weightBlock(layout, init, l), Math.abs)
      );
    } else {
      const batch = this.examples(trial);
      scores = method === "snip"
        ? snipScores(layout, init, ones, batch)
        : graspScores(layout, init, ones, batch, this.controls.grasp_temperature);
    }
    this.cached.set(key, scores);
    return scores;
  }

  /**
   * The first `examples` of a seeded permutation of the training split, as x / 255, normalised
   * per channel as the trainer does (never augmented).
   */
  private examples(trial: number) {
    const { train, features, host, shape } = this.dataset;
    const count = Math.min(this.controls.examples, train.length);
    const order = STREAMS.saliencyExamples.rng(this.seed, trial).permutation(train.length);
    const inputs = new Float64Array(count * features);
    const labels = new Uint8Array(count);
    const plane = shape.rows * shape.cols;
    const normalize = this.normalize;
    for (let b = 0; b < count; b++) {
      const example = train[order[b]];
      for (let i = 0; i < features; i++) {
        const x = host.pixels[example * features + i] / 255;
        const c = Math.floor(i / plane);
        inputs[b * features + i] = normalize ? (x - normalize.mean[c]) / normalize.std[c] : x;
      }
      labels[b] = host.labels[example];
    }
    return { inputs, labels };
  }

  /**
   * SynFlow as Tanaka et al. run it: the total kept count shrinks exponentially over the rounds,
   * N (K / N)^(j / rounds) after round j, every round keeping the top re-scored weights among
   * the ones still kept, ranked across layers.
   */
  private globalSynflow(init: Float32Array, counts: number[]): Float32Array[] {
    const layout = this.layout;
    const sizes = layout.layers.map((layer) => layer.inputs * layer.outputs);
    const total = sizes.reduce((a, b) => a + b, 0);
    const target = counts.reduce((a, b) => a + b, 0);
    const rounds = this.controls.synflow_rounds;
    let masks: Float32Array[] = sizes.map((n) => new Float32Array(n).fill(1));
    for (let j = 1; j <= rounds; j++) {
      const keep = j === rounds ? target : Math.round(total * (target / total) ** (j / rounds));
      const scores = synflowScores(layout, init, masks).map((s, l) =>
        s.map((value, i) => (masks[l][i] === 0 ? -Infinity : value))
      );
      const kept = masks.reduce((n, m) => n + m.reduce((a, b) => a + b, 0), 0);
      masks = masksKeepingTotal(scores, Math.min(keep, kept));
    }
    return masks;
  }
}
