/**
 * S independent MLP runs (trials, control arms) trained side by side on the GPU: every kernel
 * takes the run as its z dimension, so S runs cost one set of dispatches. A training step is a
 * fixed list of prepared dispatches; the batch indices for K steps are uploaded once per chunk
 * and the step counter lives on the GPU, so K steps and the evaluation after them are one submit.
 * Evaluation metrics (loss sum, correct count) accumulate into a history buffer on the GPU that
 * the caller reads back rarely.
 */
import type { GpuDataset } from "../data/gpu_dataset.ts";
import { BufferPool, type Dispatch, type Gpu, readF32, Recorder } from "../gpu/mod.ts";
import { prepareAccumulateMetrics } from "../nn/accumulate_metrics.ts";
import { adamCorrections, type AdamHyper, prepareAdam } from "../nn/adam.ts";
import { COUNTER_WORDS, prepareAdvanceStep } from "../nn/advance_step.ts";
import { prepareBiasGrad } from "../nn/bias_grad.ts";
import {
  denseForwardSpec,
  denseInputGradSpec,
  type DenseLayerBuffers,
  denseWeightGradSpec,
} from "../model/dense.ts";
import { prepareGatherBatch } from "../nn/gather_batch.ts";
import { mlpLayout, type ParamLayout } from "../model/layout.ts";
import { prepareMatmul } from "../nn/matmul.ts";
import { prepareRecordMetrics } from "../nn/record_metrics.ts";
import { prepareReluBackward } from "../nn/relu_backward.ts";
import { prepareSgd, type SgdHyper } from "../nn/sgd.ts";
import { prepareScoreGrad } from "../nn/score_grad.ts";
import { prepareSoftmaxXent } from "../nn/softmax_xent.ts";
import { prepareSupermaskSample } from "../nn/supermask_sample.ts";
import { keepCount, prepareTopkMask } from "../nn/topk_mask.ts";

export type OptimizerSpec = ({ kind: "adam" } & AdamHyper) | ({ kind: "sgd" } & SgdHyper);

export interface MlpTrainerOptions {
  widths: number[];
  runs: number;
  batch: number;
  /** Most optimizer steps between resets (sizes Adam's bias-correction table). */
  maxSteps: number;
  /** Most training steps recorded into one submit. */
  chunkSteps: number;
  optimizer: OptimizerSpec;
  dataset: GpuDataset;
  /** Evaluation sets, evaluated in this order after a chunk; each fills one history slot. */
  evalSets: { name: string; indices: Uint32Array }[];
  evalBatch: number;
  /** History capacity in evaluations (each evaluation fills evalSets.length slots). */
  maxEvaluations: number;
  /**
   * Multiply weights by the mask inside the products (forward, input gradient) and the weight
   * gradient by the mask. Not needed when pruned weights are held at exactly 0 (IMP: rewinding
   * applies the mask and the optimizer, which multiplies update and moments by the mask, keeps
   * them 0); skipping it saves a masked epilogue that costs about a third of the largest matmul.
   */
  maskInProducts: boolean;
  /** Input normalisation (byte / 255 - mean) / std. */
  inputMean?: number;
  inputStd?: number;
  /**
   * Edge-popup (Ramanujan et al.): the weights stay frozen; one score per weight is trained
   * instead. Every step (and every evaluation) first keeps, per layer, the `keep[l]` fraction of
   * weights with the largest |score| (kernels/topk_mask.wgsl), trains through W*M, and passes the
   * unmasked effective-weight gradient straight through the top-k of |score| to the scores:
   * dScore = dWeff * W * sign(score)
   * (kernels/score_grad.wgsl). The optimizer updates scores only. Requires maskInProducts.
   * `keep` is one fraction per layer for every run, or one list per run.
   */
  edgePopup?: { keep: number[] | number[][] };
  /**
   * Learned Bernoulli supermask (Zhou et al.): weights frozen, one score per weight; every step
   * samples m ~ Bernoulli(sigmoid(score)) (kernels/supermask_sample.wgsl, counter-based stream
   * `key`, counter = step * runs * perRun + run * perRun + i, wrapping at 2^32), trains through
   * W*M and passes the gradient straight through the sample: dScore = dWeff * W * sigmoid'(score).
   * Evaluation uses the most probable mask, m = [score > 0]. Requires maskInProducts.
   */
  supermask?: { key: number };
}

interface Activations {
  batch: number;
  /** acts[0] is the gathered input, acts[L] the logits. */
  acts: GPUBuffer[];
  labels: GPUBuffer;
  rows: GPUBuffer;
  logitGrads: GPUBuffer;
}

