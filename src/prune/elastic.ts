/**
 * An elastic lottery ticket (Chen et al., NeurIPS 2021, arXiv 2103.16547): a ticket of one CIFAR
 * ResNet (its masks and its network at the rewind point) stretched or squeezed to a ResNet of
 * another depth of the same family, block by block along an `ElasticBlockMap`
 * (src/prune/elastic_map.ts has the paper's rule and the shuffled-order control).
 *
 * What is copied, after VITA-Group/ElasticLTH @ 4a48d0a:
 * - the whole state_dict: the stem convolution and its batch norm and the classifier are copied
 *   as they are (lottery/branch/morphism.py lines 241-245), every tensor of a target block is the
 *   mapped source block's tensor of the same name (lines 226-240), and every target key must have
 *   been written (lines 247-250). The state_dict holds the batch norms' weight, bias,
 *   running_mean and running_var, so gamma, beta and the running statistics travel with the block.
 * - the network is the source loaded at the rewind step (lottery/branch/change_depth.py lines
 *   53-56, `train_start_step`) and the mask goes through the same map (line 67); the target then
 *   trains from that step (line 72).
 * - nothing is re-pruned: the target's sparsity is whatever the copied masks give, kept(target) =
 *   kept(stem) + kept(head) + sum over target blocks of kept(their source block).
 *
 * Here a ResNet is a layer list (src/model/named_models.ts): a stem of non-residual entries, stages
 * of `{residual: C, stride}` blocks (a new stage where the stride is not 1 or the channels change),
 * then a head. A block owns 2 or 3 weight layers and as many batch norms (src/model/residual.ts),
 * in layout order conv a, conv b, projection. Padding entries of the flat vectors stay 0, as do the
 * bias slots of layers without a bias.
 */
import { describeLayer, type LayerSpec, type Network, type ParamLayout } from "../model/mod.ts";
import { type ElasticBlockMap, elasticBlockMap } from "./elastic_map.ts";

/** A built ResNet: its layer list and the layout `buildModel` gave it. */
export interface ResNetSide {
  specs: readonly LayerSpec[];
  layout: ParamLayout;
}

/** A ticket of a ResNet: the network (at the rewind point) and one mask per weight layer. */
export interface ResNetTicket extends ResNetSide {
  network: Network;
  masks: readonly Float32Array[];
}

/** Weight layer and norm indices (into the layout) of one part of the network. */
interface Part {
  layers: number[];
  norms: number[];
}

interface Stage {
  channels: number;
  stride: number;
  blocks: Part[];
}

export interface ResNetStructure {
  stem: Part;
  stages: Stage[];
  head: Part;
  /** The stem's and head's layer lists as the file writes them, for the family check. */
  stemSpecs: string[];
  headSpecs: string[];
}

function isResidual(spec: LayerSpec): spec is { residual: number; stride?: number } {
  return typeof spec === "object" && "residual" in spec;
}

function ownsWeight(spec: LayerSpec): boolean {
  return typeof spec === "object" && ("dense" in spec || "conv" in spec);
}

function ownsNorm(spec: LayerSpec): boolean {
  return spec === "batchnorm" || spec === "batchnorm-nonaffine";
}

/**
 * The stem, stages and head of a ResNet layer list, as layout indices. A block has a projection
 * (3 weight layers) where its conv a's input channels differ from its channels or its stride is
 * not 1, read from the layout's shapes so the structure is the one `buildModel` laid out.
 */
export function resnetStructure(side: ResNetSide, what: string): ResNetStructure {
  const { specs, layout } = side;
  const stem: Part = { layers: [], norms: [] }, head: Part = { layers: [], norms: [] };
  const stemSpecs: string[] = [], headSpecs: string[] = [];
  const stages: Stage[] = [];
  let layer = 0, norm = 0;
  let phase: "stem" | "stages" | "head" = "stem";
  specs.forEach((spec, i) => {
    if (isResidual(spec)) {
      if (phase === "head") {
        throw new RangeError(
          `${what}: layer ${i + 1} (${describeLayer(spec)}) is a residual block after the head ` +
            `began; an elastic ticket needs a ResNet of namedModelSpecs("resnet-<depth>")`,
        );
      }
      phase = "stages";
      const stride = spec.stride ?? 1;
      const a = layout.layers[layer];
      if (!a || a.shape.length !== 4) {
        throw new RangeError(
          `${what}: layer ${i + 1} (${describeLayer(spec)}) has no convolution at weight layer ` +
            `${layer + 1} of the layout; pass the layout buildModel gave these specs`,
        );
      }
      const projected = stride !== 1 || a.shape[1] !== spec.residual;
      const count = projected ? 3 : 2;
      const block: Part = {
        layers: Array.from({ length: count }, (_, k) => layer + k),
        norms: Array.from({ length: count }, (_, k) => norm + k),
      };
      layer += count;
      norm += count;
      const last = stages[stages.length - 1];
      if (!last || stride !== 1 || last.channels !== spec.residual) {
        stages.push({ channels: spec.residual, stride, blocks: [block] });
      } else {
        last.blocks.push(block);
      }
      return;
    }
    if (phase === "stages") phase = "head";
    const part = phase === "stem" ? stem : head;
    (phase === "stem" ? stemSpecs : headSpecs).push(describeLayer(spec));
    if (ownsWeight(spec)) part.layers.push(layer++);
    if (ownsNorm(spec)) part.norms.push(norm++);
  });
  if (stages.length === 0) {
    throw new RangeError(
      `${what} has no residual blocks ([${specs.map(describeLayer).join(", ")}]); an elastic ` +
        `ticket maps ResNets: build both from namedModelSpecs("resnet-<depth>")`,
    );
  }
  if (layer !== layout.layers.length || norm !== layout.norms.length) {
    throw new RangeError(
      `${what}: the specs give ${layer} weight layers and ${norm} batch norms, the layout has ` +
        `${layout.layers.length} and ${layout.norms.length}; pass the layout buildModel gave these specs`,
    );
  }
  return { stem, stages, head, stemSpecs, headSpecs };
}

