/**
 * A residual block of a CIFAR ResNet as one list entry (`{residual: C, stride: s}`):
 *   y = relu(bn_b(conv_b(relu(bn_a(conv_a(x))))) + shortcut(x))
 * with conv_a 3x3 at stride s, conv_b 3x3 at stride 1, both without bias; the shortcut is x
 * itself, or, where the block changes the shape (s = 2 or other channels), bn_s(conv_s(x)) with
 * conv_s 1x1 at stride s without bias (the projection shortcut of open_lth's CIFAR ResNets,
 * Frankle et al.). Its convolutions and norms are ordinary conv2d and batchnorm layers with
 * their own blocks in the flat layout (conv<n>, bn<n> in order: a, b, then the shortcut's).
 *
 * Backward: dz = dy * [y > 0]; the main path takes dz back through bn_b, conv_b, the inner
 * ReLU, bn_a and conv_a; the shortcut takes dz back through bn_s and conv_s (or passes it as is);
 * dx is the sum of the two.
 *
 * Intermediate activations are the block's own buffers. A training call site (one per input
 * buffer) keeps its own, as backward reads them; evaluation call sites of every block share one
 * set per size, since a block's evaluation is finished before the next block's starts.
 */
import type { ResidualSpec } from "../config/types.ts";
import type { BufferPool, Dispatch } from "../gpu/mod.ts";
import { prepareAdd } from "../nn/add.ts";
import { prepareReluBackward } from "../nn/relu_backward.ts";
import { BatchNormLayer } from "./batchnorm.ts";
import { Conv2dLayer, type ConvGeometry, convGeometry, type FeatureMaps } from "./conv2d.ts";
import type { Layer, LayerActivations, LayerContext, LayerGradients } from "./layer.ts";
import type { NormBlock, NormShape, WeightBlock, WeightShape } from "./layout.ts";
import { ReluLayer } from "./relu.ts";

/** The block's convolutions as conv entries: a (3x3, stride s), b (3x3), shortcut (1x1, s). */
function convSpecs(spec: ResidualSpec, input: FeatureMaps) {
  const stride = spec.stride ?? 1;
  const projected = stride !== 1 || input.channels !== spec.residual;
  const a = { conv: spec.residual, kernel: 3, stride, padding: 1, bias: false };
  const b = { conv: spec.residual, kernel: 3, stride: 1, padding: 1, bias: false };
  const shortcut = { conv: spec.residual, kernel: 1, stride, padding: 0, bias: false };
  return projected ? [a, b, shortcut] : [a, b];
}

export interface ResidualShapes {
  weights: WeightShape[];
  norms: NormShape[];
  output: FeatureMaps;
}

/**
 * The weight and norm shapes a block adds to the layout, named from `convs` and `norms` (the
 * counts before it), and its output shape.
 */
export function residualShapes(
  input: FeatureMaps,
  spec: ResidualSpec,
  counts: { convs: number; norms: number },
  where: string,
): ResidualShapes {
  const specs = convSpecs(spec, input);
  const geometries = specs.map((conv, i) =>
    convGeometry(i === 1 ? convGeometry(input, specs[0], where).output : input, conv, where)
  );
  const inChannels = [input.channels, spec.residual, input.channels];
  return {
    weights: specs.map((conv, i) => ({
      name: `conv${counts.convs + i + 1}`,
      inputs: inChannels[i] * conv.kernel * conv.kernel,
      outputs: conv.conv,
      shape: [conv.conv, inChannels[i], conv.kernel, conv.kernel],
      receptiveField: conv.kernel * conv.kernel,
      bias: false,
    })),
    norms: specs.map((_, i) => ({
      name: `bn${counts.norms + i + 1}`,
      channels: spec.residual,
      affine: true,
    })),
    output: geometries[1].output,
  };
}

interface Path {
  conv: Conv2dLayer;
  norm: BatchNormLayer;
}

/** Forward intermediates: conv_a out, bn_a+relu out, conv_b out, bn_b out, conv_s, bn_s out. */
interface Intermediates {
  convA: GPUBuffer;
  normA: GPUBuffer;
  convB: GPUBuffer;
  normB: GPUBuffer;
  convS?: GPUBuffer;
  normS?: GPUBuffer;
}

/** Backward intermediates; `outer` holds d(conv_b out) then d(conv_a out), `inner` d(bn_a out) then d(conv_s out). */
interface GradientBuffers {
  outer: GPUBuffer;
  inner: GPUBuffer;
  dxMain: GPUBuffer;
  dxShortcut?: GPUBuffer;
}

/** Evaluation intermediates shared by every block of a pool, by label and size. */
const sharedEvaluation = new WeakMap<BufferPool, Map<string, GPUBuffer>>();

function sharedBuffer(pool: BufferPool, label: string, bytes: number): GPUBuffer {
  let buffers = sharedEvaluation.get(pool);
  if (!buffers) sharedEvaluation.set(pool, buffers = new Map());
  const key = `${label} ${bytes}`;
  let buffer = buffers.get(key);
  if (!buffer) buffers.set(key, buffer = pool.storage(`residual evaluation ${label}`, bytes));
  return buffer;
}

export class ResidualBlockLayer implements Layer {
  readonly kind = "residual";
  readonly inPlaceBackward = false;
  readonly inputs: number;
  readonly outputs: number;
  readonly output: FeatureMaps;
  readonly a: Path;
  readonly b: Path;
  /** The projection, or undefined for the identity shortcut. */
  readonly shortcut?: Path;
  private readonly innerRelu: ReluLayer;
  private readonly training = new Map<GPUBuffer, Intermediates>();
  private readonly gradients = new Map<GPUBuffer, GradientBuffers>();

