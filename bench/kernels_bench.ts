/**
 * Matmul throughput on named shapes, via `deno bench` (run: `deno task bench`, or with --json).
 *
 * Name: `matmul MxNxK xR <role>` for plain products, and for the LeNet-300-100 first layer at
 * batch 60 the brief's `B x in x out`-style names with the role (fwd, dW, dX) appended. Each
 * iteration records R dispatches into one command buffer, submits once and waits once, so the
 * table's time/iter covers R products; the group reports ratios against `matmul 512x512x512 x4`
 * measured in the same process (never compare against a number from another machine).
 *
 * Before timing, every shape is run once and checked against the f64 CPU reference (on sampled
 * rows for the large ones); a wrong result throws and the bench fails. A GFLOP/s summary (from
 * the same iterations deno bench times, warm-up included) goes to stderr at the end.
 *
 * 2-D convolutions (group `conv2d`, kernels/conv2d*.wgsl): `conv2d 60x64x32x32 k3 o64 <role>`
 * for the forward (fwd), input gradient (dx) and weight gradient (dw) of batch 60, 64 channels
 * of 32x32, a 3x3 kernel to 64 channels, stride 1, padding 1 (bench/conv_fixture.ts), one
 * dispatch per iteration; and the forward of 4 runs side by side in one dispatch (`x4 runs`)
 * against the same at 1 run. Each is checked against the f64 reference on samples first.
 */
import { acquireGpu, BufferPool, type Dispatch, readF32, Recorder } from "../src/gpu/mod.ts";
import { Rng } from "../src/base/rng.ts";
import {
  denseForwardSpec,
  denseInputGradSpec,
  type DenseLayerBuffers,
  denseWeightGradSpec,
} from "../src/model/dense.ts";
import { matmulReference, type MatmulSpec, prepareMatmul } from "../src/nn/matmul.ts";
import { reduction } from "../tests/nn/ops.ts";
import {
  BENCH_LAYER,
  checkConvRole,
  convFlops,
  type ConvLayer,
  type ConvRole,
  layerName,
  makeConvLayer,
  readConvOutput,
} from "./conv_fixture.ts";

const gpu = await acquireGpu();
const pool = new BufferPool(gpu.device);
const rng = new Rng(1, "kernels bench");

function uniform(n: number, lo = -1, hi = 1): Float32Array {
  return new Float32Array(n).map(() => lo + (hi - lo) * rng.nextUnit());
}

interface Shape {
  name: string;
  spec: MatmulSpec;
  repeat: number;
  baseline?: boolean;
}

const data = new Map<GPUBuffer, Float32Array>();
function upload(label: string, values: Float32Array): GPUBuffer {
  const buffer = pool.upload(label, values);
  data.set(buffer, values);
  return buffer;
}

/** Row-major A [M, K] times row-major B [K, N]. */
function plain(M: number, N: number, K: number, repeat: number, baseline = false): Shape {
  const a = upload("A", uniform(M * K)), b = upload("B", uniform(K * N));
  const c = upload("C", new Float32Array(M * N));
  return {
    name: `matmul ${M}x${N}x${K} x${repeat}`,
    repeat,
    baseline,
    spec: {
      M,
      N,
      K,
      runs: 1,
      a: { buffer: a, offset: 0, stride0: K, stride1: 1, runStride: 0 },
      b: { buffer: b, offset: 0, stride0: N, stride1: 1, runStride: 0 },
      c: { buffer: c, offset: 0, stride0: N, stride1: 1, runStride: 0 },
    },
  };
}

