/**
 * S independent runs of one model (trials, control arms) trained side by side on the GPU: every
 * kernel takes the run as its z dimension, so S runs cost one set of dispatches. A training step
 * is a fixed list of prepared dispatches: the parameterization forms the mask, the batch is
 * gathered, each layer of the model runs forward, the loss, each layer backward in reverse, the
 * parameterization routes the gradient to the trained tensor, the optimizer steps. The batch
 * indices for K steps are uploaded once per chunk and the step counter lives on the GPU, so K
 * steps and the evaluation after them are one submit. Evaluation metrics (loss sum, correct
 * count) accumulate into a history buffer on the GPU that the caller reads back rarely.
 */
import type { GpuDataset } from "../data/gpu_dataset.ts";
import { BufferPool, type Dispatch, type Gpu, readF32, Recorder } from "../gpu/mod.ts";
import type {
  BoundParameterization,
  LayerContext,
  Model,
  Parameterization,
  ParamLayout,
} from "../model/mod.ts";
import { initialState } from "../model/mod.ts";
import { prepareAccumulateMetrics } from "../nn/accumulate_metrics.ts";
import { adamCorrections, type AdamHyper, prepareAdam } from "../nn/adam.ts";
import { COUNTER_WORDS, prepareAdvanceStep } from "../nn/advance_step.ts";
import { type GatherAugmentation, prepareGatherBatch } from "../nn/gather_batch.ts";
import { prepareRecordMetrics } from "../nn/record_metrics.ts";
import { prepareSgd, type SgdHyper } from "../nn/sgd.ts";
import { prepareSoftmaxXent } from "../nn/softmax_xent.ts";
import { prepareSquareLoss } from "../nn/square_loss.ts";
import type { TrainingLoss } from "../config/types.ts";
import { constantSchedule, learningRateTable, type LrSchedule } from "./lr_schedule.ts";
import { weightDecayMask, type WeightDecayScope } from "./weight_decay.ts";

export type OptimizerSpec =
  & (({ kind: "adam" } & AdamHyper) | ({ kind: "sgd" } & SgdHyper))
  & {
    /** The learning rate per step (default: constant over maxSteps). */
    schedule?: LrSchedule;
    /** Which entries weight decay applies to (default: all). */
    weightDecayAppliesTo?: WeightDecayScope;
  };

export interface TrainerOptions {
  model: Model;
  /** How the effective weights are formed and what is trained (model/parameterization.ts). */
  parameterization: Parameterization;
  runs: number;
  batch: number;
  /** Most optimizer steps between resets (sizes the learning-rate and Adam's correction tables). */
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
   * Input normalisation (byte / 255 - mean[c]) / std[c] for channel c of the data set, or one
   * number for every channel; absent: mean 0, std 1.
   */
  inputMean?: number | readonly number[];
  inputStd?: number | readonly number[];
  /** Augmentation of the training batches (not of evaluation); absent: none. */
  augmentation?: Augmentation;
  /** The loss trained and evaluated: softmax cross-entropy (default) or square loss on one-hot targets. */
  loss?: TrainingLoss;
}

/**
 * torchvision's RandomCrop(size, padding) and RandomHorizontalFlip() of every training example,
 * drawn on the GPU from each run's stream key, the global step and the example's slot in the
 * batch (kernels/gather_batch.wgsl), so no draw is uploaded per step.
 */
export interface Augmentation {
  /** Zero padding on every side before the random crop back to the image size; 0: no crop. */
  padding: number;
  /** Mirror left-right with probability 1/2. */
  flip: boolean;
  /** The stream key (STREAMS.augmentation) of every run, or one per run (runs of other trials). */
  key: number | readonly number[];
}

/** The buffers of one pass at one batch size. */
interface Activations {
  batch: number;
  /** Training activations (batch norms use batch statistics) or evaluation ones. */
  training: boolean;
  /** outputs[0] is the gathered input; outputs[i + 1] is layer i's output (shared when fused). */
  outputs: GPUBuffer[];
  /** gradients[i + 1]: gradient w.r.t. layer i's output (the last is the logits' gradient). */
  gradients: (GPUBuffer | null)[];
  labels: GPUBuffer;
  rows: GPUBuffer;
}

