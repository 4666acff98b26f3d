/**
 * The op table's biprop entries (kernels/biprop_gain.wgsl, kernels/binarize_weights.wgsl):
 * segment lengths around the 256 lanes, segments that keep nothing, zero and tied weights,
 * several runs, LeNet-300-100's layers, and outputs pre-filled with noise so an entry a kernel
 * should not touch (a gap between segments, another run) shows up.
 */
import type { Rng } from "../../src/base/rng.ts";
import { readF32 } from "../../src/gpu/mod.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import {
  type BinarizeSegment,
  binarizeWeightsReference,
  type BinarizeWeightsSpec,
  prepareBinarizeWeights,
} from "../../src/nn/binarize_weights.ts";
import {
  bipropGainReference,
  type BipropGainSpec,
  type GainSegment,
  prepareBipropGain,
} from "../../src/nn/biprop_gain.ts";
import { submit, uniformF32 } from "../fixtures/gpu.ts";
import { EXACT, type Op, type OpCase, type OpContext, type OpResult } from "./op_kit.ts";

/** Past 65535 workgroups of 256 a flat kernel also uses the dispatch's y dimension. */
const BEYOND_ONE_DIMENSION = 65535 * 256 + 77;

/** Weights: normal(0, 1), or tied magnitudes +-{0, 0.25, 0.5, 1, 2} with +0 and -0. */
function weightValues(rng: Rng, n: number, ties: boolean): Float32Array {
  const out = new Float32Array(n);
  const levels = [0, 0.25, 0.5, 1, 2];
  for (let i = 0; i < n; i++) {
    out[i] = ties
      ? (rng.nextUnit() < 0.5 ? -1 : 1) * levels[rng.nextInt(levels.length)]
      : rng.nextNormal();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// biprop_gain

interface GainCase extends OpCase {
  /** Segment lengths and the fraction of each a mask keeps (exactly round(fraction * length)). */
  lengths: readonly number[];
  keep: readonly number[];
  runs: number;
  ties: boolean;
}

function gainCase(
  lengths: number[],
  keep: number[],
  runs: number,
  ties = false,
  label = "",
): GainCase {
  const sizes = lengths.map((n, i) => `${n}@${keep[i]}`).join(",");
  const name = `segments ${sizes} runs=${runs}${ties ? " (ties, zeros)" : ""}${
    label ? " " + label : ""
  }`;
  return { name, lengths, keep, runs, ties };
}

/**
 * A sum of n non-negative f32 terms (|w| * m is exact for m in {0, 1}): each lane adds
 * ceil(n / 256) of them in order, then 8 tree levels, each add rounding by at most 2^-24
 * relative (no cancellation, so the relative errors add up), then the division (WGSL allows
 * 2.5 ULP). rtol is twice that first-order bound; a missing or extra term, or a wrong count, is
 * off by about 1/n relative or more, far outside it for every case here.
 */
function gainTolerance(c: GainCase) {
  const longest = Math.max(...c.lengths);
  return {
    name: `positive sum of <= ${longest} terms / count`,
    atol: 0,
    rtol: 2 * (Math.ceil(longest / 256) + 8 + 5) * 2 ** -24,
  };
}

/**
 * Per run the segments lie one after another with a gap of 3 (weights) or 2 (masks) before each;
 * the gains of run r start at 1 + r * (segments + 2), the rest pre-filled with noise that must
 * stay. Each mask keeps exactly round(keep * length) entries at random positions.
 */
async function runGain(ctx: OpContext, c: GainCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const segments: GainSegment[] = [];
  let weightAt = 0, maskAt = 1;
  for (const length of c.lengths) {
    weightAt += 3;
    maskAt += 2;
    segments.push({ weightOffset: weightAt, maskOffset: maskAt, length });
    weightAt += length;
    maskAt += length;
  }
  const weightRunStride = weightAt + 1, maskRunStride = maskAt + 5;
  const weights = weightValues(rng, c.runs * weightRunStride, c.ties);
  // Noise outside the segments: a kernel reading past a segment would pick it up.
  const masks = uniformF32(rng, c.runs * maskRunStride + 3, 0.5, 2);
  for (let r = 0; r < c.runs; r++) {
    segments.forEach((seg, s) => {
      const kept = Math.round(c.keep[s] * seg.length);
      const order = Array.from({ length: seg.length }, (_, i) => i);
      rng.shuffle(order);
      const m0 = seg.maskOffset + r * maskRunStride;
      order.forEach((i, rank) => masks[m0 + i] = rank < kept ? 1 : 0);
    });
  }
  const gainRunStride = segments.length + 2;
  const gains = uniformF32(rng, 1 + c.runs * gainRunStride + 2, 5, 9);
  const geometry: Omit<BipropGainSpec, "weights" | "masks" | "gains"> = {
    runs: c.runs,
    segments,
    weightRunStride,
    maskRunStride,
    gainOffset: 1,
    gainRunStride,
  };
  const spec: BipropGainSpec = {
    ...geometry,
    weights: pool.upload("W", weights),
    masks: pool.upload("M", masks),
    gains: pool.upload("A", gains),
  };
  submit(gpu, [await prepareBipropGain(gpu, pool, spec)]);
  const ref = Float64Array.from(gains);
  bipropGainReference(weights, masks, ref, geometry);
  return { gpu: { A: await readF32(gpu.device, spec.gains) }, reference: { A: ref } };
}

// ---------------------------------------------------------------------------------------------
// binarize_weights

interface BinarizeCase extends OpCase {
  /** Entries per run. */
  n: number;
  segments: readonly BinarizeSegment[];
  runs: number;
  ties: boolean;
}

/** LeNet-300-100's layout: three weight blocks with their biases (and padding) between them. */
const LENET = mlpLayout([784, 300, 100, 10]);

function binarizeCase(
  label: string,
  n: number,
  segments: BinarizeSegment[],
  runs: number,
  ties = false,
): BinarizeCase {
  return {
    name: `${label} n=${n} runs=${runs}${ties ? " (ties, zeros)" : ""}`,
    n,
    segments,
    runs,
    ties,
  };
}

/** `count` segments of lengths 0..9 (some empty) with gaps of 0..2 between them, and their n. */
function manySegments(count: number): { n: number; segments: BinarizeSegment[] } {
  const segments: BinarizeSegment[] = [];
  let at = 0;
  for (let s = 0; s < count; s++) {
    at += s % 3;
    const length = (s * 7) % 10;
    segments.push({ start: at, length });
    at += length;
  }
  return { n: at + 1, segments };
}

const MANY = manySegments(37);

/**
 * Weights at offset 2 with run stride n + 3, outputs at offset 1 with run stride n + 1 and noise
 * around them; gains of run r at 3 + r * (segments + 1), one in four of them 0 (a layer that
 * keeps nothing).
 */
async function runBinarize(ctx: OpContext, c: BinarizeCase): Promise<OpResult> {
  const { gpu, pool, rng } = ctx;
  const geometry: Omit<BinarizeWeightsSpec, "weights" | "gains" | "output"> = {
    n: c.n,
    runs: c.runs,
    segments: c.segments,
    weightOffset: 2,
    weightRunStride: c.n + 3,
    gainOffset: 3,
    gainRunStride: c.segments.length + 1,
    outputOffset: 1,
    outputRunStride: c.n + 1,
  };
  const weights = weightValues(rng, 2 + c.runs * (c.n + 3), c.ties);
  const gains = uniformF32(rng, 3 + c.runs * (c.segments.length + 1), 0.01, 3);
  for (let i = 0; i < gains.length; i++) if (rng.nextInt(4) === 0) gains[i] = 0;
  const output = uniformF32(rng, 1 + c.runs * (c.n + 1) + 2, 5, 9);
  const spec: BinarizeWeightsSpec = {
    ...geometry,
    weights: pool.upload("W", weights),
    gains: pool.upload("A", gains),
    output: pool.upload("Y", output),
  };
  submit(gpu, [await prepareBinarizeWeights(gpu, pool, spec)]);
  const ref = Float64Array.from(output);
  binarizeWeightsReference(weights, gains, ref, geometry);
  return { gpu: { Y: await readF32(gpu.device, spec.output) }, reference: { Y: ref } };
}

const LENET_WEIGHTS = LENET.layers.map((l) => l.inputs * l.outputs);

export const BIPROP_OPS: readonly Op[] = [
  {
    name: "biprop_gain",
    kernel: "biprop_gain",
    cases: [
      gainCase([1], [1], 1),
      gainCase([1], [0], 1, false, "(keeps nothing)"),
      gainCase([7, 13], [3 / 7, 0], 2, true, "(one keeps nothing)"),
      gainCase([255, 256, 257, 513], [0.5, 1, 0.1, 1 / 513], 3),
      gainCase([1000, 7, 300], [0.5, 0.5, 0.1], 2, true),
      gainCase(LENET_WEIGHTS, [0.3, 0.5, 0.9], 2, false, "(LeNet-300-100)"),
    ],
    tolerance: (c) => gainTolerance(c),
    run: runGain,
  } as Op<GainCase>,
  {
    name: "binarize_weights",
    kernel: "binarize_weights",
    cases: [
      binarizeCase("one entry", 1, [{ start: 0, length: 1 }], 1),
      binarizeCase(
        "empty segment, gap",
        7,
        [{ start: 0, length: 0 }, { start: 1, length: 3 }, {
          start: 5,
          length: 2,
        }],
        2,
        true,
      ),
      binarizeCase("37 segments", MANY.n, MANY.segments, 3, true),
      binarizeCase(
        "LeNet-300-100 layout",
        LENET.perRun,
        LENET.layers.map((l) => ({ start: l.weightOffset, length: l.inputs * l.outputs })),
        2,
      ),
      binarizeCase(
        "65535*256+77 entries (2-D dispatch)",
        BEYOND_ONE_DIMENSION,
        [
          { start: 3, length: 9_000_000 },
          { start: 9_000_011, length: BEYOND_ONE_DIMENSION - 9_000_011 - 1 },
        ],
        1,
        true,
      ),
    ],
    tolerance: () => EXACT,
    run: runBinarize,
  } as Op<BinarizeCase>,
];