/** LeNet-300-100's first layer at batch 60: 784 -> 300, in a flat parameter buffer, masked and not. */
function lenet(repeat: number): Shape[] {
  const batch = 60, inputs = 784, outputs = 300;
  const paramsPerRun = inputs * outputs + outputs;
  const layer: DenseLayerBuffers = {
    inputs,
    outputs,
    batch,
    runs: 1,
    params: upload("params", uniform(paramsPerRun)),
    paramsPerRun,
    weightOffset: 0,
    biasOffset: inputs * outputs,
  };
  const mask = upload(
    "mask",
    new Float32Array(paramsPerRun).map(() => rng.nextUnit() < 0.5 ? 1 : 0),
  );
  const x = { buffer: upload("x", uniform(batch * inputs, 0, 1)), runStride: 0 };
  const y = upload("y", new Float32Array(batch * outputs));
  const dy = upload("dy", uniform(batch * outputs));
  const dx = upload("dx", new Float32Array(batch * inputs));
  const grads = upload("grads", new Float32Array(paramsPerRun));
  const name = (shape: string, role: string) => `matmul ${shape} x${repeat} ${role}`;
  return [
    {
      name: name("60x784x300", "fwd (+bias +relu +maskB)"),
      repeat,
      spec: denseForwardSpec(layer, x, y, { relu: true, mask }),
    },
    {
      name: name("300x784x60", "dW (+maskC)"),
      repeat,
      spec: denseWeightGradSpec(layer, dy, x, grads, mask),
    },
    {
      name: name("60x784x300", "dX (+maskB)"),
      repeat,
      spec: denseInputGradSpec(layer, dy, dx, mask),
    },
    // The products IMP training records (pruned weights held at 0, the optimizer masks):
    // unmasked, so the wrapper picks matmul_vec4's dot, outer and mixed forms.
    {
      name: name("60x784x300", "fwd (+bias +relu, vec4 dot)"),
      repeat,
      spec: denseForwardSpec(layer, x, y, { relu: true }),
    },
    {
      name: name("300x784x60", "dW (vec4 outer)"),
      repeat,
      spec: denseWeightGradSpec(layer, dy, x, grads),
    },
    {
      name: name("60x784x300", "dX (vec4 mixed)"),
      repeat,
      spec: denseInputGradSpec(layer, dy, dx),
    },
  ];
}

/** Runs the product once and compares sampled rows (all when small) with the f64 reference. */
async function check(shape: Shape, dispatch: Dispatch): Promise<void> {
  const { spec } = shape;
  const recorder = new Recorder(gpu.device, shape.name);
  recorder.record([dispatch]);
  recorder.submit();
  const got = await readF32(gpu.device, spec.c.buffer);
  const rows = spec.M * spec.N * spec.K <= 5e7
    ? Array.from({ length: spec.M }, (_, m) => m)
    : [0, 1, 15, 16, 17, 255, 256, spec.M >> 1, spec.M - 2, spec.M - 1];
  const tol = reduction(spec.K + (spec.bias ? 1 : 0));
  const of = (b: GPUBuffer) => data.get(b)!;
  for (const m of new Set(rows)) {
    const row = new Float64Array(got.length);
    // One row: shift A's and C's offsets to row m and set M = 1.
    matmulReference({
      ...spec,
      M: 1,
      a: { ...spec.a, offset: spec.a.offset + m * spec.a.stride0, data: of(spec.a.buffer) },
      b: { ...spec.b, data: of(spec.b.buffer) },
      c: { ...spec.c, offset: spec.c.offset + m * spec.c.stride0, data: row },
      maskB: spec.maskB && of(spec.maskB),
      bias: spec.bias && { ...spec.bias, data: of(spec.bias.buffer) },
      maskC: spec.maskC && of(spec.maskC),
    });
    for (let n = 0; n < spec.N; n++) {
      const i = spec.c.offset + m * spec.c.stride0 + n * spec.c.stride1;
      if (!(Math.abs(got[i] - row[i]) <= tol.atol + tol.rtol * Math.abs(row[i]))) {
        throw new Error(
          `${shape.name}: C(${m}, ${n}) is ${got[i]} on the GPU, ${
            row[i]
          } in the f64 reference (${tol.name})`,
        );
      }
    }
  }
}

const shapes: Shape[] = [
  plain(512, 512, 512, 4, true),
  plain(1024, 1024, 1024, 1),
  ...lenet(20),
];

const timings = new Map<string, number[]>();

