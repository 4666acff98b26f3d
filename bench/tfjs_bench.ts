/**
 * Our matmul (prepareMatmul) next to @tensorflow/tfjs-backend-webgpu's tf.matMul, measured in
 * the same process on the same adapter: both request the high-performance adapter from Deno's
 * navigator.gpu after acquireGpu() has fixed the backend, and the summary prints both adapters'
 * names. This file may import npm packages; bench/kernels_bench.ts and bench/train_bench.ts
 * must not (they run on machines without node_modules).
 *
 * Names: `matmul MxNxK xR ours|tfjs-webgpu`, one group per shape with ours as the baseline.
 * One iteration = R products of row-major A [M, K] by B [K, N] (the same inputs for both) and
 * one readback of the last result (tfjs: `await data()`, ours: readF32), so both pay one wait
 * and one 4*M*N-byte copy. Before timing, tfjs's result is checked against ours, and ours
 * against the f64 CPU reference on sampled rows. A GFLOP/s summary goes to stderr at the end.
 *
 * 2-D convolutions, `conv2d 60x64x32x32 k3 o64 <role> <who>` (bench/conv_fixture.ts: batch 60,
 * 64 channels of 32x32, 3x3 kernel to 64 channels, stride 1, padding 1), one group per role
 * with ours (kernels/conv2d*.wgsl) as the baseline: fwd against tf.conv2d, dx against tfjs's
 * Conv2DBackpropInput and dw against its Conv2DBackpropFilter (the kernels tf.grads runs for
 * conv2d, called directly so no forward pass is timed with them), each in NCHW (our layout, the
 * same tensors) and, for fwd and dx, in NHWC too (tfjs's own layout, where it has a tiled dx;
 * inputs transposed once, outside the timing). tfjs's dw in NHWC takes about 35 s per call on
 * lavapipe and is left out. The fwd group also times the existing matmul on the GEMM that
 * im2col + matmul would run (M = 60*32*32, N = 64, K = 576, as two dispatches of 30720 rows: one
 * A of 61440 x 576 f32 exceeds the 128 MiB binding limit), with A = im2col(x) built on the CPU,
 * i.e. the least an im2col approach costs (no im2col pass, no transpose to NCHW). One iteration
 * = one op and one readback of its output. Ours is checked against the f64 reference (samples),
 * tfjs and the GEMM against ours everywhere, before timing. Because deno bench times one entry
 * after another, the summary also gives ours against the GEMM alternating in one loop.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import { Rng } from "../src/base/rng.ts";
import { acquireGpu, BufferPool, type Dispatch, readF32, Recorder } from "../src/gpu/mod.ts";
import { matmulLanes, matmulReference, type MatmulSpec, prepareMatmul } from "../src/nn/matmul.ts";
import { reduction } from "../tests/nn/ops.ts";
import {
  BENCH_LAYER,
  checkConvRole,
  convFlops,
  type ConvRole,
  layerName,
  makeConvLayer,
  readConvOutput,
} from "./conv_fixture.ts";

const gpu = await acquireGpu();
const pool = new BufferPool(gpu.device);
if (!(await tf.setBackend("webgpu"))) {
  throw new Error("tfjs could not initialise its webgpu backend under Deno's WebGPU");
}
await tf.ready();
const tfjsAdapter = (tf.backend() as unknown as {
  adapterInfo?: { vendor?: string; architecture?: string };
}).adapterInfo;

/** More products per iteration on a real GPU, where one 1024^3 product takes well under 1 ms. */
const cpuAdapter = matmulLanes(gpu) === 8;
const rng = new Rng(2, "tfjs bench");

interface Shape {
  n: number;
  repeat: number;
  a: Float32Array;
  b: Float32Array;
  spec: MatmulSpec;
  dispatch: Dispatch;
  tfA: tf.Tensor2D;
  tfB: tf.Tensor2D;
  times: { ours: number[]; tfjs: number[] };
}