  constructor(
    readonly input: FeatureMaps,
    spec: ResidualSpec,
    blocks: readonly WeightBlock[],
    norms: readonly NormBlock[],
  ) {
    const specs = convSpecs(spec, input);
    const convA = new Conv2dLayer(blocks[0], input, specs[0]);
    const middle = convA.geometry.output;
    const convB = new Conv2dLayer(blocks[1], middle, specs[1]);
    this.output = convB.geometry.output;
    this.a = { conv: convA, norm: new BatchNormLayer(norms[0], middle) };
    this.b = { conv: convB, norm: new BatchNormLayer(norms[1], this.output) };
    if (specs.length === 3) {
      this.shortcut = {
        conv: new Conv2dLayer(blocks[2], input, specs[2]),
        norm: new BatchNormLayer(norms[2], this.output),
      };
    }
    this.inputs = input.channels * input.height * input.width;
    this.outputs = this.output.channels * this.output.height * this.output.width;
    this.innerRelu = new ReluLayer(this.outputs);
  }

  /** The conv geometries of the two main convolutions and the shortcut's (for descriptions). */
  get geometries(): ConvGeometry[] {
    return [this.a, this.b, ...(this.shortcut ? [this.shortcut] : [])].map((path) =>
      path.conv.geometry
    );
  }

  fuses(): boolean {
    return false;
  }

  private intermediates(context: LayerContext, at: LayerActivations): Intermediates {
    const bytes = 4 * context.runs * at.batch * this.outputs;
    const allocate = (label: string) =>
      at.training
        ? context.pool.storage(`${this.a.conv.block.name} block ${label}`, bytes)
        : sharedBuffer(context.pool, label, bytes);
    const make = (): Intermediates => ({
      convA: allocate("conv a output"),
      normA: allocate("bn a output"),
      convB: allocate("conv b output"),
      normB: allocate("bn b output"),
      convS: this.shortcut ? allocate("shortcut conv output") : undefined,
      normS: this.shortcut ? allocate("shortcut bn output") : undefined,
    });
    if (!at.training) return make();
    let buffers = this.training.get(at.x);
    if (!buffers) this.training.set(at.x, buffers = make());
    return buffers;
  }

  private gradientBuffers(context: LayerContext, at: LayerGradients): GradientBuffers {
    let buffers = this.gradients.get(at.x);
    if (!buffers) {
      const name = this.a.conv.block.name;
      const per = 4 * context.runs * at.batch;
      const storage = (label: string, features: number) =>
        context.pool.storage(`${name} block ${label}`, per * features);
      buffers = {
        outer: storage("outer gradient", this.outputs),
        inner: storage("inner gradient", this.outputs),
        dxMain: storage("main input gradient", this.inputs),
        dxShortcut: this.shortcut ? storage("shortcut input gradient", this.inputs) : undefined,
      };
      this.gradients.set(at.x, buffers);
    }
    return buffers;
  }

  async forward(context: LayerContext, at: LayerActivations): Promise<Dispatch[]> {
    const t = this.intermediates(context, at);
    const { batch, training } = at;
    const step = (layer: Layer, x: GPUBuffer, y: GPUBuffer, epilogue: Layer | null = null) =>
      layer.forward(context, { batch, training, x, y }, epilogue);
    const dispatches = [
      ...await step(this.a.conv, at.x, t.convA),
      ...await step(this.a.norm, t.convA, t.normA, this.innerRelu),
      ...await step(this.b.conv, t.normA, t.convB),
      ...await step(this.b.norm, t.convB, t.normB),
    ];
    if (this.shortcut) {
      dispatches.push(
        ...await step(this.shortcut.conv, at.x, t.convS!),
        ...await step(this.shortcut.norm, t.convS!, t.normS!),
      );
    }
    dispatches.push(
      await prepareAdd(context.gpu, context.pool, {
        n: context.runs * batch * this.outputs,
        a: t.normB,
        b: this.shortcut ? t.normS! : at.x,
        y: at.y,
        relu: true,
      }),
    );
    return dispatches;
  }

  async backward(context: LayerContext, at: LayerGradients): Promise<Dispatch[]> {
    const t = this.intermediates(context, at);
    const g = this.gradientBuffers(context, at);
    const { batch } = at;
    const n = context.runs * batch * this.outputs;
    const step = (layer: Layer, x: GPUBuffer, y: GPUBuffer, dy: GPUBuffer, dx: GPUBuffer | null) =>
      layer.backward(context, { batch, training: true, x, y, dy, dx });
    // dz = dy * [y > 0], in place: the block's output gradient is read by nobody else.
    const dispatches = [
      await prepareReluBackward(context.gpu, context.pool, {
        n,
        activations: at.y,
        grads: at.dy,
      }),
      ...await step(this.b.norm, t.convB, t.normB, at.dy, g.outer),
      ...await step(this.b.conv, t.normA, t.convB, g.outer, g.inner),
      await prepareReluBackward(context.gpu, context.pool, {
        n,
        activations: t.normA,
        grads: g.inner,
      }),
      ...await step(this.a.norm, t.convA, t.normA, g.inner, g.outer),
      ...await step(this.a.conv, at.x, t.convA, g.outer, at.dx ? g.dxMain : null),
    ];
    if (this.shortcut) {
      dispatches.push(
        ...await step(this.shortcut.norm, t.convS!, t.normS!, at.dy, g.inner),
        ...await step(this.shortcut.conv, at.x, t.convS!, g.inner, at.dx ? g.dxShortcut! : null),
      );
    }
    if (at.dx) {
      dispatches.push(
        await prepareAdd(context.gpu, context.pool, {
          n: context.runs * batch * this.inputs,
          a: g.dxMain,
          b: this.shortcut ? g.dxShortcut! : at.dy,
          y: at.dx,
        }),
      );
    }
    return dispatches;
  }
}