export class MlpTrainer {
  readonly layout: ParamLayout;
  private readonly pool: BufferPool;
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly mask: GPUBuffer;
  private readonly moments: GPUBuffer[];
  private readonly counters: GPUBuffer;
  private readonly trainIndices: GPUBuffer;
  private readonly totals: GPUBuffer;
  private readonly history: GPUBuffer;
  /** Edge-popup: scores, their gradient, and the optimizer's mask (1 on weights, 0 on biases). */
  private readonly scores: GPUBuffer | null;
  private readonly scoreGrads: GPUBuffer | null;
  private readonly scoreMask: GPUBuffer | null;
  /** Edge-popup: the kept fraction of every layer of every run. */
  private keepPerRun: number[][] = [];
  private stepDispatches: Dispatch[] = [];
  private evalDispatches: Dispatch[] = [];
  private evaluationsRecorded = 0;
  private optimizerSteps = 0;

  private constructor(readonly gpu: Gpu, readonly options: MlpTrainerOptions) {
    this.layout = mlpLayout(options.widths);
    this.pool = new BufferPool(gpu.device);
    const { runs } = options;
    const floats = runs * this.layout.perRun;
    this.params = this.pool.storage("params", floats * 4);
    this.grads = this.pool.storage("grads", floats * 4);
    this.mask = this.pool.storage("mask", floats * 4);
    const momentCount = options.optimizer.kind === "adam" ? 2 : 1;
    this.moments = Array.from(
      { length: momentCount },
      (_, i) => this.pool.storage(`moment ${i}`, floats * 4),
    );
    this.counters = this.pool.storage("counters", COUNTER_WORDS * 4);
    this.trainIndices = this.pool.storage(
      "train indices",
      runs * options.chunkSteps * options.batch * 4,
    );
    this.totals = this.pool.storage("metric totals", runs * 2 * 4);
    this.history = this.pool.storage(
      "metric history",
      options.maxEvaluations * options.evalSets.length * runs * 2 * 4,
    );
    if (options.edgePopup && options.supermask) {
      throw new RangeError("choose edge-popup or a Bernoulli supermask, not both");
    }
    if (options.edgePopup) this.keepPerRun = this.checkKeep(options.edgePopup.keep);
    if (options.edgePopup || options.supermask) {
      if (!options.maskInProducts) {
        throw new RangeError("scores train through W*M: set maskInProducts");
      }
      const weightsOnly = new Float32Array(floats);
      for (let r = 0; r < runs; r++) {
        for (const layer of this.layout.layers) {
          const start = r * this.layout.perRun + layer.weightOffset;
          weightsOnly.fill(1, start, start + layer.inputs * layer.outputs);
        }
      }
      this.scores = this.pool.storage("scores", floats * 4);
      this.scoreGrads = this.pool.storage("score grads", floats * 4);
      this.scoreMask = this.pool.upload("score mask", weightsOnly);
    } else {
      this.scores = this.scoreGrads = this.scoreMask = null;
    }
  }

  private checkKeep(keep: number[] | number[][]): number[][] {
    const layers = this.layout.layers.length;
    const perRun = typeof keep[0] === "number"
      ? Array.from({ length: this.options.runs }, () => keep as number[])
      : keep as number[][];
    const bad = perRun.length !== this.options.runs ||
      perRun.some((k) => k.length !== layers || k.some((f) => !(f >= 0 && f <= 1)));
    if (bad) {
      throw new RangeError(
        `edge-popup needs one kept fraction in [0, 1] per layer (${layers}), for every run or per run (${this.options.runs}), got ${
          JSON.stringify(keep)
        }`,
      );
    }
    return perRun;
  }

  static async create(gpu: Gpu, options: MlpTrainerOptions): Promise<MlpTrainer> {
    const trainer = new MlpTrainer(gpu, options);
    await trainer.prepare();
    return trainer;
  }

  get runs(): number {
    return this.options.runs;
  }

  private activations(batch: number, label: string): Activations {
    const { runs, widths } = this.options;
    return {
      batch,
      acts: widths.map((w, l) => this.pool.storage(`${label} act ${l}`, runs * batch * w * 4)),
      labels: this.pool.storage(`${label} labels`, runs * batch * 4),
      rows: this.pool.storage(`${label} rows`, runs * batch * 2 * 4),
      logitGrads: this.pool.storage(
        `${label} logit grads`,
        runs * batch * widths[widths.length - 1] * 4,
      ),
    };
  }

