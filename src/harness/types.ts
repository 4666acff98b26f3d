/**
 * The shapes that flow between the harness stages: experiment file -> resolved config ->
 * result rows -> claim verdicts. Field names here are the YAML keys (snake_case) and the
 * results.csv columns, so the file, the code and the outputs use one vocabulary.
 */

export type Hypothesis =
  | "weak-lth"
  | "strong-lth"
  | "supermask"
  | "multi-prize"
  | "elastic"
  | "conjecture";

export type ProfileName = "smoke" | "quick" | "paper";

export interface ModelConfig {
  kind: "mlp";
  /** Layer widths from input to output, e.g. [784, 300, 100, 10]. */
  layers: number[];
  activation: "relu";
  init: "glorot-normal" | "kaiming-normal" | "signed-kaiming-constant";
  prune_biases: boolean;
}

export interface DataConfig {
  dataset: "mnist" | "fashion-mnist";
  /** Examples held out of the 60,000 training images as the validation set. */
  validation: number;
  /** Optional cap on the training examples used (after the split), for CI-size runs. */
  train_limit?: number;
  /** Optional cap on the test examples evaluated, for CI-size runs. */
  test_limit?: number;
}

export interface OptimizerConfig {
  name: "adam" | "sgd";
  learning_rate: number;
  momentum?: number;
  weight_decay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface ImpProcedure {
  name: "imp";
  optimizer: OptimizerConfig;
  batch_size: number;
  /** Training iterations per round; training always runs the full budget. */
  iterations: number;
  eval_every: number;
  /** Pruning rounds after the dense round 0. */
  rounds: number;
  /** Fraction of each layer's remaining weights removed per round, one entry per layer. */
  prune_fractions: number[];
  /** "init": kept weights reset to their values at iteration 0. */
  rewind: "init";
}

export type ProcedureConfig = ImpProcedure;

export interface ControlsConfig {
  /** Same mask, fresh init: this many reinitialisations per trial. 0 disables the arm. */
  random_reinit: number;
  /** A random mask with the ticket's per-layer counts, trained from the ticket's init. */
  random_mask: boolean;
  /** Rounds at which the control arms are trained (they are not needed at every round). */
  rounds: number[];
}

export type ClaimOp = "<" | "<=" | ">" | ">=";

export interface ClaimSelector {
  arm: string;
  /** Fraction of prunable weights remaining, e.g. 0.2107; the nearest round within 0.005. */
  weights_remaining: number;
}

export interface ClaimConfig {
  id: string;
  /** One falsifiable sentence. */
  text: string;
  metric:
    | "early_stop_iteration"
    | "test_accuracy_at_early_stop"
    | "final_test_accuracy"
    | "min_validation_loss";
  select: ClaimSelector;
  /** measured = metric(select) - metric(baseline) ("difference") or metric(select) / metric(baseline) ("ratio"); absent = the metric itself. */
  baseline?: ClaimSelector;
  statistic: "value" | "difference" | "ratio";
  op: ClaimOp;
  /** Threshold, optionally per profile; why: the calibration argument. */
  threshold: number | Partial<Record<ProfileName, number>>;
  why?: string;
  /** The paper's value, shown beside ours, as text with its source. */
  paper: string;
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
}

/** One row of results.csv: one trial x round x arm (x replicate for repeated controls). */
export interface ResultRow {
  trial: number;
  round: number;
  arm: string;
  replicate: number;
  weights_remaining: number;
  weights_remaining_per_layer: number[];
  early_stop_iteration: number;
  test_accuracy_at_early_stop: number;
  final_test_accuracy: number;
  min_validation_loss: number;
}

export type Verdict = "PASS" | "FAIL" | "INCONCLUSIVE";

export interface ClaimResult {
  id: string;
  text: string;
  statistic: ClaimConfig["statistic"];
  op: ClaimOp;
  threshold: number;
  /** Mean over trials of the per-trial measured value; null when data is missing. */
  measured: number | null;
  per_trial: (number | null)[];
  paper: string;
  verdict: Verdict;
  reason: string;
}