export class Trainer {
  readonly layout: ParamLayout;
  private readonly pool: BufferPool;
  private readonly params: GPUBuffer;
  /** Running statistics of the batch norms, [runs, statePerRun] (at least one vec4). */
  private readonly state: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly mask: GPUBuffer;
  private readonly moments: GPUBuffer[];
  private readonly counters: GPUBuffer;
  private readonly trainIndices: GPUBuffer;
  private readonly totals: GPUBuffer;
  private readonly history: GPUBuffer;
  private bound: BoundParameterization | null = null;
  private stepDispatches: Dispatch[] = [];
  private evalDispatches: Dispatch[] = [];
  private evaluationsRecorded = 0;
  private optimizerSteps = 0;

  private constructor(readonly gpu: Gpu, readonly options: TrainerOptions) {
    this.layout = options.model.layout;
    this.pool = new BufferPool(gpu.device);
    const { runs } = options;
    const floats = runs * this.layout.perRun;
    this.params = this.pool.storage("params", floats * 4);
    this.state = this.pool.storage("state", Math.max(4, runs * this.layout.statePerRun) * 4);
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
  }

  static async create(gpu: Gpu, options: TrainerOptions): Promise<Trainer> {
    const trainer = new Trainer(gpu, options);
    await trainer.prepare();
    return trainer;
  }

  get runs(): number {
    return this.options.runs;
  }

  private get parameterization(): BoundParameterization {
    if (!this.bound) throw new Error("trainer used before prepare()");
    return this.bound;
  }

  private layerContext(): LayerContext {
    return {
      gpu: this.gpu,
      pool: this.pool,
      runs: this.options.runs,
      perRun: this.layout.perRun,
      operands: this.parameterization.operands,
      grads: this.grads,
      state: this.state,
      statePerRun: this.layout.statePerRun,
    };
  }

  /**
   * Output buffers per layer (a layer fused into the one before shares its output), and, for
   * training, gradient buffers (an in-place layer's input gradient is its output gradient).
   */
  private activations(batch: number, label: string, withGradients: boolean): Activations {
    const { runs, model } = this.options;
    const { layers } = model;
    const size = (features: number) => runs * batch * features * 4;
    const outputs = [this.pool.storage(`${label} input`, size(model.inputs))];
    layers.forEach((layer, i) => {
      const fused = i > 0 && layers[i - 1].fuses(layer);
      outputs.push(
        fused ? outputs[i] : this.pool.storage(`${label} output ${i}`, size(layer.outputs)),
      );
    });
    const gradients: (GPUBuffer | null)[] = new Array(layers.length + 1).fill(null);
    // The loss writes the logits' gradient in evaluation too (unused there).
    gradients[layers.length] = this.pool.storage(`${label} logit grads`, size(model.outputs));
    if (withGradients) {
      for (let i = layers.length - 1; i >= 0; i--) {
        gradients[i + 1] ??= this.pool.storage(`${label} grad ${i}`, size(layers[i].outputs));
        if (i > 0) gradients[i] = layers[i].inPlaceBackward ? gradients[i + 1] : null;
      }
    }
    return {
      batch,
      training: withGradients,
      outputs,
      gradients,
      labels: this.pool.storage(`${label} labels`, runs * batch * 4),
      rows: this.pool.storage(`${label} rows`, runs * batch * 2 * 4),
    };
  }