async function makeShape(n: number, repeat: number): Promise<Shape> {
  const a = new Float32Array(n * n).map(() => 2 * rng.nextUnit() - 1);
  const b = new Float32Array(n * n).map(() => 2 * rng.nextUnit() - 1);
  const view = (buffer: GPUBuffer) => ({ buffer, offset: 0, stride0: n, stride1: 1, runStride: 0 });
  const spec: MatmulSpec = {
    M: n,
    N: n,
    K: n,
    runs: 1,
    a: view(pool.upload("A", a)),
    b: view(pool.upload("B", b)),
    c: view(pool.storage("C", 4 * n * n)),
  };
  return {
    n,
    repeat,
    a,
    b,
    spec,
    dispatch: await prepareMatmul(gpu, pool, spec),
    tfA: tf.tensor2d(a, [n, n]),
    tfB: tf.tensor2d(b, [n, n]),
    times: { ours: [], tfjs: [] },
  };
}

async function runOurs(shape: Shape): Promise<Float32Array> {
  const recorder = new Recorder(gpu.device, "ours");
  for (let r = 0; r < shape.repeat; r++) recorder.record([shape.dispatch]);
  recorder.submit();
  return await readF32(gpu.device, shape.spec.c.buffer);
}

async function runTfjs(shape: Shape): Promise<Float32Array> {
  const c = tf.tidy(() => {
    let out = tf.matMul(shape.tfA, shape.tfB);
    for (let r = 1; r < shape.repeat; r++) {
      out.dispose();
      out = tf.matMul(shape.tfA, shape.tfB);
    }
    return out;
  });
  const values = await c.data<"float32">();
  c.dispose();
  return values as Float32Array;
}

/** tfjs against ours everywhere, ours against the f64 reference on sampled rows. */
async function check(shape: Shape): Promise<void> {
  const { n } = shape;
  const ours = await runOurs(shape);
  const theirs = await runTfjs(shape);
  gpu.throwIfFailed();
  const tol = reduction(n);
  const within = (x: number, y: number, scale: number) =>
    Math.abs(x - y) <= scale * (tol.atol + tol.rtol * Math.abs(y));
  for (const m of [0, 1, n >> 1, n - 1]) {
    const row = new Float64Array(n);
    matmulReference({
      M: 1,
      N: n,
      K: n,
      runs: 1,
      a: { data: shape.a, offset: m * n, stride0: n, stride1: 1, runStride: 0 },
      b: { data: shape.b, offset: 0, stride0: n, stride1: 1, runStride: 0 },
      c: { data: row, offset: 0, stride0: n, stride1: 1, runStride: 0 },
    });
    for (let j = 0; j < n; j++) {
      if (!within(ours[m * n + j], row[j], 1)) {
        throw new Error(`ours ${n}^3: C(${m}, ${j}) = ${ours[m * n + j]}, reference ${row[j]}`);
      }
    }
  }
  // Both are f32 sums in some order: twice the one-sided tolerance.
  for (let i = 0; i < n * n; i++) {
    if (!within(theirs[i], ours[i], 2)) {
      throw new Error(`tfjs ${n}^3: C[${i}] = ${theirs[i]}, ours ${ours[i]}`);
    }
  }
}

const shapes = [
  await makeShape(512, cpuAdapter ? 4 : 64),
  await makeShape(1024, cpuAdapter ? 1 : 16),
];