  private layerBuffers(l: number, batch: number): DenseLayerBuffers {
    const layer = this.layout.layers[l];
    return {
      inputs: layer.inputs,
      outputs: layer.outputs,
      batch,
      runs: this.options.runs,
      params: this.params,
      paramsPerRun: this.layout.perRun,
      weightOffset: layer.weightOffset,
      biasOffset: layer.biasOffset,
    };
  }

  /** Forward pass and loss of `batch` rows already gathered into a.acts[0] / a.labels. */
  private async forwardAndLoss(a: Activations, batch: number): Promise<Dispatch[]> {
    const { gpu, pool, options } = this;
    const L = this.layout.layers.length;
    const mask = options.maskInProducts ? this.mask : undefined;
    const dispatches: Dispatch[] = [];
    for (let l = 0; l < L; l++) {
      const width = options.widths[l];
      dispatches.push(
        await prepareMatmul(
          gpu,
          pool,
          denseForwardSpec(
            this.layerBuffers(l, batch),
            { buffer: a.acts[l], runStride: batch * width },
            a.acts[l + 1],
            { relu: l < L - 1, mask },
          ),
        ),
      );
    }
    dispatches.push(
      await prepareSoftmaxXent(gpu, pool, {
        batch,
        classes: options.widths[L],
        runs: options.runs,
        scale: 1 / batch,
        logits: a.acts[L],
        labels: a.labels,
        logitGrads: a.logitGrads,
        rows: a.rows,
      }),
    );
    return dispatches;
  }

  /**
   * The masks from the scores: edge-popup's exact top-k per layer (one segment per run and layer,
   * so runs may keep different fractions), or a Bernoulli supermask's sample (training) or most
   * probable mask (evaluation).
   */
  private async scoreMasks(purpose: "train" | "evaluate"): Promise<Dispatch[]> {
    const { options, layout, scores } = this;
    if (!scores) return [];
    if (options.supermask) {
      const runStride = layout.perRun;
      return [
        await prepareSupermaskSample(this.gpu, this.pool, {
          n: layout.perRun,
          runs: options.runs,
          scores,
          scoreOffset: 0,
          scoreRunStride: runStride,
          masks: this.mask,
          maskOffset: 0,
          maskRunStride: runStride,
          key: options.supermask.key,
          counterBase: 0,
          counterRunStride: runStride,
          stepStride: options.runs * runStride,
          counters: this.counters,
          expected: purpose === "evaluate",
        }),
      ];
    }
    return [
      await prepareTopkMask(this.gpu, this.pool, {
        runs: 1,
        segments: this.keepPerRun.flatMap((keep, r) =>
          layout.layers.map((layer, l) => ({
            scoreOffset: r * layout.perRun + layer.weightOffset,
            maskOffset: r * layout.perRun + layer.weightOffset,
            length: layer.inputs * layer.outputs,
            k: keepCount(keep[l], layer.inputs * layer.outputs),
          }))
        ),
        scores,
        scoreRunStride: 0,
        masks: this.mask,
        maskRunStride: 0,
      }),
    ];
  }