for (const shape of shapes) {
  const dispatch = await prepareMatmul(gpu, pool, shape.spec);
  await check(shape, dispatch);
  gpu.throwIfFailed();
  const dispatches = Array.from({ length: shape.repeat }, () => dispatch);
  const times: number[] = [];
  timings.set(shape.name, times);
  Deno.bench({
    name: shape.name,
    group: "matmul",
    baseline: shape.baseline,
    // A few iterations suffice for work of 0.1-2 s per iteration on a CPU adapter.
    n: 10,
    warmup: 2,
    async fn() {
      const start = performance.now();
      const recorder = new Recorder(gpu.device, shape.name);
      recorder.record(dispatches);
      recorder.submit();
      await gpu.device.queue.onSubmittedWorkDone();
      times.push(performance.now() - start);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// 2-D convolutions

interface ConvBench {
  name: string;
  layer: ConvLayer;
  role: ConvRole;
  times: number[];
}

const oneRun = await makeConvLayer(gpu, pool, { ...BENCH_LAYER, runs: 1 });
const fourRuns = await makeConvLayer(gpu, pool, { ...BENCH_LAYER, runs: 4 });
/**
 * A small layer (weak-lth-conv's quick Conv-2: 4 to 4 channels on 28x28, 3 runs): its weight
 * gradient split over the batch (the default below 65,536 weights) against one pass over it.
 */
const SMALL_LAYER = {
  batch: 60,
  inChannels: 4,
  height: 28,
  width: 28,
  outChannels: 4,
  kernel: 3,
  stride: 1,
  padding: 1,
};
const smallSliced = await makeConvLayer(gpu, pool, { ...SMALL_LAYER, runs: 3 });
const smallWhole = await makeConvLayer(gpu, pool, { ...SMALL_LAYER, runs: 3 }, 1, {
  batchPerSlice: SMALL_LAYER.batch,
});
const convBenches: ConvBench[] = [
  ...(["fwd", "dx", "dw"] as const).map((role) => ({
    name: `${layerName(BENCH_LAYER)} ${role}`,
    layer: oneRun,
    role,
    times: [],
  })),
  { name: `${layerName(BENCH_LAYER)} fwd x4 runs`, layer: fourRuns, role: "fwd", times: [] },
  {
    name: `${layerName(SMALL_LAYER)} x3 runs dw sliced`,
    layer: smallSliced,
    role: "dw",
    times: [],
  },
  {
    name: `${layerName(SMALL_LAYER)} x3 runs dw whole batch`,
    layer: smallWhole,
    role: "dw",
    times: [],
  },
];

for (const bench of convBenches) {
  const recorder = new Recorder(gpu.device, bench.name);
  recorder.record(bench.layer.dispatches[bench.role]);
  recorder.submit();
  checkConvRole(bench.layer, bench.role, await readConvOutput(gpu, bench.layer, bench.role));
  gpu.throwIfFailed();
  Deno.bench({
    name: bench.name,
    group: bench.layer === smallSliced || bench.layer === smallWhole ? "conv2d small dw" : "conv2d",
    baseline: (bench.role === "fwd" && bench.layer === oneRun) || bench.layer === smallWhole,
    // 0.1-2 s per iteration on a CPU adapter.
    n: 5,
    warmup: 1,
    async fn() {
      const start = performance.now();
      const recorder = new Recorder(gpu.device, bench.name);
      recorder.record(bench.layer.dispatches[bench.role]);
      recorder.submit();
      await gpu.device.queue.onSubmittedWorkDone();
      bench.times.push(performance.now() - start);
    },
  });
}

globalThis.addEventListener("unload", () => {
  const convLines = convBenches.map(({ name, layer, times }) => {
    if (times.length === 0) return `${name}: not run`;
    const median = [...times].sort((a, b) => a - b)[times.length >> 1];
    return `${name}: ${(convFlops(layer) / (median / 1000) / 1e9).toFixed(2)} GFLOP/s (median ${
      median.toFixed(1)
    } ms/iter over ${times.length})`;
  });
  const lines = shapes.map((shape) => {
    const times = timings.get(shape.name) ?? [];
    if (times.length === 0) return `${shape.name}: not run`;
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1] / 1000;
    const { M, N, K, runs } = shape.spec;
    const gflops = (2 * M * N * K * runs * shape.repeat) / median / 1e9;
    return `${shape.name}: ${gflops.toFixed(2)} GFLOP/s (median ${
      (median * 1000).toFixed(1)
    } ms/iter over ${times.length})`;
  });
  console.error(
    `GFLOP/s on ${gpu.provenance.description}:\n  ${[...lines, ...convLines].join("\n  ")}`,
  );
  pool.destroy();
});
