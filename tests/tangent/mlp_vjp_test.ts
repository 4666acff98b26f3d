import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool, readF32, Recorder } from "../../src/gpu/mod.ts";
import { initParams } from "../../src/model/init.ts";
import { mlpModel } from "../../src/model/model.ts";
import { mlpPrimal, mlpVjp, prepareMlpJvp, prepareMlpVjp } from "../../src/tangent/mod.ts";
import { gpuTest } from "../gpu_test_helper.ts";

gpuTest("GPU VJP matches the f64 reference and the adjoint identity", async (_t, gpu) => {
  for (const widths of [[5, 7, 6, 3], [8, 12, 4]]) {
    const model = mlpModel(widths);
    const { layout } = model;
    const rows = 6;
    const classes = widths[widths.length - 1];
    const rng = new Rng(5, "tangent-gpu-vjp-test");
    const theta0 = initParams(layout, "kaiming-normal", rng);
    for (const layer of layout.layers) {
      for (let o = 0; o < layer.outputs; o++) theta0[layer.biasOffset + o] = 0.1 * rng.nextNormal();
    }
    const v = Float32Array.from({ length: layout.perRun }, () => rng.nextNormal());
    const u = Float32Array.from({ length: rows * classes }, () => rng.nextNormal());
    const inputs = Float32Array.from({ length: rows * widths[0] }, () => rng.nextUnit());
    const pool = new BufferPool(gpu.device);
    try {
      const common = {
        rows,
        inputs: pool.upload("inputs", inputs),
        theta0: pool.upload("theta0", theta0),
      };
      const jvp = await prepareMlpJvp(gpu, pool, { ...common, layout, v: pool.upload("v", v) });
      const grads = pool.storage("grads", layout.perRun * 4);
      const vjp = await prepareMlpVjp(gpu, pool, {
        ...common,
        model,
        jvp,
        u: pool.upload("u", u),
        grads,
      });
      const recorder = new Recorder(gpu.device, "vjp test");
      recorder.record([...jvp.dispatches, ...vjp]);
      recorder.submit();
      const got = await readF32(gpu.device, grads);
      const jv = await readF32(gpu.device, jvp.tangent, 0, rows * classes);
      const want = mlpVjp(
        mlpPrimal(layout, theta0, Float64Array.from(inputs)),
        Float64Array.from(u),
      );
      want.forEach((x, i) =>
        assert.ok(
          Math.abs(got[i] - x) < 1e-4 * (1 + Math.abs(x)),
          `widths ${widths}, entry ${i}: ${got[i]} vs ${x}`,
        )
      );
      // <u, J v> = <J^T u, v>, with v read only at the weights and biases (padding is 0 in J^T u).
      let left = 0, right = 0;
      u.forEach((x, i) => (left += x * jv[i]));
      want.forEach((x, i) => (right += x * v[i]));
      let gpuRight = 0;
      got.forEach((x, i) => (gpuRight += x * v[i]));
      assert.ok(Math.abs(left - gpuRight) < 1e-3 * (1 + Math.abs(left)), `${left} vs ${gpuRight}`);
      assert.ok(Math.abs(right - gpuRight) < 1e-3 * (1 + Math.abs(right)));
    } finally {
      pool.destroy();
    }
  }
});
