/**
 * "Exactly zero" is numeric (=== 0): the kernels zero pruned entries by multiplying with the
 * mask, so x * 0 keeps x's sign and a pruned entry may read back as -0.
 *
 * What random samples miss (docs/architecture.md): ReLU'(0) = 0; pruned weights get exactly zero
 * gradient and stay exactly zero under Adam, moments included; S runs batched in one dispatch
 * are bit-identical to the same runs dispatched one at a time; a dispatch run twice gives the
 * same bytes.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool, type Dispatch, readF32 } from "../../src/gpu/mod.ts";
import { adamCorrections, type AdamHyper, prepareAdam } from "../../src/nn/adam.ts";
import { prepareAdvanceStep } from "../../src/nn/advance_step.ts";
import { prepareBiasGrad } from "../../src/nn/bias_grad.ts";
import {
  denseForwardSpec,
  type DenseLayerBuffers,
  denseWeightGradSpec,
} from "../../src/model/dense.ts";
import { type MatmulSpec, prepareMatmul } from "../../src/nn/matmul.ts";
import { OPS } from "./ops.ts";
import { prepareReluBackward } from "../../src/nn/relu_backward.ts";
import { prepareSoftmaxXent } from "../../src/nn/softmax_xent.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { maskF32, scoped, submit, uniformF32 } from "../fixtures/gpu.ts";

const SEED = 7;

/** Asserts byte equality, naming the first differing element. */
function assertSameBytes(what: string, a: Float32Array, b: Float32Array): void {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      assert.fail(
        `${what}: element ${i} differs: ${a[i]} (0x${ua[i].toString(16)}) vs ${b[i]} (0x${
          ub[i].toString(16)
        })`,
      );
    }
  }
}

/** A dense layer of `runs` runs in flat params [W out*in | b out | pad 1] per run. */
function denseLayer(
  pool: BufferPool,
  params: Float32Array,
  shape: { batch: number; inputs: number; outputs: number; runs: number },
): DenseLayerBuffers {
  const paramsPerRun = shape.outputs * shape.inputs + shape.outputs + 1;
  assert.equal(params.length, shape.runs * paramsPerRun);
  return {
    ...shape,
    params: pool.upload("params", params),
    paramsPerRun,
    weightOffset: 0,
    biasOffset: shape.outputs * shape.inputs,
  };
}

function paramsPerRun(shape: { inputs: number; outputs: number }): number {
  return shape.outputs * shape.inputs + shape.outputs + 1;
}

/** The same matmul restricted to run r: runs = 1 and every offset moved to run r's data. */
function singleRun(spec: MatmulSpec, r: number, c: GPUBuffer): MatmulSpec {
  const at = <V extends { offset: number; runStride: number }>(v: V): V => ({
    ...v,
    offset: v.offset + r * v.runStride,
  });
  return {
    ...spec,
    runs: 1,
    a: at(spec.a),
    b: at(spec.b),
    c: at({ ...spec.c, buffer: c }),
    bias: spec.bias && at(spec.bias),
  };
}

gpuTest("ReLU'(0) = 0: a gradient passes only where the ReLU output is > 0", async (t, gpu) => {
  await t.step("relu_backward on +0, -0, tiny and ordinary activations", async () => {
    const h = new Float32Array([0, -0, 1e-30, -1e-30, 2, -3, 0, 5e-38]);
    const g = new Float32Array([1.5, -2.5, 3, 4, -5, 6, 7, -8]);
    const expected = new Float32Array([0, 0, 3, 0, -5, 0, 0, -8]);
    const out = await scoped(gpu, "relu_backward", async (pool) => {
      const spec = { n: h.length, activations: pool.upload("H", h), grads: pool.upload("G", g) };
      submit(gpu, [await prepareReluBackward(gpu, pool, spec)]);
      return readF32(gpu.device, spec.grads);
    });
    assertSameBytes("relu_backward", out, expected);
  });

  await t.step("forward pre-activation exactly 0 -> H = 0 -> zero gradient", async () => {
    // W = 0 and b = (0, -1, 1): unit 0's pre-activation is exactly 0, unit 1's negative.
    const shape = { batch: 5, inputs: 4, outputs: 3, runs: 1 };
    const params = new Float32Array(paramsPerRun(shape));
    params.set([0, -1, 1], shape.outputs * shape.inputs);
    const rng = new Rng(SEED, "relu zero forward");
    const { h, dh } = await scoped(gpu, "forward + relu_backward", async (pool) => {
      const layer = denseLayer(pool, params, shape);
      const x = pool.upload("x", uniformF32(rng, shape.batch * shape.inputs));
      const y = pool.storage("y", 4 * shape.batch * shape.outputs);
      const grads = pool.upload("dH", new Float32Array(shape.batch * shape.outputs).fill(1));
      const forward = denseForwardSpec(layer, { buffer: x, runStride: 0 }, y, { relu: true });
      submit(gpu, [
        await prepareMatmul(gpu, pool, forward),
        await prepareReluBackward(gpu, pool, { n: shape.batch * 3, activations: y, grads }),
      ]);
      return { h: await readF32(gpu.device, y), dh: await readF32(gpu.device, grads) };
    });
    for (let b = 0; b < shape.batch; b++) {
      // Numeric comparison: max(-0, 0) may keep the sign of zero, which ReLU' ignores anyway.
      assert.ok(h[3 * b] === 0 && h[3 * b + 1] === 0 && h[3 * b + 2] === 1, `H row ${b}: ${h}`);
      assertSameBytes(`dH row ${b}`, dh.subarray(3 * b, 3 * b + 3), new Float32Array([0, 0, 1]));
    }
  });
});

