/**
 * The descriptors of one experiment as it runs (no profiles): the model, the data, the
 * procedure block and the controls (their fields come from the procedure named in
 * `procedure.name`, so the harness has no case per procedure), trials, seed and claims.
 */
import { type Desc, type Field, kebab, obj, oneOf, opt, req, text } from "../config/descriptors.ts";
import { DATASET_NAMES, DATASET_SHAPES, type DatasetName } from "../config/datasets.ts";
import {
  type AugmentationConfig,
  type DataConfig,
  type ExperimentConfig,
  type MlpModelConfig,
  NAMED_MODEL_KINDS,
  type NamedModelConfig,
  type NormalizeConfig,
} from "../config/types.ts";
import { PROCEDURE_SPECS } from "../procedures/specs.ts";
import type { ProcedureSpec } from "../procedures/spec.ts";
import { CLAIM } from "./claim_schema.ts";

const HYPOTHESES = ["weak-lth", "strong-lth", "supermask", "multi-prize", "elastic", "conjecture"];

/**
 * Each data set's input width (channels x rows x cols), image shape, classes and split sizes.
 */
export const DATASETS: Record<
  DatasetName,
  {
    inputs: number;
    channels: number;
    rows: number;
    cols: number;
    classes: number;
    train: number;
    test: number;
  }
> = Object.fromEntries(
  DATASET_NAMES.map((name) => {
    const shape = DATASET_SHAPES[name];
    return [name, { inputs: shape.channels * shape.rows * shape.cols, ...shape }];
  }),
) as typeof DATASETS;

/**
 * One entry of `model.layers`: a width (the `kind: mlp` shorthand), `{dense: N}`, `{conv: C, ...}`,
 * `relu`, `maxpool`, `sign`, .... Both maps are one alternative here (a union picks by the value's type);
 * MODEL_FORM_RULE checks that a map is exactly one of the two.
 */
const LAYER_ENTRY: Desc = {
  kind: "union",
  doc:
    "A width (with kind: mlp), or a layer: {dense: N}, {conv: C}, {residual: C}, relu, maxpool, global_avgpool, batchnorm, batchnorm-nonaffine or sign.",
  of: [
    { kind: "integer", min: 1, doc: "A layer width (kind: mlp)." },
    oneOf(
      ["relu", "maxpool", "global_avgpool", "batchnorm", "batchnorm-nonaffine", "sign"],
      "relu: ReLU after the dense, conv or batchnorm layer before it; maxpool: 2x2 max pooling, stride 2; global_avgpool: the mean of each channel over the image; batchnorm: batch normalisation over the channels of the layer before (BatchNorm2d after a conv, BatchNorm1d after a dense layer; momentum 0.1, eps 1e-5), with gamma and beta; batchnorm-nonaffine: the same without them (affine=False); sign: MPT-1/1's binary activation (biprop's BiRealAct), y = sign(x) (0 at 0), trained through the straight-through gradient dy * 2 * max(1 - |x|, 0).",
    ),
    obj(
      "A dense layer with N outputs, a convolution with C output channels, or a CIFAR ResNet residual block with C channels.",
      {
        dense: opt({ kind: "integer", min: 1, doc: "Outputs of the dense layer." }),
        conv: opt({ kind: "integer", min: 1, doc: "Output channels of the convolution." }),
        residual: opt({
          kind: "integer",
          min: 1,
          doc:
            "Channels of a residual block: two 3x3 convolutions without bias, each with batch norm, the first at `stride`; a 1x1 projection shortcut with batch norm where the shape changes.",
        }),
        kernel: opt({ kind: "integer", min: 1, doc: "Square kernel size of a conv (default 3)." }),
        stride: opt({
          kind: "integer",
          min: 1,
          doc: "Stride of a conv or of a residual block's first convolution (default 1).",
        }),
        padding: opt({
          kind: "integer",
          min: 0,
          doc: "Zero padding of a conv on every side (default floor(kernel / 2)).",
        }),
        bias: opt({
          kind: "boolean",
          doc: "Whether a dense or conv layer has a bias (default true).",
        }),
      },
    ),
  ],
};

const MODEL = obj(
  "The network: a layer list ([{conv: 64}, relu, maxpool, {dense: 10}]), the shorthand kind: mlp with widths from input to output, or a named architecture (kind: conv2, conv4, conv6, resnet-20, resnet-32, resnet-56).",
  {
    kind: opt(
      oneOf(
        ["mlp", ...NAMED_MODEL_KINDS],
        "mlp: the shorthand (layers are widths, ReLU between dense layers); conv2/conv4/conv6: Frankle & Carbin's Conv-2/4/6; resnet-20/32/56: He et al.'s CIFAR ResNets as open_lth builds them (no layers).",
      ),
    ),
    layers: opt({
      kind: "array",
      items: LAYER_ENTRY,
      // Two widths at least (input, classes); a layer list has a dense layer and more.
      minItems: 2,
      doc:
        "The layer list, e.g. [{dense: 300}, relu, {dense: 100}, relu, {dense: 10}]; with kind: mlp, widths from input to output, e.g. [784, 300, 100, 10]; absent with a named kind.",
    }),
    activation: opt(oneOf(["relu"], "Hidden-layer activation (kind: mlp only).")),
    width_multiplier: opt({
      kind: "number",
      min: 0,
      minExclusive: true,
      doc:
        "A named architecture's channels and hidden widths times this, rounded down (default 1).",
    }),
    init: req(
      oneOf(["glorot-normal", "kaiming-normal", "signed-kaiming-constant"], "Weight initialiser."),
    ),
    batchnorm_init: opt(
      oneOf(
        ["ones", "uniform"],
        "Batch norms' gamma: ones (PyTorch's default, the default here) or U[0, 1) (uniform: open_lth's CIFAR ResNets).",
      ),
    ),
    prune_biases: req({ kind: "boolean", doc: "Whether biases are pruned along with weights." }),
  } satisfies Record<
    keyof MlpModelConfig | keyof NamedModelConfig,
    Field
  >,
);