/** Throws unless source and target differ only in blocks per stage. */
function checkFamily(
  source: ResNetSide,
  target: ResNetSide,
  s: ResNetStructure,
  t: ResNetStructure,
): void {
  const fix = "build both with namedModelSpecs(kind, classes, width_multiplier) on the same " +
    "data set, differing only in kind (resnet-20/32/56)";
  if (source.layout.widths[0] !== target.layout.widths[0]) {
    throw new RangeError(
      `the source takes ${source.layout.widths[0]} input features and the target ` +
        `${target.layout.widths[0]}; ${fix}`,
    );
  }
  const stem = [s.stemSpecs.join(", "), t.stemSpecs.join(", ")];
  if (stem[0] !== stem[1]) {
    throw new RangeError(`the source's stem is [${stem[0]}] and the target's [${stem[1]}]; ${fix}`);
  }
  if (s.stages.length !== t.stages.length) {
    throw new RangeError(
      `the source has ${s.stages.length} stages and the target ${t.stages.length}; ${fix}`,
    );
  }
  s.stages.forEach((stage, i) => {
    const other = t.stages[i];
    if (stage.channels !== other.channels || stage.stride !== other.stride) {
      throw new RangeError(
        `stage ${i + 1} has ${stage.channels} channels at stride ${stage.stride} in the source ` +
          `and ${other.channels} at stride ${other.stride} in the target; ${fix}`,
      );
    }
  });
  const head = [s.headSpecs.join(", "), t.headSpecs.join(", ")];
  if (head[0] !== head[1]) {
    throw new RangeError(`the source's head is [${head[0]}] and the target's [${head[1]}]; ${fix}`);
  }
}

/** Throws unless the ticket's vectors and masks have the sizes its layout gives. */
function checkTicket(ticket: ResNetTicket): void {
  const { layout, network, masks } = ticket;
  if (network.params.length !== layout.perRun || network.state.length !== layout.statePerRun) {
    throw new RangeError(
      `the source network has ${network.params.length} parameters and ${network.state.length} ` +
        `running statistics, its layout ${layout.perRun} and ${layout.statePerRun}; pass one ` +
        `run's Network of this model`,
    );
  }
  if (masks.length !== layout.layers.length) {
    throw new RangeError(
      `the source ticket has ${masks.length} masks for ${layout.layers.length} weight layers; ` +
        `pass one mask per weight layer`,
    );
  }
  masks.forEach((mask, l) => {
    const block = layout.layers[l];
    if (mask.length !== block.inputs * block.outputs) {
      throw new RangeError(
        `the source mask of ${block.name} has ${mask.length} entries, the layer ` +
          `${block.inputs * block.outputs}; pass the masks of this model`,
      );
    }
  });
}

/** Throws unless the map's blocks per stage are the source's and the target's. */
function checkMap(map: ElasticBlockMap, s: ResNetStructure, t: ResNetStructure): void {
  const counts = (x: ResNetStructure) => x.stages.map((stage) => stage.blocks.length).join(",");
  if (
    map.sourceBlocks.join(",") !== counts(s) || map.targetBlocks.join(",") !== counts(t) ||
    map.stages.some((stage, i) => stage.length !== t.stages[i].blocks.length)
  ) {
    throw new RangeError(
      `the block map goes from [${map.sourceBlocks}] to [${map.targetBlocks}] blocks per stage, ` +
        `the ticket from [${counts(s)}] to [${counts(t)}]; build the map with elasticBlockMap of ` +
        `these two models`,
    );
  }
}