  private async prepare(): Promise<void> {
    const { gpu, pool, options } = this;
    const { runs, batch, dataset } = options;
    const L = this.layout.layers.length;
    const mean = options.inputMean ?? 0;
    const std = options.inputStd ?? 1;
    const train = this.activations(batch, "train");
    // Gradients of the hidden activations, one buffer per hidden layer.
    const hiddenGrads = options.widths.map((w, l) =>
      l > 0 && l < L ? pool.storage(`hidden grad ${l}`, runs * batch * w * 4) : null
    );
    const step: Dispatch[] = [
      ...await this.scoreMasks("train"),
      await prepareGatherBatch(gpu, pool, {
        features: dataset.features,
        batch,
        runs,
        steps: options.chunkSteps,
        fromCounter: true,
        mean,
        std,
        pixels: dataset.pixels,
        labels: dataset.labels,
        indices: this.trainIndices,
        counters: this.counters,
        inputs: train.acts[0],
        inputOffset: 0,
        batchLabels: train.labels,
      }),
      ...await this.forwardAndLoss(train, batch),
    ];
    for (let l = L - 1; l >= 0; l--) {
      const layerBuffers = this.layerBuffers(l, batch);
      const outputGrad = l === L - 1 ? train.logitGrads : hiddenGrads[l + 1]!;
      const input = { buffer: train.acts[l], runStride: batch * options.widths[l] };
      step.push(
        await prepareMatmul(
          gpu,
          pool,
          denseWeightGradSpec(
            layerBuffers,
            outputGrad,
            input,
            this.grads,
            // Scores need the unmasked gradient of the effective weight.
            options.maskInProducts && !this.scores ? this.mask : undefined,
          ),
        ),
      );
      step.push(
        await prepareBiasGrad(gpu, pool, {
          batch,
          outputs: layerBuffers.outputs,
          runs,
          outputGrads: outputGrad,
          grads: this.grads,
          offset: layerBuffers.biasOffset,
          runStride: this.layout.perRun,
        }),
      );
      if (l > 0) {
        const inputGrad = hiddenGrads[l]!;
        const mask = options.maskInProducts ? this.mask : undefined;
        step.push(
          await prepareMatmul(
            gpu,
            pool,
            denseInputGradSpec(layerBuffers, outputGrad, inputGrad, mask),
          ),
        );
        step.push(
          await prepareReluBackward(gpu, pool, {
            n: runs * batch * options.widths[l],
            activations: train.acts[l],
            grads: inputGrad,
          }),
        );
      }
    }
    const n = runs * this.layout.perRun;
    const optimizer = options.optimizer;
    // Edge-popup: scores are the trained parameters, weights stay as they are.
    const trained = this.scores ?? this.params;
    const trainedGrads = this.scoreGrads ?? this.grads;
    const trainedMask = this.scoreMask ?? this.mask;
    if (this.scores && this.scoreGrads) {
      step.push(
        await prepareScoreGrad(gpu, pool, {
          n: this.layout.perRun,
          runs,
          grads: this.grads,
          gradOffset: 0,
          gradRunStride: this.layout.perRun,
          weights: this.params,
          scores: this.scores,
          weightOffset: 0,
          weightRunStride: this.layout.perRun,
          scoreGrads: this.scoreGrads,
          outputOffset: 0,
          outputRunStride: this.layout.perRun,
          sigmoid: options.supermask !== undefined,
        }),
      );
    }
    step.push(
      optimizer.kind === "adam"
        ? await prepareAdam(gpu, pool, {
          ...optimizer,
          n,
          grads: trainedGrads,
          mask: trainedMask,
          counters: this.counters,
          corrections: pool.upload(
            "adam corrections",
            adamCorrections(optimizer, options.maxSteps),
          ),
          weights: trained,
          firstMoment: this.moments[0],
          secondMoment: this.moments[1],
        })
        : await prepareSgd(gpu, pool, {
          ...optimizer,
          n,
          grads: trainedGrads,
          mask: trainedMask,
          weights: trained,
          velocity: this.moments[0],
        }),
    );
    step.push(await prepareAdvanceStep(gpu, pool, this.counters));
    this.stepDispatches = step;

    const evaluation = this.activations(options.evalBatch, "eval");
    this.evalDispatches.push(...await this.scoreMasks("evaluate"));
    const slots = options.maxEvaluations * options.evalSets.length;
    for (const set of options.evalSets) {
      for (let start = 0; start < set.indices.length; start += options.evalBatch) {
        const rows = set.indices.subarray(
          start,
          Math.min(start + options.evalBatch, set.indices.length),
        );
        const perRun = new Uint32Array(runs * rows.length);
        for (let r = 0; r < runs; r++) perRun.set(rows, r * rows.length);
        this.evalDispatches.push(
          await prepareGatherBatch(gpu, pool, {
            features: dataset.features,
            batch: rows.length,
            runs,
            steps: 1,
            fromCounter: false,
            mean,
            std,
            pixels: dataset.pixels,
            labels: dataset.labels,
            indices: pool.upload(`${set.name} indices ${start}`, perRun),
            counters: this.counters,
            inputs: evaluation.acts[0],
            inputOffset: 0,
            batchLabels: evaluation.labels,
          }),
          ...await this.forwardAndLoss(evaluation, rows.length),
          await prepareAccumulateMetrics(gpu, pool, {
            batch: rows.length,
            runs,
            rows: evaluation.rows,
            totals: this.totals,
          }),
        );
      }
      this.evalDispatches.push(
        await prepareRecordMetrics(gpu, pool, {
          runs,
          slots,
          totals: this.totals,
          counters: this.counters,
          history: this.history,
        }),
      );
    }
  }

