/**
 * The tangent-space minimum (Kosoy) by conjugate gradients, matrix-free:
 *   (J^T J + lambda I) d = J^T (Y - f(theta0)),  Y one-hot.
 * The operator p -> J^T (J p) runs on the GPU (one JVP pass and one VJP pass over the training
 * set, recorded into one submit); the CG scalars and vector updates are f64 on the CPU, summed in
 * index order, so the iterates are deterministic. One readback per iteration (J^T J p).
 */
import { type BufferPool, type Gpu, readF32, Recorder } from "../gpu/mod.ts";
import type { Model } from "../model/model.ts";
import { prepareMlpJvp } from "./mlp_jvp.ts";
import { prepareMlpVjp } from "./mlp_vjp.ts";
import { oneHotResidual } from "./ridge_f64.ts";

export interface TangentRidgeSpec {
  model: Model;
  theta0: Float32Array;
  /** [rows, inputs] row-major. */
  inputs: Float32Array;
  labels: ArrayLike<number>;
  lambda: number;
  iterations: number;
}

export interface TangentRidge {
  /** The step in parameter space, flat with the layout's offsets. */
  d: Float64Array;
  /**
   * ||r_k|| / ||b|| for CG's recurrence residual r_k (b - A d_k in exact arithmetic): index 0 is
   * d = 0 (so 1), index k follows iteration k.
   */
  relativeResiduals: number[];
  /** f(theta0) + J d on the training inputs, [rows, classes]. */
  predictions: Float64Array;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

export async function tangentRidgeCg(
  gpu: Gpu,
  pool: BufferPool,
  spec: TangentRidgeSpec,
): Promise<TangentRidge> {
  const { model, lambda } = spec;
  const { layout } = model;
  const rows = spec.labels.length;
  const classes = model.outputs;
  if (!(lambda > 0) || !Number.isInteger(spec.iterations) || spec.iterations < 1) {
    throw new RangeError(
      `tangent ridge needs lambda > 0 and iterations >= 1, got ${lambda} and ${spec.iterations}`,
    );
  }
  if (spec.inputs.length !== rows * model.inputs || spec.theta0.length !== layout.perRun) {
    throw new RangeError(
      `tangent ridge: ${rows} labels need ${
        rows * model.inputs
      } inputs and ${layout.perRun} parameters, got ${spec.inputs.length} and ${spec.theta0.length}`,
    );
  }
  const common = {
    rows,
    inputs: pool.upload("ridge inputs", spec.inputs),
    theta0: pool.upload("ridge theta0", spec.theta0),
  };
  const v = pool.storage("ridge direction", layout.perRun * 4);
  const jvp = await prepareMlpJvp(gpu, pool, { ...common, layout, v });
  const grads = pool.storage("ridge J^T u", layout.perRun * 4);
  const normal = await prepareMlpVjp(gpu, pool, { ...common, model, jvp, u: jvp.tangent, grads });
  const rhsU = pool.storage("ridge residual", rows * classes * 4);
  const rhsVjp = await prepareMlpVjp(gpu, pool, { ...common, model, jvp, u: rhsU, grads });

  const run = async (dispatches: typeof normal, target: GPUBuffer, count: number) => {
    const recorder = new Recorder(gpu.device, "tangent ridge");
    recorder.record([...jvp.dispatches, ...dispatches]);
    recorder.submit();
    return Float64Array.from(await readF32(gpu.device, target, 0, count));
  };
  // v = 0: the primal logits f(theta0), then b = J^T (Y - f(theta0)).
  const f0 = await run([], jvp.logits, rows * classes);
  pool.write(rhsU, Float32Array.from(oneHotResidual(f0, spec.labels)));
  const b = await run(rhsVjp, grads, layout.perRun);
  const apply = async (p: Float64Array) => {
    pool.write(v, Float32Array.from(p));
    const jtjp = await run(normal, grads, layout.perRun);
    return jtjp.map((x, i) => x + lambda * p[i]);
  };

  const d = new Float64Array(layout.perRun);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const bNorm = Math.sqrt(dot(b, b));
  let rr = dot(r, r);
  const relativeResiduals = [Math.sqrt(rr) / bNorm];
  for (let k = 0; k < spec.iterations && rr > 0; k++) {
    const ap = await apply(p);
    const alpha = rr / dot(p, ap);
    for (let i = 0; i < d.length; i++) {
      d[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const next = dot(r, r);
    relativeResiduals.push(Math.sqrt(next) / bNorm);
    for (let i = 0; i < p.length; i++) p[i] = r[i] + (next / rr) * p[i];
    rr = next;
  }
  pool.write(v, Float32Array.from(d));
  const jd = await run([], jvp.tangent, rows * classes);
  return { d, relativeResiduals, predictions: f0.map((x, i) => x + jd[i]) };
}