gpuTest(
  "pruned weights get exactly zero gradient and stay exactly zero under Adam",
  async (t, gpu) => {
    await t.step(
      "weight-gradient matmul with maskC: dW = 0 exactly where the mask is 0",
      async () => {
        const rng = new Rng(SEED, "pruned dW");
        const shape = { batch: 60, inputs: 37, outputs: 19, runs: 2 };
        const perRun = paramsPerRun(shape);
        const maskValues = new Float32Array(shape.runs * perRun).fill(1);
        for (let r = 0; r < shape.runs; r++) {
          maskValues.set(maskF32(rng, shape.outputs * shape.inputs, 0.5), r * perRun);
        }
        const dw = await scoped(gpu, "weight grad", async (pool) => {
          const layer = denseLayer(pool, uniformF32(rng, shape.runs * perRun), shape);
          const dy = pool.upload("dy", uniformF32(rng, shape.runs * shape.batch * shape.outputs));
          const xRun = shape.batch * shape.inputs;
          const x = pool.upload("x", uniformF32(rng, shape.runs * xRun));
          const grads = pool.upload("grads", uniformF32(rng, shape.runs * perRun)); // garbage before
          const spec = denseWeightGradSpec(
            layer,
            dy,
            { buffer: x, runStride: xRun },
            grads,
            pool.upload("mask", maskValues),
          );
          submit(gpu, [await prepareMatmul(gpu, pool, spec)]);
          return readF32(gpu.device, grads);
        });
        let kept = 0;
        for (let r = 0; r < shape.runs; r++) {
          for (let i = 0; i < shape.outputs * shape.inputs; i++) {
            const at = r * perRun + i;
            if (maskValues[at] === 0) {
              assert.ok(dw[at] === 0, `dW[${at}] of a pruned weight: ${dw[at]}`);
            } else if (dw[at] !== 0) kept++;
          }
        }
        assert.ok(kept > 0, "kept weights got no gradient at all: the test is not live");
      },
    );

    await t.step("50 Adam steps with nonzero gradients at pruned weights", async () => {
      const rng = new Rng(SEED, "pruned adam");
      const n = 1000, steps = 50;
      const hyper: AdamHyper = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
      const keep = maskF32(rng, n, 0.5);
      const w0 = uniformF32(rng, n).map((w, i) => w * keep[i]);
      // Gradients are nonzero everywhere, pruned positions included, and large at some.
      const grads = Array.from(
        { length: steps },
        () => uniformF32(rng, n, 0.1, 10).map((g) => rng.nextUnit() < 0.5 ? -g : g),
      );
      const out = await scoped(gpu, "adam 50 steps", async (pool) => {
        const buffers = {
          mask: pool.upload("mask", keep),
          counters: pool.upload("counters", new Uint32Array(4)),
          corrections: pool.upload("corrections", adamCorrections(hyper, steps)),
          weights: pool.upload("W", w0),
          firstMoment: pool.storage("Mom", 4 * n),
          secondMoment: pool.storage("Vel", 4 * n),
        };
        const advance = await prepareAdvanceStep(gpu, pool, buffers.counters);
        const dispatches: Dispatch[] = [];
        for (const g of grads) {
          const spec = { ...hyper, ...buffers, n, grads: pool.upload("G", g) };
          dispatches.push(await prepareAdam(gpu, pool, spec), advance);
        }
        submit(gpu, dispatches);
        return {
          W: await readF32(gpu.device, buffers.weights),
          Mom: await readF32(gpu.device, buffers.firstMoment),
          Vel: await readF32(gpu.device, buffers.secondMoment),
        };
      });
      let moved = 0;
      for (let i = 0; i < n; i++) {
        if (keep[i] === 0) {
          const [w, m, v] = [out.W[i], out.Mom[i], out.Vel[i]];
          assert.ok(
            w === 0 && m === 0 && v === 0,
            `pruned weight ${i}: W ${w}, Mom ${m}, Vel ${v}`,
          );
        } else {
          assert.ok(Number.isFinite(out.W[i]), `W[${i}] is ${out.W[i]}`);
          if (out.W[i] !== w0[i] && out.Vel[i] > 0) {
            moved++;
          }
        }
      }
      assert.ok(moved > 0, "no kept weight moved: the test is not live");
    });
  },
);

