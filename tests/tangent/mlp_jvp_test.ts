import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { BufferPool, readF32, Recorder } from "../../src/gpu/mod.ts";
import { initParams } from "../../src/model/init.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import { mlpJvp, mlpPrimal, prepareMlpJvp, primalLogits } from "../../src/tangent/mod.ts";
import { gpuTest } from "../gpu_test_helper.ts";

gpuTest("GPU JVP matches the f64 reference (primal logits and tangent)", async (_t, gpu) => {
  // Widths that are not multiples of 4 exercise the layout's padding and the scalar matmul.
  for (const widths of [[5, 7, 6, 3], [8, 12, 4]]) {
    const layout = mlpLayout(widths);
    const rows = 6;
    const rng = new Rng(3, "tangent-gpu-jvp-test");
    const theta0 = initParams(layout, "kaiming-normal", rng);
    for (const layer of layout.layers) {
      for (let o = 0; o < layer.outputs; o++) theta0[layer.biasOffset + o] = 0.1 * rng.nextNormal();
    }
    const v = Float32Array.from({ length: layout.perRun }, () => rng.nextNormal());
    const inputs = Float32Array.from({ length: rows * widths[0] }, () => rng.nextUnit());
    const pool = new BufferPool(gpu.device);
    try {
      const jvp = await prepareMlpJvp(gpu, pool, {
        layout,
        rows,
        inputs: pool.upload("inputs", inputs),
        theta0: pool.upload("theta0", theta0),
        v: pool.upload("v", v),
      });
      const recorder = new Recorder(gpu.device, "jvp test");
      recorder.record(jvp.dispatches);
      recorder.submit();
      const classes = widths[widths.length - 1];
      const logits = await readF32(gpu.device, jvp.logits, 0, rows * classes);
      const tangent = await readF32(gpu.device, jvp.tangent, 0, rows * classes);
      const primal = mlpPrimal(layout, theta0, Float64Array.from(inputs));
      const want = primalLogits(primal);
      const wantTangent = mlpJvp(primal, v);
      want.forEach((x, i) => assert.ok(Math.abs(logits[i] - x) < 1e-4 * (1 + Math.abs(x))));
      wantTangent.forEach((x, i) =>
        assert.ok(
          Math.abs(tangent[i] - x) < 1e-4 * (1 + Math.abs(x)),
          `widths ${widths}, tangent ${i}: ${tangent[i]} vs ${x}`,
        )
      );
    } finally {
      pool.destroy();
    }
  }
});
