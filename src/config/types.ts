/**
 * The shapes that flow between the harness stages: experiment file -> resolved config ->
 * result rows -> claim verdicts. Field names here are the YAML keys (snake_case) and the
 * results.csv columns, so the file, the code and the outputs use one vocabulary.
 */
import type { DatasetName } from "./datasets.ts";
import type { ProfileName } from "./profiles.ts";

export type Hypothesis =
  | "weak-lth"
  | "strong-lth"
  | "supermask"
  | "multi-prize"
  | "elastic"
  | "conjecture";

/**
 * A convolution of `conv` output channels: square kernel (default 3), stride (default 1), zero
 * padding (default floor(kernel / 2): "same" at stride 1), with a bias unless `bias: false`.
 */
export interface ConvSpec {
  conv: number;
  kernel?: number;
  stride?: number;
  padding?: number;
  bias?: boolean;
}

/** A dense layer of `dense` outputs, with a bias unless `bias: false`. */
export interface DenseSpec {
  dense: number;
  bias?: boolean;
}

/**
 * A residual block of a CIFAR ResNet (He et al. 2016, Sec. 4.2): two 3x3 convolutions of
 * `residual` channels without biases, each followed by batch norm, the first with `stride`
 * (default 1) and a ReLU; the sum with the shortcut goes through a ReLU. The shortcut is the input
 * itself, or, where the block changes the shape (stride 2 or other channels), a 1x1 convolution
 * with that stride and a batch norm (the projection of Frankle et al.'s open_lth CIFAR ResNets).
 */
export interface ResidualSpec {
  residual: number;
  stride?: number;
}

/**
 * One entry of a model's layer list: a dense layer of that many outputs, a convolution, a ReLU
 * (the epilogue of the dense or convolution before it), 2x2 max pooling with stride 2, global
 * average pooling (one value per channel), batch norm, or `sign`: MPT-1/1's binary activation,
 * y = sign(x) with biprop's straight-through gradient 2 * max(1 - |x|, 0) (src/model/sign.ts). A
 * dense layer after an image flattens it channel-major, as PyTorch's `flatten(1)` does.
 */
export type LayerSpec =
  | DenseSpec
  | ConvSpec
  | ResidualSpec
  | "relu"
  | "maxpool"
  | "global_avgpool"
  | "sign"
  | BatchNormSpec;

/**
 * Batch normalisation over the channels of the layer before (BatchNorm2d after a convolution,
 * BatchNorm1d after a dense layer), with gamma and beta (`batchnorm`) or without
 * (`batchnorm-nonaffine`, as edge-popup and biprop use). The running statistics travel with the
 * parameters: through rewinds, stability copies, evaluations and checkpoints (bn1.running_mean,
 * bn1.running_var).
 */
export type BatchNormSpec = "batchnorm" | "batchnorm-nonaffine";

/** Architectures named by `model.kind`, each expanding to a layer list (src/model/named_models.ts). */
export const NAMED_MODEL_KINDS = [
  "conv2",
  "conv4",
  "conv6",
  "resnet-20",
  "resnet-32",
  "resnet-56",
] as const;
export type NamedModelKind = typeof NAMED_MODEL_KINDS[number];

interface ModelCommon {
  init: "glorot-normal" | "kaiming-normal" | "signed-kaiming-constant";
  /** Batch norms' gamma at 1 (default) or drawn from U[0, 1) (open_lth's CIFAR ResNets). */
  batchnorm_init?: "ones" | "uniform";
  prune_biases: boolean;
}

/** The shorthand: `kind: mlp` with widths from input to output, ReLU between dense layers. */
export interface MlpModelConfig extends ModelCommon {
  kind: "mlp";
  /** Layer widths from input to output, e.g. [784, 300, 100, 10]. */
  layers: number[];
  activation: "relu";
}

/** The general form: the layer list itself; the input width comes from the data set. */
export interface LayerListModelConfig extends ModelCommon {
  kind?: undefined;
  layers: LayerSpec[];
}

/** A named architecture (`kind: conv4`), optionally with every hidden width scaled. */
export interface NamedModelConfig extends ModelCommon {
  kind: NamedModelKind;
  /**
   * Multiplies every convolution's channels and every hidden dense width (rounded down, at least
   * 1), as the width_mult option of Ramanujan et al.'s code scales their Conv-2/4/6; default 1.
   */
  width_multiplier?: number;
}

export type ModelConfig = MlpModelConfig | LayerListModelConfig | NamedModelConfig;

export interface DataConfig {
  /**
   * The data set, or a list of two or more: the procedure then runs once per data set, in the
   * order listed, into `<results>/<dataset>/` (src/io/paths.ts), with the same seeds.
   */
  dataset: DatasetName | DatasetName[];
  /** Examples held out of the 60,000 training images as the validation set. */
  validation: number;
  /** Optional cap on the training examples used (after the split), for CI-size runs. */
  train_limit?: number;
  /** Optional cap on the test examples evaluated, for CI-size runs. */
  test_limit?: number;
  /** Augmentation of the training batches (evaluation is never augmented); absent: none. */
  augmentation?: AugmentationConfig;
  /** Per-channel input normalisation, training and evaluation; absent: byte / 255. */
  normalize?: NormalizeConfig;
}