gpuTest(
  "S = 4 runs in one dispatch are bit-identical to 4 single-run dispatches",
  async (t, gpu) => {
    const runs = 4;

    for (const product of ["forward +bias +relu +maskB", "weight grad +maskC"] as const) {
      await t.step(`matmul dense ${product}, B=60 784->300`, async () => {
        const rng = new Rng(SEED, `batched ${product}`);
        const shape = { batch: 60, inputs: 784, outputs: 300, runs };
        const perRun = paramsPerRun(shape);
        const xRun = shape.batch * shape.inputs + 3;
        const [batched, single] = await scoped(gpu, product, async (pool) => {
          const layer = denseLayer(pool, uniformF32(rng, runs * perRun), shape);
          const m = pool.upload("mask", maskF32(rng, runs * perRun, 0.3));
          const x = { buffer: pool.upload("x", uniformF32(rng, runs * xRun)), runStride: xRun };
          const outputs = () =>
            product === "weight grad +maskC"
              ? pool.upload("grads", new Float32Array(runs * perRun))
              : pool.storage("y", 4 * runs * shape.batch * shape.outputs);
          const [c1, c2] = [outputs(), outputs()];
          const dy = pool.upload("dy", uniformF32(rng, runs * shape.batch * shape.outputs));
          const spec = (c: GPUBuffer) =>
            product === "weight grad +maskC"
              ? denseWeightGradSpec(layer, dy, x, c, m)
              : denseForwardSpec(layer, x, c, { relu: true, mask: m });
          submit(gpu, [await prepareMatmul(gpu, pool, spec(c1))]);
          for (let r = 0; r < runs; r++) {
            submit(gpu, [await prepareMatmul(gpu, pool, singleRun(spec(c2), r, c2))]);
          }
          return [await readF32(gpu.device, c1), await readF32(gpu.device, c2)];
        });
        assertSameBytes(product, batched, single);
      });
    }

    await t.step("softmax_xent B=60 C=10", async () => {
      const rng = new Rng(SEED, "batched softmax");
      const batch = 60, classes = 10;
      const logits = uniformF32(rng, runs * batch * classes, -20, 20);
      const labels = new Uint32Array(runs * batch).map(() => rng.nextInt(classes));
      const results = await scoped(gpu, "softmax", async (pool) => {
        const go = async (r0: number, count: number) => {
          const spec = {
            batch,
            classes,
            runs: count,
            scale: 1 / batch,
            logits: pool.upload(
              "Z",
              logits.subarray(r0 * batch * classes, (r0 + count) * batch * classes),
            ),
            labels: pool.upload("Y", labels.subarray(r0 * batch, (r0 + count) * batch)),
            logitGrads: pool.storage("dZ", 4 * count * batch * classes),
            rows: pool.storage("rows", 8 * count * batch),
          };
          submit(gpu, [await prepareSoftmaxXent(gpu, pool, spec)]);
          return [await readF32(gpu.device, spec.logitGrads), await readF32(gpu.device, spec.rows)];
        };
        const [dz, rows] = await go(0, runs);
        const singles = [];
        for (let r = 0; r < runs; r++) singles.push(await go(r, 1));
        return { dz, rows, singles };
      });
      for (let r = 0; r < runs; r++) {
        const [dz, rows] = results.singles[r];
        assertSameBytes(
          `dZ run ${r}`,
          results.dz.subarray(r * batch * classes, (r + 1) * batch * classes),
          dz,
        );
        assertSameBytes(
          `rows run ${r}`,
          results.rows.subarray(r * 2 * batch, (r + 1) * 2 * batch),
          rows,
        );
      }
    });

    await t.step("adam over 4 runs' flat parameters, 3 steps", async () => {
      const rng = new Rng(SEED, "batched adam");
      const n = 1004, steps = 3;
      const hyper: AdamHyper = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
      const keep = maskF32(rng, runs * n, 0.7);
      const w = uniformF32(rng, runs * n);
      const grads = Array.from({ length: steps }, () => uniformF32(rng, runs * n));
      const slice = (a: Float32Array, r0: number, count: number) =>
        a.subarray(r0 * n, (r0 + count) * n);
      const results = await scoped(gpu, "adam", async (pool) => {
        const go = async (r0: number, count: number) => {
          const buffers = {
            mask: pool.upload("mask", slice(keep, r0, count)),
            counters: pool.upload("counters", new Uint32Array(4)),
            corrections: pool.upload("corrections", adamCorrections(hyper, steps)),
            weights: pool.upload("W", slice(w, r0, count)),
            firstMoment: pool.storage("Mom", 4 * count * n),
            secondMoment: pool.storage("Vel", 4 * count * n),
          };
          const advance = await prepareAdvanceStep(gpu, pool, buffers.counters);
          const dispatches: Dispatch[] = [];
          for (const g of grads) {
            const spec = {
              ...hyper,
              ...buffers,
              n: count * n,
              grads: pool.upload("G", slice(g, r0, count)),
            };
            dispatches.push(await prepareAdam(gpu, pool, spec), advance);
          }
          submit(gpu, dispatches);
          return [buffers.weights, buffers.firstMoment, buffers.secondMoment];
        };
        const read = (bs: GPUBuffer[]) => Promise.all(bs.map((b) => readF32(gpu.device, b)));
        const batched = await read(await go(0, runs));
        const singles = [];
        for (let r = 0; r < runs; r++) singles.push(await read(await go(r, 1)));
        return { batched, singles };
      });
      ["W", "Mom", "Vel"].forEach((name, k) => {
        for (let r = 0; r < runs; r++) {
          assertSameBytes(
            `${name} run ${r}`,
            slice(results.batched[k], r, 1),
            results.singles[r][k],
          );
        }
      });
    });
  },
);

