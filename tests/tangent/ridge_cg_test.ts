import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool } from "../../src/gpu/mod.ts";
import { initParams } from "../../src/model/init.ts";
import { mlpModel } from "../../src/model/model.ts";
import {
  mlpJvp,
  mlpPrimal,
  primalLogits,
  tangentRidgeCg,
  tangentRidgeF64,
} from "../../src/tangent/mod.ts";
import { gpuTest } from "../gpu_test_helper.ts";

gpuTest(
  "GPU CG tangent ridge matches the dense f64 solve and its residual falls",
  async (_t, gpu) => {
    const model = mlpModel([4, 5, 3]);
    const { layout } = model;
    const rows = 24;
    const rng = new Rng(9, "tangent-ridge-test");
    const theta0 = initParams(layout, "kaiming-normal", rng);
    const inputs = Float32Array.from({ length: rows * 4 }, () => rng.nextUnit());
    const labels = Array.from({ length: rows }, (_, i) => i % 3);
    const lambda = 0.5;
    const pool = new BufferPool(gpu.device);
    try {
      const solve = () =>
        tangentRidgeCg(gpu, pool, {
          model,
          theta0,
          inputs,
          labels,
          lambda,
          iterations: 60,
          batchRows: 10,
        });
      const got = await solve();
      const want = tangentRidgeF64(layout, theta0, Float64Array.from(inputs), labels, lambda);
      const res = got.relativeResiduals;
      assert.equal(res[0], 1);
      assert.ok(res[res.length - 1] < 1e-4, `final relative residual ${res[res.length - 1]}`);
      const scale = Math.max(...want.map(Math.abs));
      want.forEach((x, i) =>
        assert.ok(Math.abs(got.d[i] - x) < 1e-3 * scale, `d[${i}]: ${got.d[i]} vs ${x}`)
      );
      const primal = mlpPrimal(layout, theta0, Float64Array.from(inputs));
      const jd = mlpJvp(primal, want);
      primalLogits(primal).forEach((x, i) =>
        assert.ok(Math.abs(got.predictions[i] - (x + jd[i])) < 1e-3 * (1 + Math.abs(x + jd[i])))
      );
      const again = await solve();
      assert.deepEqual(again.d, got.d, "a second solve must give the same bytes");
    } finally {
      pool.destroy();
    }
  },
);
