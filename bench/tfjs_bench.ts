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
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import { Rng } from "../src/base/rng.ts";
import { acquireGpu, BufferPool, type Dispatch, readF32, Recorder } from "../src/gpu/mod.ts";
import { matmulLanes, matmulReference, type MatmulSpec, prepareMatmul } from "../src/nn/matmul.ts";
import { reduction } from "../tests/nn/ops.ts";

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

globalThis.addEventListener("unload", () => {
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
      lines.join("\n  ")
    }`,
  );
  for (const shape of shapes) {
    shape.tfA.dispose();
    shape.tfB.dispose();
  }
  pool.destroy();
});