gpuTest("the same dispatch run twice gives byte-identical outputs", async (t, gpu) => {
  await t.step("one prepared matmul, softmax_xent and bias_grad submitted twice", async () => {
    const rng = new Rng(SEED, "twice");
    const shape = { batch: 60, inputs: 784, outputs: 300, runs: 2 };
    const perRun = paramsPerRun(shape);
    const [first, second] = await scoped(gpu, "twice", async (pool) => {
      const layer = denseLayer(pool, uniformF32(rng, shape.runs * perRun), shape);
      const xRun = shape.batch * shape.inputs;
      const x = { buffer: pool.upload("x", uniformF32(rng, shape.runs * xRun)), runStride: xRun };
      const rows = shape.runs * shape.batch;
      const y = pool.storage("y", 4 * rows * shape.outputs);
      const labels = pool.upload("labels", new Uint32Array(rows).map(() => rng.nextInt(300)));
      const dz = pool.storage("dZ", 4 * rows * shape.outputs);
      const losses = pool.storage("rows", 8 * rows);
      const db = pool.storage("db", 4 * shape.runs * perRun);
      const m = pool.upload("mask", maskF32(rng, shape.runs * perRun, 0.5));
      const dispatches = [
        await prepareMatmul(gpu, pool, denseForwardSpec(layer, x, y, { relu: false, mask: m })),
        await prepareSoftmaxXent(gpu, pool, {
          batch: shape.batch,
          classes: shape.outputs,
          runs: shape.runs,
          scale: 1 / shape.batch,
          logits: y,
          labels,
          logitGrads: dz,
          rows: losses,
        }),
        await prepareBiasGrad(gpu, pool, {
          batch: shape.batch,
          outputs: shape.outputs,
          spatial: 1,
          runs: shape.runs,
          outputGrads: dz,
          grads: db,
          offset: layer.biasOffset,
          runStride: perRun,
        }),
      ];
      const once = () => {
        submit(gpu, dispatches);
        return Promise.all([y, dz, losses, db].map((b) => readF32(gpu.device, b)));
      };
      return [await once(), await once()];
    });
    ["y", "dZ", "rows", "db"].forEach((name, k) => assertSameBytes(name, first[k], second[k]));
  });

  await t.step("every op-table case run twice from the same seed", async (t) => {
    for (const op of OPS) {
      // All but the 16.8M-element ReLU case, which only tests the 2-D dispatch shape.
      for (const c of op.cases.filter((c) => !c.name.includes("65535"))) {
        await t.step(`${op.name} / ${c.name}`, async () => {
          const what = `${op.name} / ${c.name}`;
          const once = () =>
            scoped(gpu, what, (pool) => op.run({ gpu, pool, rng: new Rng(SEED, what) }, c));
          const [a, b] = [await once(), await once()];
          for (const [name, out] of Object.entries(a.gpu)) {
            const other = b.gpu[name];
            assertSameBytes(
              `${what} output ${name}`,
              new Float32Array(out.buffer, out.byteOffset, out.length),
              new Float32Array(other.buffer, other.byteOffset, other.length),
            );
          }
        });
      }
    }
  });
});
