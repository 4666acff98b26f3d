/**
 * One ResNet layer list at other depths of its family (He et al.'s CIFAR ResNets: depth 6n + 2
 * with n residual blocks per stage). A stage is a run of `{residual: C}` blocks that begins at
 * the first block, where the stride is not 1, or where the channels change; its first block (the
 * down-sampling one) is kept as written and the rest are `{residual: C}` at stride 1, so a
 * ResNet-20 with 5 blocks per stage is open_lth's ResNet-32 and with 2 the ResNet-14.
 */
import type { LayerSpec } from "../config/types.ts";

type ResidualSpec = { residual: number; stride?: number };

function isResidual(spec: LayerSpec): spec is ResidualSpec {
  return typeof spec === "object" && "residual" in spec;
}

function ownsWeight(spec: LayerSpec): boolean {
  return typeof spec === "object" && ("dense" in spec || "conv" in spec);
}

/** The list split into stem, stages of residual blocks and head. */
export interface ResNetStages {
  stem: LayerSpec[];
  stages: ResidualSpec[][];
  head: LayerSpec[];
}

export function resnetStages(specs: readonly LayerSpec[]): ResNetStages {
  const first = specs.findIndex(isResidual);
  if (first < 0) {
    throw new RangeError(
      "the model has no residual block ({residual: C}); depths of a family need a ResNet " +
        "(model.kind resnet-20/32/56 or a layer list with residual blocks)",
    );
  }
  let end = first;
  while (end < specs.length && isResidual(specs[end])) end++;
  const later = specs.slice(end).findIndex(isResidual);
  if (later >= 0) {
    throw new RangeError(
      `the model's residual blocks are not consecutive (entry ${end + later} comes after ` +
        `non-residual entries); a ResNet family has stem, stages, then head`,
    );
  }
  const stages: ResidualSpec[][] = [];
  for (const block of specs.slice(first, end) as ResidualSpec[]) {
    const previous = stages.at(-1)?.at(-1);
    const startsStage = !previous || (block.stride ?? 1) !== 1 ||
      block.residual !== previous.residual;
    if (startsStage) stages.push([block]);
    else stages[stages.length - 1].push(block);
  }
  return { stem: specs.slice(0, first), stages, head: specs.slice(end) };
}

/** The list with `blocks` residual blocks in every stage (its first block as written). */
export function withBlocksPerStage(specs: readonly LayerSpec[], blocks: number): LayerSpec[] {
  if (!Number.isInteger(blocks) || blocks < 1) {
    throw new RangeError(`blocks per stage must be an integer >= 1, got ${blocks}`);
  }
  const { stem, stages, head } = resnetStages(specs);
  return [
    ...stem,
    ...stages.flatMap((stage) => [
      stage[0],
      ...Array.from({ length: blocks - 1 }, () => ({ residual: stage[0].residual, stride: 1 })),
    ]),
    ...head,
  ];
}

/**
 * The depth as a ResNet's name counts it: weight layers of the stem and head plus two
 * convolutions per block (projection shortcuts not counted), 6n + 2 for the CIFAR ResNets.
 */
export function resnetDepth(specs: readonly LayerSpec[]): number {
  const { stem, stages, head } = resnetStages(specs);
  const blocks = stages.reduce((n, stage) => n + stage.length, 0);
  return stem.filter(ownsWeight).length + 2 * blocks + head.filter(ownsWeight).length;
}
