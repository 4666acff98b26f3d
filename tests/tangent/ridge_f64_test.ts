import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { initParams } from "../../src/model/init.ts";
import { mlpLayout } from "../../src/model/layout.ts";
import {
  mlpJvp,
  mlpPrimal,
  mlpVjp,
  oneHotResidual,
  primalLogits,
  tangentRidgeF64,
} from "../../src/tangent/mod.ts";

Deno.test("the dense f64 tangent ridge solves the normal equations (checked through JVP and VJP)", () => {
  const layout = mlpLayout([4, 5, 3]);
  const rng = new Rng(13, "tangent-ridge-f64-test");
  const theta0 = initParams(layout, "kaiming-normal", rng);
  const rows = 10;
  const inputs = Float64Array.from({ length: rows * 4 }, () => rng.nextUnit());
  const labels = Array.from({ length: rows }, (_, i) => (i * 7) % 3);
  const lambda = 0.3;
  const d = tangentRidgeF64(layout, theta0, inputs, labels, lambda);
  const primal = mlpPrimal(layout, theta0, inputs);
  const lhs = mlpVjp(primal, mlpJvp(primal, d)).map((x, i) => x + lambda * d[i]);
  const rhs = mlpVjp(primal, oneHotResidual(primalLogits(primal), labels));
  assert.ok(rhs.some((x) => Math.abs(x) > 1e-3), "the right-hand side must not vanish");
  lhs.forEach((x, i) => assert.ok(Math.abs(x - rhs[i]) < 1e-10, `entry ${i}: ${x} vs ${rhs[i]}`));
});

Deno.test("one-hot residual rejects a label outside the classes", () => {
  assert.throws(() => oneHotResidual(new Float64Array(6), [0, 3]), /label 1 is 3/);
});
