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
  "GPU CG tangent ridge matches the dense f64 solve for every penalty at once; residuals fall",
  async (_t, gpu) => {
    const model = mlpModel([4, 5, 3]);
    const { layout } = model;
    const rows = 24;
    const rng = new Rng(9, "tangent-ridge-test");
    const theta0 = initParams(layout, "kaiming-normal", rng);
    const inputs = Float32Array.from({ length: rows * 4 }, () => rng.nextUnit());
    const labels = Array.from({ length: rows }, (_, i) => i % 3);
    const lambdas = [0.5, 3, 0.25];
    const pool = new BufferPool(gpu.device);
    try {
      const solve = () =>
        tangentRidgeCg(gpu, pool, {
          model,
          theta0,
          inputs,
          labels,
          lambdas,
          iterations: 60,
          batchRows: 10,
        });
      const solutions = await solve();
      assert.deepEqual(solutions.map((s) => s.lambda), lambdas);
      const primal = mlpPrimal(layout, theta0, Float64Array.from(inputs));
      for (const got of solutions) {
        const want = tangentRidgeF64(
          layout,
          theta0,
          Float64Array.from(inputs),
          labels,
          got.lambda,
        );
        const res = got.relativeResiduals;
        assert.equal(res[0], 1);
        assert.ok(
          res[res.length - 1] < 1e-4,
          `lambda ${got.lambda}: final relative residual ${res[res.length - 1]}`,
        );
        const scale = Math.max(...want.map(Math.abs));
        want.forEach((x, i) =>
          assert.ok(
            Math.abs(got.d[i] - x) < 1e-3 * scale,
            `lambda ${got.lambda} d[${i}]: ${got.d[i]} vs ${x}`,
          )
        );
        const jd = mlpJvp(primal, want);
        primalLogits(primal).forEach((x, i) =>
          assert.ok(
            Math.abs(got.predictions[i] - (x + jd[i])) < 1e-3 * (1 + Math.abs(x + jd[i])),
          )
        );
      }
      // A larger penalty is a better-conditioned system: its residual falls faster.
      const after = (lambda: number) =>
        solutions.find((s) => s.lambda === lambda)!.relativeResiduals[10];
      assert.ok(after(3) < after(0.25), `residual after 10: ${after(3)} vs ${after(0.25)}`);
      const again = await solve();
      again.forEach((solution, s) =>
        assert.deepEqual(solution.d, solutions[s].d, "a second solve must give the same bytes")
      );
    } finally {
      pool.destroy();
    }
  },
);