/**
 * torchvision's RandomCrop(size, padding=random_crop_padding) then RandomHorizontalFlip(), drawn
 * per trial from a seeded stream (STREAMS.augmentation).
 */
export interface AugmentationConfig {
  /** Zero pixels added on every side before a random crop back to the image size; 0: no crop. */
  random_crop_padding: number;
  /** Mirror each training image left-right with probability 1/2. */
  horizontal_flip: boolean;
}

/** x = (byte / 255 - mean[c]) / std[c], one entry per channel of the data set. */
export interface NormalizeConfig {
  mean: number[];
  std: number[];
}

/** The learning rate per iteration (src/train/lr_schedule.ts); absent: constant. */
export interface ScheduleConfig {
  kind: "constant" | "step" | "cosine";
  /** step: iterations at which the rate is multiplied by gamma, strictly increasing. */
  milestones?: number[];
  /** step: the factor at each milestone (default 0.1). */
  gamma?: number;
  /** Linear warm-up from 0 over this many iterations (default 0). */
  warmup_iterations?: number;
  /** cosine: a new rate every iteration (default) or once per epoch. */
  per?: "iteration" | "epoch";
  /** cosine per epoch: iterations per epoch (default: ceil(training examples / batch_size)). */
  steps_per_epoch?: number;
}