  /**
   * Sets every run's parameters and masks (flat [runs * perRun]), and resets the optimizer state,
   * the step counter and the evaluation history.
   */
  reset(params: Float32Array, masks: Float32Array, scores?: Float32Array): void {
    const expected = this.options.runs * this.layout.perRun;
    if (params.length !== expected || masks.length !== expected) {
      throw new RangeError(
        `reset needs ${expected} parameters and mask entries, got ${params.length} and ${masks.length}`,
      );
    }
    for (let i = 0; i < expected; i++) {
      if (masks[i] !== 0 && masks[i] !== 1) {
        throw new RangeError(`mask entry ${i} is ${masks[i]}, not 0 or 1`);
      }
    }
    if (this.scores) {
      if (!scores || scores.length !== expected) {
        throw new RangeError(
          `a trainer with scores needs ${expected} scores at reset, got ${scores?.length ?? 0}`,
        );
      }
      this.pool.write(this.scores, scores);
    }
    this.pool.write(this.params, params);
    this.pool.write(this.mask, masks);
    const zeros = new Float32Array(expected);
    for (const moment of this.moments) this.pool.write(moment, zeros);
    this.pool.write(this.totals, new Float32Array(this.options.runs * 2));
    this.pool.write(this.counters, new Uint32Array(COUNTER_WORDS));
    this.evaluationsRecorded = 0;
    this.optimizerSteps = 0;
  }

  /**
   * Records `steps` training steps (batch indices [runs, steps, batch], each run's order in its
   * own slice) and, if `evaluate`, one evaluation after them; one submit, no wait.
   */
  train(indices: Uint32Array, steps: number, evaluate: boolean): void {
    const { runs, batch, chunkSteps } = this.options;
    if (steps < 1 || steps > chunkSteps) {
      throw new RangeError(`steps per chunk must be in [1, ${chunkSteps}], got ${steps}`);
    }
    if (indices.length !== runs * chunkSteps * batch) {
      throw new RangeError(
        `expected ${runs * chunkSteps * batch} batch indices, got ${indices.length}`,
      );
    }
    if (evaluate && this.evaluationsRecorded >= this.options.maxEvaluations) {
      throw new RangeError(
        `evaluation history is full (${this.options.maxEvaluations} evaluations)`,
      );
    }
    this.pool.write(this.trainIndices, indices);
    this.pool.write(this.counters, new Uint32Array([0]));
    const recorder = new Recorder(this.gpu.device, "train chunk");
    for (let s = 0; s < steps; s++) recorder.record(this.stepDispatches);
    if (evaluate) {
      recorder.record(this.evalDispatches);
      this.evaluationsRecorded++;
    }
    recorder.submit();
    this.optimizerSteps += steps;
  }

  /** Records one evaluation without training. */
  evaluate(): void {
    if (this.evaluationsRecorded >= this.options.maxEvaluations) {
      throw new RangeError(
        `evaluation history is full (${this.options.maxEvaluations} evaluations)`,
      );
    }
    const recorder = new Recorder(this.gpu.device, "evaluate");
    recorder.record(this.evalDispatches);
    recorder.submit();
    this.evaluationsRecorded++;
  }

  get evaluations(): number {
    return this.evaluationsRecorded;
  }

  get steps(): number {
    return this.optimizerSteps;
  }

  /**
   * Evaluation results so far: result[e][set][run] = {loss (mean), accuracy}. One GPU wait.
   */
  async readHistory(): Promise<{ loss: number; accuracy: number }[][][]> {
    const { runs, evalSets } = this.options;
    const count = this.evaluationsRecorded;
    if (count === 0) return [];
    const raw = await readF32(this.gpu.device, this.history, 0, count * evalSets.length * runs * 2);
    this.gpu.throwIfFailed();
    const out: { loss: number; accuracy: number }[][][] = [];
    for (let e = 0; e < count; e++) {
      out.push(evalSets.map((set, s) =>
        Array.from({ length: runs }, (_, r) => {
          const at = ((e * evalSets.length + s) * runs + r) * 2;
          return { loss: raw[at] / set.indices.length, accuracy: raw[at + 1] / set.indices.length };
        })
      ));
    }
    return out;
  }

  /** All runs' parameters, flat [runs * perRun]. One GPU wait. */
  async readParams(): Promise<Float32Array> {
    const params = await readF32(this.gpu.device, this.params);
    this.gpu.throwIfFailed();
    return params.subarray(0, this.options.runs * this.layout.perRun);
  }

  async readBuffer(
    which: "grads" | "mask" | "moment0" | "moment1" | "scores",
  ): Promise<Float32Array> {
    if (which === "scores" && !this.scores) {
      throw new RangeError("no scores: not in edge-popup or supermask mode");
    }
    const buffer = which === "scores"
      ? this.scores!
      : which === "grads"
      ? this.grads
      : which === "mask"
      ? this.mask
      : this.moments[which === "moment0" ? 0 : 1];
    return (await readF32(this.gpu.device, buffer)).subarray(
      0,
      this.options.runs * this.layout.perRun,
    );
  }

  destroy(): void {
    this.pool.destroy();
  }
}