  /** Forward pass and loss of `batch` rows already gathered into a.outputs[0] / a.labels. */
  private async forwardAndLoss(a: Activations, batch: number): Promise<Dispatch[]> {
    const { layers } = this.options.model;
    const context = this.layerContext();
    const dispatches: Dispatch[] = [];
    for (let i = 0; i < layers.length; i++) {
      if (i > 0 && layers[i - 1].fuses(layers[i])) continue;
      const next = layers[i + 1];
      const epilogue = next && layers[i].fuses(next) ? next : null;
      dispatches.push(
        ...await layers[i].forward(
          context,
          { batch, training: a.training, x: a.outputs[i], y: a.outputs[i + 1] },
          epilogue,
        ),
      );
    }
    const prepareLoss = this.options.loss === "square" ? prepareSquareLoss : prepareSoftmaxXent;
    dispatches.push(
      await prepareLoss(this.gpu, this.pool, {
        batch,
        classes: this.options.model.outputs,
        runs: this.options.runs,
        scale: 1 / batch,
        logits: a.outputs[layers.length],
        labels: a.labels,
        logitGrads: a.gradients[layers.length]!,
        rows: a.rows,
      }),
    );
    return dispatches;
  }

  /** Backward through every layer in reverse; layer i > 0 writes the gradient of its input. */
  private async backward(a: Activations): Promise<Dispatch[]> {
    const { layers } = this.options.model;
    const context = this.layerContext();
    const dispatches: Dispatch[] = [];
    for (let i = layers.length - 1; i >= 0; i--) {
      dispatches.push(
        ...await layers[i].backward(context, {
          batch: a.batch,
          training: true,
          x: a.outputs[i],
          y: a.outputs[i + 1],
          dy: a.gradients[i + 1]!,
          dx: i > 0 ? a.gradients[i]! : null,
        }),
      );
    }
    return dispatches;
  }

  private async optimizerDispatch(): Promise<Dispatch> {
    const { gpu, pool, options } = this;
    const { optimizer } = options;
    const n = options.runs * this.layout.perRun;
    const { values, grads, optimizerMask } = this.parameterization.trained;
    const schedule = optimizer.schedule ?? constantSchedule(options.maxSteps);
    const rates = learningRateTable(optimizer.learningRate, schedule, options.maxSteps);
    // The 0/1 vector of decayed entries; without weight decay the kernels never read it.
    const decay = optimizer.weightDecay
      ? pool.upload(
        "weight decay",
        weightDecayMask(this.layout, options.runs, optimizer.weightDecayAppliesTo ?? "all"),
      )
      : undefined;
    return optimizer.kind === "adam"
      ? await prepareAdam(gpu, pool, {
        ...optimizer,
        n,
        grads,
        mask: optimizerMask,
        counters: this.counters,
        corrections: pool.upload(
          "adam corrections",
          adamCorrections(optimizer, options.maxSteps, rates),
        ),
        weights: values,
        firstMoment: this.moments[0],
        secondMoment: this.moments[1],
        decay,
      })
      : await prepareSgd(gpu, pool, {
        ...optimizer,
        n,
        grads,
        mask: optimizerMask,
        decay,
        counters: this.counters,
        rates: pool.upload("learning rates", rates),
        weights: values,
        velocity: this.moments[0],
      });
  }

  /** The training gather's augmentation: each run's key uploaded once; none if it changes nothing. */
  private gatherAugmentation(): GatherAugmentation | undefined {
    const { augmentation, runs } = this.options;
    if (!augmentation || (augmentation.padding === 0 && !augmentation.flip)) return undefined;
    const keys = typeof augmentation.key === "number"
      ? new Array(runs).fill(augmentation.key)
      : augmentation.key;
    if (keys.length !== runs) {
      throw new RangeError(`${runs} runs need ${runs} augmentation keys, got ${keys.length}`);
    }
    return {
      padding: augmentation.padding,
      flip: augmentation.flip,
      keys: this.pool.upload("augmentation keys", Uint32Array.from(keys, (key) => key >>> 0)),
    };
  }