/** The paper's block map from `source` to `target`, after checking they are one family. */
export function paperBlockMap(source: ResNetSide, target: ResNetSide): ElasticBlockMap {
  const s = resnetStructure(source, "the source"), t = resnetStructure(target, "the target");
  checkFamily(source, target, s, t);
  return elasticBlockMap(
    s.stages.map((stage) => stage.blocks.length),
    t.stages.map((stage) => stage.blocks.length),
  );
}

/** The target's ticket and the map it followed. */
export interface ElasticTicket {
  network: Network;
  masks: Float32Array[];
  map: ElasticBlockMap;
}

/**
 * The ticket of `target` that `map` makes from `source`: every weight, bias, mask, batch-norm
 * gamma/beta and running mean/variance of a target block is a copy of the same tensor of its
 * source block; the stem and the head are copied as they are.
 */
export function elasticTicket(
  source: ResNetTicket,
  target: ResNetSide,
  map: ElasticBlockMap,
): ElasticTicket {
  const s = resnetStructure(source, "the source"), t = resnetStructure(target, "the target");
  checkFamily(source, target, s, t);
  checkTicket(source);
  checkMap(map, s, t);
  const from = source.layout, to = target.layout;
  const params = new Float32Array(to.perRun);
  const state = new Float32Array(to.statePerRun);
  const masks: (Float32Array | undefined)[] = to.layers.map(() => undefined);
  const normsWritten = to.norms.map(() => false);

  const copyPart = (src: Part, dst: Part, where: string) => {
    if (src.layers.length !== dst.layers.length || src.norms.length !== dst.norms.length) {
      throw new RangeError(
        `${where}: the source part has ${src.layers.length} weight layers and the target ` +
          `${dst.layers.length}; a projection block can map only to a projection block`,
      );
    }
    src.layers.forEach((sl, k) => {
      const a = from.layers[sl], b = to.layers[dst.layers[k]];
      if (a.shape.join("x") !== b.shape.join("x") || a.bias !== b.bias) {
        throw new RangeError(
          `${where}: source ${a.name} is [${a.shape}] (bias ${a.bias}), target ${b.name} ` +
            `[${b.shape}] (bias ${b.bias}); the two models are not of one family`,
        );
      }
      const size = a.inputs * a.outputs;
      params.set(
        source.network.params.subarray(a.weightOffset, a.weightOffset + size),
        b.weightOffset,
      );
      if (a.bias) {
        params.set(
          source.network.params.subarray(a.biasOffset, a.biasOffset + a.outputs),
          b.biasOffset,
        );
      }
      masks[dst.layers[k]] = source.masks[sl].slice();
    });
    src.norms.forEach((sn, k) => {
      const a = from.norms[sn], b = to.norms[dst.norms[k]];
      if (a.channels !== b.channels || a.affine !== b.affine) {
        throw new RangeError(
          `${where}: source ${a.name} has ${a.channels} channels (affine ${a.affine}), target ` +
            `${b.name} ${b.channels} (affine ${b.affine}); the two models are not of one family`,
        );
      }
      const c = a.channels, p = source.network.params, st = source.network.state;
      if (a.affine) {
        params.set(p.subarray(a.gammaOffset, a.gammaOffset + c), b.gammaOffset);
        params.set(p.subarray(a.betaOffset, a.betaOffset + c), b.betaOffset);
      }
      state.set(st.subarray(a.meanOffset, a.meanOffset + c), b.meanOffset);
      state.set(st.subarray(a.varOffset, a.varOffset + c), b.varOffset);
      normsWritten[dst.norms[k]] = true;
    });
  };

  copyPart(s.stem, t.stem, "the stem");
  copyPart(s.head, t.head, "the head");
  map.stages.forEach((stage, i) => {
    stage.forEach((origin, j) => {
      const src = s.stages[i].blocks[origin.source];
      if (!src) {
        throw new RangeError(
          `the block map sends source block ${origin.source} of stage ${i + 1} to target block ` +
            `${j}, but that stage has ${s.stages[i].blocks.length} blocks; use elasticBlockMap`,
        );
      }
      copyPart(src, t.stages[i].blocks[j], `stage ${i + 1}, target block ${j}`);
    });
  });

  // Every target tensor must come from the source (morphism.py's all_overwritten assertion).
  const missing = [
    ...to.layers.filter((_, l) => masks[l] === undefined).map((b) => b.name),
    ...to.norms.filter((_, n) => !normsWritten[n]).map((b) => b.name),
  ];
  if (missing.length > 0) {
    throw new RangeError(
      `the block map leaves target tensors ${missing.join(", ")} without a source; every ` +
        `target block needs an origin`,
    );
  }
  return { network: { params, state }, masks: masks as Float32Array[], map };
}