const DATA = obj(
  "The dataset and its split.",
  {
    dataset: req({
      kind: "union",
      doc: "The data set, or a list of data sets: the procedure runs on each, in order, into " +
        "<results>/<dataset>/, and claims name the data set they read (select.dataset).",
      of: [
        oneOf(DATASET_NAMES, "Data set name."),
        {
          kind: "array",
          items: oneOf(DATASET_NAMES, "Data set name."),
          minItems: 2,
          doc: "Data sets, each run with the same seeds; one data set is written as a name.",
        },
      ],
    }),
    validation: req({
      kind: "integer",
      min: 1,
      max: 59999,
      doc: "Examples held out of the 60,000 training images as the validation set.",
    }),
    train_limit: opt({
      kind: "integer",
      min: 1,
      doc: "Cap on the training examples used (after the split).",
    }),
    test_limit: opt({
      kind: "integer",
      min: 1,
      max: 10000,
      doc: "Cap on the test examples evaluated.",
    }),
    augmentation: opt(obj(
      "Augmentation of the training batches, as torchvision's RandomCrop(size, padding) then " +
        "RandomHorizontalFlip(), drawn on the GPU per trial from a seeded stream; evaluation is " +
        "never augmented. Absent: none.",
      {
        random_crop_padding: req({
          kind: "integer",
          min: 0,
          doc: "Zero pixels added on every side before a random crop back to the image size " +
            "(4 for CIFAR-10); 0: no crop. A padding pixel is byte 0, normalised like any other.",
        }),
        horizontal_flip: req({
          kind: "boolean",
          doc: "Mirror each training image left-right with probability 1/2.",
        }),
      } satisfies Record<keyof AugmentationConfig, Field>,
    )),
    normalize: opt(obj(
      "Per-channel input normalisation (byte / 255 - mean[c]) / std[c], in training and " +
        "evaluation, one entry per channel of the data set (CIFAR-10's: mean [0.4914, 0.4822, " +
        "0.4465], std [0.2470, 0.2435, 0.2616]). Absent: byte / 255.",
      {
        mean: req({
          kind: "array",
          items: { kind: "number", doc: "A channel's mean, of pixels scaled to [0, 1]." },
          minItems: 1,
          doc: "The mean of each channel, in the data set's channel order (red, green, blue).",
        }),
        std: req({
          kind: "array",
          items: {
            kind: "number",
            min: 0,
            minExclusive: true,
            doc: "A channel's standard deviation, of pixels scaled to [0, 1].",
          },
          minItems: 1,
          doc: "The standard deviation of each channel, in the data set's channel order.",
        }),
      } satisfies Record<keyof NormalizeConfig, Field>,
    )),
  } satisfies Record<keyof DataConfig, Field>,
);

const PROCEDURE: Desc = {
  kind: "tagged",
  doc: "How the networks are trained and pruned; `name` picks the procedure.",
  tagPath: "procedure.name",
  of: Object.fromEntries(PROCEDURE_SPECS.map((spec) => [
    spec.name,
    obj(spec.doc, {
      name: req(oneOf([spec.name], "Procedure name (the procedure registry maps it to code).")),
      ...spec.fields,
    }),
  ])),
};
const CONTROLS: Desc = {
  kind: "tagged",
  doc: "Control arms; their fields depend on procedure.name.",
  tagPath: "procedure.name",
  of: Object.fromEntries(PROCEDURE_SPECS.map((spec) => [spec.name, spec.controls])),
};

/** The spec of a config's procedure; the shape check has already refused an unknown name. */
export function procedureSpecOf(cfg: ExperimentConfig): ProcedureSpec {
  return PROCEDURE_SPECS.find((spec) => spec.name === cfg.procedure.name)!;
}

export const EXPERIMENT_FIELDS = {
  id: req(kebab("Experiment id; equals the file's base name.")),
  hypothesis: req(oneOf(HYPOTHESES, "Which hypothesis the experiment tests.")),
  claim: req(text("The paper's claim as one falsifiable sentence.")),
  citation: req(text("Where the claim comes from.")),
  model: req(MODEL),
  data: req(DATA),
  procedure: req(PROCEDURE),
  controls: req(CONTROLS),
  trials: req({ kind: "integer", min: 1, max: 100, doc: "Independent trials (seeds)." }),
  seed: req({ kind: "integer", min: 0, max: 0xffffffff, doc: "Base seed of every random stream." }),
  claims: req({
    kind: "array",
    items: CLAIM,
    minItems: 1,
    doc: "The claims checked after the run.",
  }),
} satisfies Record<keyof ExperimentConfig, Field>;

/** A resolved experiment (no profiles): what the validator checks after merging a profile. */
export const EXPERIMENT = obj("A lottery-ticket experiment.", EXPERIMENT_FIELDS);