  private async prepare(): Promise<void> {
    const { gpu, pool, options } = this;
    const { runs, batch, dataset } = options;
    this.bound = await options.parameterization.bind({
      gpu,
      pool,
      runs,
      layout: this.layout,
      params: this.params,
      mask: this.mask,
      grads: this.grads,
      counters: this.counters,
    });
    const mean = options.inputMean ?? 0;
    const std = options.inputStd ?? 1;
    const train = this.activations(batch, "train", true);
    this.stepDispatches = [
      ...this.parameterization.beforeStep,
      await prepareGatherBatch(gpu, pool, {
        features: dataset.features,
        batch,
        runs,
        steps: options.chunkSteps,
        fromCounter: true,
        mean,
        std,
        shape: dataset.shape,
        augmentation: this.gatherAugmentation(),
        pixels: dataset.pixels,
        labels: dataset.labels,
        indices: this.trainIndices,
        counters: this.counters,
        inputs: train.outputs[0],
        inputOffset: 0,
        batchLabels: train.labels,
      }),
      ...await this.forwardAndLoss(train, batch),
      ...await this.backward(train),
      ...this.parameterization.afterBackward,
      await this.optimizerDispatch(),
      await prepareAdvanceStep(gpu, pool, this.counters),
    ];

    const evaluation = this.activations(options.evalBatch, "eval", false);
    this.evalDispatches.push(...this.parameterization.beforeEvaluation);
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
            shape: dataset.shape,
            pixels: dataset.pixels,
            labels: dataset.labels,
            indices: pool.upload(`${set.name} indices ${start}`, perRun),
            counters: this.counters,
            inputs: evaluation.outputs[0],
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
   * Sets every run's parameters and masks (flat [runs * perRun]) and the parameterization's
   * stored tensors (`scores`, same shape), the batch norms' running statistics (flat [runs *
   * statePerRun]; default: means 0, variances 1, as at initialisation), and resets the optimizer
   * state, the step counter and the evaluation history.
   */
  reset(
    params: Float32Array,
    masks: Float32Array,
    stored: Readonly<Record<string, Float32Array>> = {},
    state: Float32Array = initialState(this.layout, this.options.runs),
  ): void {
    const expectedState = this.options.runs * this.layout.statePerRun;
    if (state.length !== expectedState) {
      throw new RangeError(
        `reset needs ${expectedState} running statistics (${this.layout.norms.length} batch norms), got ${state.length}`,
      );
    }
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
    const { name, storedTensors } = this.options.parameterization;
    const unknown = Object.keys(stored).filter((key) => !storedTensors.includes(key));
    if (unknown.length > 0) {
      throw new RangeError(
        `the ${name} parameterization stores [${storedTensors.join(", ")}], got [${
          unknown.join(", ")
        }] at reset`,
      );
    }
    for (const tensor of storedTensors) {
      const values = stored[tensor];
      if (!values || values.length !== expected) {
        throw new RangeError(
          `the ${name} parameterization needs ${expected} ${tensor} at reset, got ${
            values?.length ?? 0
          }`,
        );
      }
      this.pool.write(this.parameterization.stored.get(tensor)!, values);
    }
    this.pool.write(this.params, params);
    if (state.length > 0) this.pool.write(this.state, state);
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

  /** Every run's batch-norm running statistics, flat [runs * statePerRun]. One GPU wait. */
  async readState(): Promise<Float32Array> {
    const length = this.options.runs * this.layout.statePerRun;
    if (length === 0) return new Float32Array(0);
    const values = await readF32(this.gpu.device, this.state);
    this.gpu.throwIfFailed();
    return values.subarray(0, length);
  }

  /** Every run's mask, gradient, optimizer moment or stored tensor (`scores`), flat. */
  async readBuffer(
    which: "grads" | "mask" | "moment0" | "moment1" | "scores",
  ): Promise<Float32Array> {
    const buffers: Record<string, GPUBuffer | undefined> = {
      grads: this.grads,
      mask: this.mask,
      moment0: this.moments[0],
      moment1: this.moments[1],
      scores: this.parameterization.stored.get("scores"),
    };
    const buffer = buffers[which];
    if (!buffer) {
      throw new RangeError(
        `no ${which} to read: the ${this.options.parameterization.name} parameterization with ${this.options.optimizer.kind} has none`,
      );
    }
    const values = await readF32(this.gpu.device, buffer);
    this.gpu.throwIfFailed();
    return values.subarray(0, this.options.runs * this.layout.perRun);
  }

  destroy(): void {
    this.pool.destroy();
  }
}