export interface OptimizerConfig {
  name: "adam" | "sgd";
  learning_rate: number;
  momentum?: number;
  /** sgd: Nesterov momentum (default false). */
  nesterov?: boolean;
  weight_decay?: number;
  /** Which entries weight decay applies to (default all). */
  weight_decay_applies_to?: "all" | "weights";
  schedule?: ScheduleConfig;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** A training budget, shared by every procedure that trains. */
/** The loss a network is trained and evaluated with. */
export type TrainingLoss = "cross-entropy" | "square";

export interface TrainingConfig {
  optimizer: OptimizerConfig;
  batch_size: number;
  /** Training iterations; always run in full (early stopping is read from the curve). */
  iterations: number;
  eval_every: number;
  /** Softmax cross-entropy (absent: the default) or square loss on one-hot targets. */
  loss?: TrainingLoss;
}

/**
 * A procedure's block: `name` picks the procedure (src/procedures/mod.ts); the other fields are
 * the procedure's own (declared in its spec, e.g. src/procedures/imp_spec.ts, with their type).
 */
export interface ProcedureConfig {
  name: string;
  [field: string]: unknown;
}

/** Control arms; their fields are the procedure's (declared in its spec). */
export type ControlsConfig = Record<string, unknown>;

export type ClaimOp = "<" | "<=" | ">" | ">=" | "in";

export interface ClaimSelector {
  /** The arm, or a list of arms: the axis of a max / max_difference / max_ratio statistic. */
  arm: string | string[];
  /**
   * Fraction of prunable weights remaining, e.g. 0.2107; the nearest level within 0.005. A list
   * is the axis of an argmax / max / min_step statistic. Absent: the arm's only level (e.g. a
   * learned mask, whose kept fraction is an outcome).
   */
  weights_remaining?: number | number[];
  /** Hidden width (results.csv `width`); absent = the only width the arm has. A list is an axis. */
  width?: number | number[];
  /** The data set (results.csv `dataset`); required when the experiment lists several. */
  dataset?: DatasetName;
  /**
   * The level (results.csv `round`: an IMP round, a transfer's source round) instead of
   * weights_remaining, for arms whose kept fraction is an outcome at each level (elastic tickets).
   */
  level?: number;
}

export type Threshold = number | [number, number];

/**
 * A level matches its arm's dense level (weights remaining 1) while its `accuracy` is at least the
 * dense level's minus `tolerance` (a fraction: 0.003 = 0.3 points).
 */
export interface MatchingConfig {
  accuracy: "test_accuracy_at_early_stop" | "final_test_accuracy";
  tolerance: number;
}

export interface ClaimConfig {
  id: string;
  /** One falsifiable sentence. */
  text: string;
  /**
   * A results.csv column read per run, or smallest_matching: per trial, the smallest weights
   * remaining at which the arm still matches its dense level (src/harness/smallest_matching.ts),
   * as set by `matching`.
   */
  metric:
    | "smallest_matching"
    | "early_stop_iteration"
    | "test_accuracy_at_early_stop"
    | "final_test_accuracy"
    | "min_validation_loss"
    | "kappa"
    | "instability";
  select: ClaimSelector;
  /** measured = metric(select) - metric(baseline) ("difference") or metric(select) / metric(baseline) ("ratio"); absent = the metric itself. */
  baseline?: ClaimSelector;
  /**
   * value / difference / ratio: of single selectors. Along the one list-valued selector field
   * (the axis): argmax = the axis value with the highest metric, max = that metric, min_step =
   * the smallest increase of the metric between neighbouring axis values (ascending),
   * max_difference = max of select minus max of baseline, each along its own axis (a baseline
   * without a list is its one value), max_ratio = max of select over max of baseline,
   * min_step_difference = min_step of (select minus baseline) along the axis, the baseline listing
   * the same axis field with as many values, paired in order ("the gap shrinks at every step").
   */
  statistic:
    | "value"
    | "difference"
    | "ratio"
    | "argmax"
    | "max"
    | "min_step"
    | "max_difference"
    | "max_ratio"
    | "min_step_difference";
  op: ClaimOp;
  /** Threshold ([low, high] for "in"), optionally per profile; why: the calibration argument. */
  threshold: Threshold | Partial<Record<ProfileName, Threshold>>;
  /**
   * The smallest effect that counts (>= 0, default 0): a PASS needs the whole confidence interval
   * beyond threshold + margin (ops > and >=) or threshold - margin (< and <=).
   */
  margin?: number;
  /** How a smallest_matching claim decides that a level matches the dense level. */
  matching?: MatchingConfig;
  why?: string;
  /** The paper's value, shown beside ours, as text with its source. */
  paper: string;
  /**
   * What a PASS and a FAIL of this claim say about the hypothesis, one sentence each, written
   * before the result is seen; the report opens with the sentence of each verdict.
   */
  reading?: { pass: string; fail: string };
}

export interface ExperimentConfig {
  id: string;
  hypothesis: Hypothesis;
  claim: string;
  citation: string;
  model: ModelConfig;
  data: DataConfig;
  procedure: ProcedureConfig;
  controls: ControlsConfig;
  trials: number;
  seed: number;
  claims: ClaimConfig[];
}

/** An experiment with one profile applied and CLI overrides folded in. */
export interface ResolvedConfig extends ExperimentConfig {
  profile: ProfileName;
  /** Free text from the file: how this profile departs from the paper's protocol. */
  profile_note: string;
  /**
   * The profile runs one trial on purpose (profiles.<name>.single_seed): a claim's one value then
   * decides its verdict, reported as "one seed", instead of INCONCLUSIVE for want of an interval.
   */
  single_seed: boolean;
}

/**
 * One row of results.csv: one data set x trial x width x level x arm (x replicate for repeated
 * controls).
 */
export interface ResultRow {
  /**
   * The data set the run trained on (results.csv `dataset`): set by the harness on every row it
   * writes (src/harness/run.ts); procedures, which see one data set, leave it out.
   */
  dataset?: string;
  trial: number;
  /**
   * The level (folder level-<k>): an IMP pruning round (0 = dense), or the index of a sweep's
   * weights-remaining value. results.csv still calls this column `round` (io/csv.ts).
   */
  level: number;
  arm: string;
  replicate: number;
  /** The first hidden layer's width (the swept width of a width sweep). */
  width: number;
  weights_remaining: number;
  weights_remaining_per_layer: number[];
  early_stop_iteration: number;
  /** The early stop is the last evaluation: the minimum may lie beyond the budget. */
  early_stop_censored: boolean;
  test_accuracy_at_early_stop: number;
  final_test_accuracy: number;
  min_validation_loss: number;
  /**
   * Chance-corrected overlap of this run's mask with a reference mask (IMP: the ticket's of the
   * same trial and level): (|A & B| / |A| - d) / (1 - d), d the kept fraction; overall and per
   * layer. Absent where no reference applies; NaN where it is undefined (d = 1: nothing pruned).
   */
  kappa?: number;
  kappa_per_layer?: number[];
  /**
   * Linear mode connectivity (IMP's controls.stability): the largest test error on the line
   * between this run and its second copy minus the mean of the two ends' errors, a fraction
   * (0.02 = 2 points). Absent where the run has no copy.
   */
  instability?: number;
  /**
   * The fraction of test examples on which this network's prediction (argmax) is the reference
   * network's (tangent-space: the linearized network's against the real one's of the same trial
   * and width). Absent where there is no reference.
   */
  agreement?: number;
}

export type Verdict = "PASS" | "FAIL" | "INCONCLUSIVE";

export interface ClaimResult {
  id: string;
  text: string;
  statistic: ClaimConfig["statistic"];
  op: ClaimOp;
  threshold: Threshold;
  /** The smallest effect that counts (0 when the claim gives none). */
  margin: number;
  /** Trials with a value. */
  n: number;
  /** Mean over trials of the per-trial measured value; null when data is missing. */
  measured: number | null;
  /** Sample standard deviation and 95% confidence interval of the mean; null for n < 2. */
  sd: number | null;
  ci: [number, number] | null;
  /** How the interval was made ("Student t, 95%, two-sided"), or "one seed". */
  method: string;
  per_trial: (number | null)[];
  paper: string;
  verdict: Verdict;
  reason: string;
}