for (const shape of shapes) {
  await check(shape); // also compiles both sides' pipelines before timing
  const { n, repeat } = shape;
  const group = `matmul ${n}^3 vs tfjs`;
  for (const who of ["ours", "tfjs"] as const) {
    Deno.bench({
      name: `matmul ${n}x${n}x${n} x${repeat} ${who === "ours" ? "ours" : "tfjs-webgpu"}`,
      group,
      baseline: who === "ours",
      n: 10,
      warmup: 2,
      async fn() {
        const start = performance.now();
        await (who === "ours" ? runOurs(shape) : runTfjs(shape));
        shape.times[who].push(performance.now() - start);
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 2-D convolutions

const conv = await makeConvLayer(gpu, pool, { ...BENCH_LAYER, runs: 1 });
const cg = conv.g;
const nchwX = [cg.batch, cg.inChannels, cg.height, cg.width] as const;
const nchwY = [cg.batch, cg.outChannels, cg.outHeight, cg.outWidth] as const;
const K = cg.inChannels * cg.kernel * cg.kernel;
/** tfjs's filter layout [kh, kw, C, O] from ours [O, C, kh, kw]. */
const hwio = new Float32Array(K * cg.outChannels);
for (let o = 0; o < cg.outChannels; o++) {
  for (let c = 0; c < cg.inChannels; c++) {
    for (let kh = 0; kh < cg.kernel; kh++) {
      for (let kw = 0; kw < cg.kernel; kw++) {
        hwio[((kh * cg.kernel + kw) * cg.inChannels + c) * cg.outChannels + o] =
          conv.params[((o * cg.inChannels + c) * cg.kernel + kh) * cg.kernel + kw];
      }
    }
  }
}
const tfConv = {
  x: { NCHW: tf.tensor4d(conv.x, [...nchwX]), NHWC: null as unknown as tf.Tensor4D },
  dy: { NCHW: tf.tensor4d(conv.dy, [...nchwY]), NHWC: null as unknown as tf.Tensor4D },
  filter: tf.tensor4d(hwio, [cg.kernel, cg.kernel, cg.inChannels, cg.outChannels]),
};
tfConv.x.NHWC = tf.transpose(tfConv.x.NCHW, [0, 2, 3, 1]);
tfConv.dy.NHWC = tf.transpose(tfConv.dy.NCHW, [0, 2, 3, 1]);

type Layout = "NCHW" | "NHWC";
const convAttrs = (layout: Layout) => ({
  strides: cg.stride,
  pad: cg.padding,
  dataFormat: layout,
});

/** tfjs's op for a role, in NCHW or NHWC; the result in NCHW after the timed readback. */
function tfjsConv(role: ConvRole, layout: Layout): tf.Tensor {
  const x = tfConv.x[layout], dy = tfConv.dy[layout];
  switch (role) {
    case "fwd":
      return tf.conv2d(x, tfConv.filter, cg.stride, cg.padding, layout);
    case "dx":
      return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: tfConv.filter }, {
        ...convAttrs(layout),
        inputShape: x.shape,
      }) as tf.Tensor;
    case "dw":
      return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        ...convAttrs(layout),
        filterShape: tfConv.filter.shape,
      }) as tf.Tensor;
  }
}

async function runTfjsConv(role: ConvRole, layout: Layout): Promise<tf.Tensor> {
  const out = tfjsConv(role, layout);
  await out.data();
  return out;
}

async function runOursConv(role: ConvRole): Promise<Float32Array> {
  const recorder = new Recorder(gpu.device, `conv ${role}`);
  recorder.record(conv.dispatches[role]);
  recorder.submit();
  return await readConvOutput(gpu, conv, role);
}

/** tfjs's result in our layout: NCHW activations, [O, C, kh, kw] weights. */
async function tfjsAsOurs(role: ConvRole, layout: Layout, out: tf.Tensor): Promise<Float32Array> {
  const ours = tf.tidy(() =>
    role === "dw"
      ? tf.transpose(out, [3, 2, 0, 1])
      : layout === "NHWC"
      ? tf.transpose(out, [0, 3, 1, 2])
      : out.clone()
  );
  const values = await ours.data<"float32">() as Float32Array;
  ours.dispose();
  return values;
}

/** im2col(x) as two row-major [M/2, K] halves, C = A.W^T into one [M, N] buffer. */
const gemmRows = cg.batch * cg.outHeight * cg.outWidth;
const half = gemmRows / 2;
const im2col = [0, 1].map((h) => {
  const a = new Float32Array(half * K);
  for (let m = 0; m < half; m++) {
    const row = h * half + m;
    const b = Math.floor(row / (cg.outHeight * cg.outWidth));
    const pix = row % (cg.outHeight * cg.outWidth);
    const oh = Math.floor(pix / cg.outWidth), ow = pix % cg.outWidth;
    for (let c = 0; c < cg.inChannels; c++) {
      for (let kh = 0; kh < cg.kernel; kh++) {
        for (let kw = 0; kw < cg.kernel; kw++) {
          const ih = oh * cg.stride - cg.padding + kh, iw = ow * cg.stride - cg.padding + kw;
          const inside = ih >= 0 && ih < cg.height && iw >= 0 && iw < cg.width;
          a[m * K + (c * cg.kernel + kh) * cg.kernel + kw] = inside
            ? conv.x[((b * cg.inChannels + c) * cg.height + ih) * cg.width + iw]
            : 0;
        }
      }
    }
  }
  return pool.upload(`im2col half ${h}`, a);
});
const gemmC = pool.storage("im2col GEMM C", 4 * gemmRows * cg.outChannels);
const gemmDispatches = await Promise.all([0, 1].map((h) =>
  prepareMatmul(gpu, pool, {
    M: half,
    N: cg.outChannels,
    K,
    runs: 1,
    a: { buffer: im2col[h], offset: 0, stride0: K, stride1: 1, runStride: 0 },
    // B(k, o) = W[o, k]: W's [O, C*k*k] rows read transposed.
    b: { buffer: conv.buffers.params, offset: 0, stride0: 1, stride1: K, runStride: 0 },
    c: {
      buffer: gemmC,
      offset: h * half * cg.outChannels,
      stride0: cg.outChannels,
      stride1: 1,
      runStride: 0,
    },
  })
));

async function runGemm(): Promise<Float32Array> {
  const recorder = new Recorder(gpu.device, "im2col GEMM");
  recorder.record(gemmDispatches);
  recorder.submit();
  return await readF32(gpu.device, gemmC);
}

/** Two f32 results of the same sum (in different orders): twice the one-sided tolerance. */
function assertAgree(what: string, got: Float32Array, ours: Float32Array, K: number): void {
  const tol = reduction(K);
  for (let i = 0; i < ours.length; i++) {
    if (!(Math.abs(got[i] - ours[i]) <= 2 * (tol.atol + tol.rtol * Math.abs(ours[i])))) {
      throw new Error(`${what}: element ${i} is ${got[i]}, ours ${ours[i]} (2 x ${tol.name})`);
    }
  }
}

const reductionOf: Record<ConvRole, number> = {
  fwd: K,
  dx: cg.outChannels * cg.kernel * cg.kernel,
  dw: cg.batch * cg.outHeight * cg.outWidth,
};

interface ConvEntry {
  role: ConvRole;
  who: "ours" | "tfjs-webgpu NCHW" | "tfjs-webgpu NHWC" | "matmul im2col GEMM";
  times: number[];
  calls: number;
  run: () => Promise<unknown>;
}

const convEntries: ConvEntry[] = [];
/** tfjs results that disagree with ours (ours having matched the f64 reference). */
const wrongTfjs: string[] = [];
for (const role of ["fwd", "dx", "dw"] as const) {
  const ours = await runOursConv(role);
  gpu.throwIfFailed();
  checkConvRole(conv, role, ours);
  convEntries.push({ role, who: "ours", times: [], calls: 0, run: () => runOursConv(role) });
  for (const layout of role === "dw" ? ["NCHW"] as const : ["NCHW", "NHWC"] as const) {
    const out = await runTfjsConv(role, layout);
    const theirs = await tfjsAsOurs(role, layout, out);
    out.dispose();
    try {
      assertAgree(`tfjs-webgpu ${role} ${layout}`, theirs, ours, reductionOf[role]);
    } catch (error) {
      // A wrong result is no speed to compare with: say so and leave it out of the timing.
      wrongTfjs.push(`${(error as Error).message}; not timed`);
      continue;
    }
    convEntries.push({
      role,
      who: `tfjs-webgpu ${layout}`,
      times: [],
      calls: 0,
      run: async () => (await runTfjsConv(role, layout)).dispose(),
    });
  }
  if (role === "fwd") {
    // C[m, o] = y[b, o, pix] with m = b*OH*OW + pix.
    const c = await runGemm();
    const asNchw = new Float32Array(ours.length);
    const pixels = cg.outHeight * cg.outWidth;
    for (let m = 0; m < gemmRows; m++) {
      const b = Math.floor(m / pixels), pix = m % pixels;
      for (let o = 0; o < cg.outChannels; o++) {
        asNchw[(b * cg.outChannels + o) * pixels + pix] = c[m * cg.outChannels + o];
      }
    }
    assertAgree("im2col GEMM", asNchw, ours, K);
    convEntries.push({ role, who: "matmul im2col GEMM", times: [], calls: 0, run: runGemm });
  }
}

/**
 * Ours against the im2col GEMM alone, alternating in one loop (deno bench times one entry after
 * another, so load from other processes can favour either): medians of 5 rounds after one, each
 * one submit and one wait, no readback.
 */
async function interleavedForward(): Promise<{ ours: number; gemm: number }> {
  const times = { ours: [] as number[], gemm: [] as number[] };
  for (let round = 0; round < 6; round++) {
    for (const who of ["ours", "gemm"] as const) {
      const start = performance.now();
      const recorder = new Recorder(gpu.device, `interleaved ${who}`);
      recorder.record(who === "ours" ? conv.dispatches.fwd : gemmDispatches);
      recorder.submit();
      await gpu.device.queue.onSubmittedWorkDone();
      if (round > 0) times[who].push(performance.now() - start);
    }
  }
  return { ours: median(times.ours), gemm: median(times.gemm) };
}
const interleaved = await interleavedForward();

for (const entry of convEntries) {
  const slow = entry.who.startsWith("tfjs") && entry.role !== "fwd";
  Deno.bench({
    name: `${layerName(BENCH_LAYER)} ${entry.role} ${entry.who}`,
    group: `${layerName(BENCH_LAYER)} ${entry.role}`,
    baseline: entry.who === "ours",
    // tfjs's dx and dw take 2-10 s per call on a CPU adapter: one timed call after the warm-up
    // (the check before compiled its pipelines), to keep a run of this file under 3 minutes.
    n: cpuAdapter && slow ? 1 : 5,
    warmup: 1,
    async fn() {
      const start = performance.now();
      await entry.run();
      // The summary leaves out the warm-up call (deno bench's table does too).
      if (entry.calls++ > 0) entry.times.push(performance.now() - start);
    },
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

globalThis.addEventListener("unload", () => {
  const convLines = convEntries.map(({ role, who, times }) => {
    const name = `${layerName(BENCH_LAYER)} ${role} ${who}`;
    if (times.length === 0) return `${name}: not run`;
    const ours = convEntries.find((e) => e.role === role && e.who === "ours")!.times;
    const ms = median(times);
    const ratio = ours.length ? ` = ${(ms / median(ours)).toFixed(2)} x ours` : "";
    return `${name}: ${ms.toFixed(1)} ms/iter, ${
      (convFlops(conv) / (ms / 1000) / 1e9).toFixed(2)
    } GFLOP/s${who === "ours" ? "" : ratio} (median of ${times.length})`;
  });
  convLines.push(
    `${layerName(BENCH_LAYER)} fwd, alternating in one loop without readback: ours ${
      interleaved.ours.toFixed(1)
    } ms, matmul im2col GEMM ${interleaved.gemm.toFixed(1)} ms = ${
      (interleaved.gemm / interleaved.ours).toFixed(2)
    } x ours`,
    ...wrongTfjs,
  );
  const lines = shapes.map((shape) => {
    const { n, repeat, times } = shape;
    if (times.ours.length === 0 || times.tfjs.length === 0) return `matmul ${n}^3: not run`;
    const flops = 2 * n ** 3 * repeat;
    const ours = flops / (median(times.ours) / 1000) / 1e9;
    const theirs = flops / (median(times.tfjs) / 1000) / 1e9;
    return `matmul ${n}x${n}x${n} x${repeat}: ours ${ours.toFixed(2)} GFLOP/s, tfjs-webgpu ${
      theirs.toFixed(2)
    } GFLOP/s, ratio ${
      (ours / theirs).toFixed(2)
    }x (medians over ${times.ours.length} / ${times.tfjs.length} iterations, one readback each)`;
  });
  console.error(
    `ours on ${gpu.provenance.description} (${gpu.provenance.backend}); tfjs-webgpu on vendor "${
      tfjsAdapter?.vendor ?? "?"
    }", architecture "${
      tfjsAdapter?.architecture ?? "?"
    }" (ours: vendor "${gpu.provenance.vendor}", architecture "${gpu.provenance.architecture}"):\n  ${
      [...lines, ...convLines].join("\n  ")
    }`,
  );
  for (const shape of shapes) {
    shape.tfA.dispose();
    shape.tfB.dispose();
  }
  for (const t of [tfConv.x.NCHW, tfConv.x.NHWC, tfConv.dy.NCHW, tfConv.dy.NHWC, tfConv.filter]) {
    t.dispose();
  }
  pool.destroy();
});
