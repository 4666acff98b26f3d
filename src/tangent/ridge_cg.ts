/**
 * The tangent-space minimum (Kosoy) by conjugate gradients, matrix-free, for several ridge
 * penalties at once:
 *   (J^T J + lambda_s I) d_s = J^T (Y - f(theta0)),  Y one-hot,  s = 1..S.
 * The operator p -> J^T (J p) runs on the GPU (one JVP pass and one VJP pass over the training
 * set in fixed batches, recorded into one submit); the CG scalars and vector updates are f64 on
 * the CPU, summed in index order, so the iterates are deterministic. One readback per iteration.
 * Every lambda shares the Krylov space of the smallest (CG-M, Jegerlehner 1996; Frommer 2003):
 * CG runs on A = J^T J + lambda_min I, and each shift delta_s = lambda_s - lambda_min follows
 * with the scalars
 *   zeta_{k+1} = zeta_k zeta_{k-1} alpha_{k-1} /
 *                (alpha_k beta_{k-1} (zeta_{k-1} - zeta_k) + zeta_{k-1} alpha_{k-1} (1 + delta alpha_k)),
 *   alpha^s_k = alpha_k zeta_{k+1} / zeta_k,  beta^s_k = beta_k (zeta_{k+1} / zeta_k)^2,
 *   d_s += alpha^s_k p_s,  p_s = zeta_{k+1} r_{k+1} + beta^s_k p_s,
 * its residual being zeta_{k+1} r_{k+1} (zeta_{-1} = zeta_0 = 1, alpha_{-1} = 1, beta_{-1} = 0):
 * S penalties for the operator applications of one.
 */
import { type BufferPool, type Dispatch, type Gpu, readF32, Recorder } from "../gpu/mod.ts";
import { prepareAdd } from "../nn/add.ts";
import type { Model } from "../model/model.ts";
import { type MlpJvp, prepareMlpJvp } from "./mlp_jvp.ts";
import { prepareMlpVjp } from "./mlp_vjp.ts";
import { oneHotResidual } from "./ridge_f64.ts";

export interface TangentRidgeSpec {
  model: Model;
  theta0: Float32Array;
  /** [rows, inputs] row-major. */
  inputs: Float32Array;
  labels: ArrayLike<number>;
  /** Ridge penalties, each > 0, all solved together. */
  lambdas: readonly number[];
  iterations: number;
  /** Rows per JVP/VJP pass; the last batch takes the remainder. */
  batchRows: number;
}

/** The solution for one penalty. */
export interface TangentRidge {
  lambda: number;
  /** The step in parameter space, flat with the layout's offsets. */
  d: Float64Array;
  /**
   * ||r_k|| / ||b|| for CG's recurrence residual r_k (b - (J^T J + lambda I) d_k in exact
   * arithmetic): index 0 is d = 0 (so 1), index k follows iteration k.
   */
  relativeResiduals: number[];
  /** f(theta0) + J d on the training inputs, [rows, classes]. */
  predictions: Float64Array;
}

/** One fixed batch of the training set: its passes and the slot of its residual targets. */
interface RidgeBatch {
  start: number;
  rows: number;
  jvp: MlpJvp;
  rhsU: GPUBuffer;
  /** JVP of v, then J^T (J v) added into the running sum. */
  normal: Dispatch[];
  /** J^T (Y - f0) of this batch added into the running sum. */
  rhs: Dispatch[];
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

/** The solutions in the order of `spec.lambdas`. */
export async function tangentRidgeCg(
  gpu: Gpu,
  pool: BufferPool,
  spec: TangentRidgeSpec,
): Promise<TangentRidge[]> {
  const { model, lambdas } = spec;
  const { layout } = model;
  const rows = spec.labels.length;
  const classes = model.outputs;
  const counts = [spec.iterations, spec.batchRows];
  if (
    lambdas.length === 0 || !lambdas.every((lambda) => lambda > 0) ||
    !counts.every((n) => Number.isInteger(n) && n >= 1)
  ) {
    throw new RangeError(
      `tangent ridge needs lambdas > 0 (at least one) and iterations, batchRows >= 1, got [${
        lambdas.join(", ")
      }], ${spec.iterations} and ${spec.batchRows}`,
    );
  }
  if (spec.inputs.length !== rows * model.inputs || spec.theta0.length !== layout.perRun) {
    throw new RangeError(
      `tangent ridge: ${rows} labels need ${
        rows * model.inputs
      } inputs and ${layout.perRun} parameters, got ${spec.inputs.length} and ${spec.theta0.length}`,
    );
  }
  const theta0 = pool.upload("ridge theta0", spec.theta0);
  const v = pool.storage("ridge direction", layout.perRun * 4);
  // J^T u over the training set = the sum of the batches' VJPs, added in batch order into two
  // accumulators in turn (batch 0 writes the first directly): deterministic, no atomics.
  const scratch = pool.storage("ridge batch J^T u", layout.perRun * 4);
  const sums = [0, 1].map((i) => pool.storage(`ridge J^T u sum ${i}`, layout.perRun * 4));
  const batches: RidgeBatch[] = [];
  for (let start = 0, k = 0; start < rows; start += spec.batchRows, k++) {
    const batchRows = Math.min(spec.batchRows, rows - start);
    const common = {
      rows: batchRows,
      inputs: pool.upload(
        `ridge inputs ${k}`,
        spec.inputs.subarray(start * model.inputs, (start + batchRows) * model.inputs),
      ),
      theta0,
    };
    const jvp = await prepareMlpJvp(gpu, pool, { ...common, layout, v });
    const grads = k === 0 ? sums[0] : scratch;
    const sum = k === 0 ? [] : [
      await prepareAdd(gpu, pool, {
        n: layout.perRun,
        a: sums[(k - 1) % 2],
        b: scratch,
        y: sums[k % 2],
      }),
    ];
    const rhsU = pool.storage(`ridge residual ${k}`, batchRows * classes * 4);
    batches.push({
      start,
      rows: batchRows,
      jvp,
      rhsU,
      normal: [
        ...jvp.dispatches,
        ...await prepareMlpVjp(gpu, pool, { ...common, model, jvp, u: jvp.tangent, grads }),
        ...sum,
      ],
      rhs: [
        ...jvp.dispatches,
        ...await prepareMlpVjp(gpu, pool, { ...common, model, jvp, u: rhsU, grads }),
        ...sum,
      ],
    });
  }
  const total = sums[(batches.length - 1) % 2];
  const submit = (dispatches: Dispatch[]) => {
    const recorder = new Recorder(gpu.device, "tangent ridge");
    recorder.record(dispatches);
    recorder.submit();
  };
  const readSum = async () => Float64Array.from(await readF32(gpu.device, total));
  /** The logits' tangent J v for the current v (v = 0: the primal logits), all rows. */
  const outputs = async (which: "logits" | "tangent") => {
    submit(batches.flatMap((batch) => batch.jvp.dispatches));
    const out = new Float64Array(rows * classes);
    for (const batch of batches) {
      const values = await readF32(gpu.device, batch.jvp[which], 0, batch.rows * classes);
      out.set(values, batch.start * classes);
    }
    return out;
  };

  const f0 = await outputs("logits");
  const residual = Float32Array.from(oneHotResidual(f0, spec.labels));
  for (const batch of batches) {
    pool.write(
      batch.rhsU,
      residual.subarray(batch.start * classes, (batch.start + batch.rows) * classes),
    );
  }
  submit(batches.flatMap((batch) => batch.rhs));
  const b = await readSum();
  const base = Math.min(...lambdas);
  const apply = async (p: Float64Array) => {
    pool.write(v, Float32Array.from(p));
    submit(batches.flatMap((batch) => batch.normal));
    const jtjp = await readSum();
    return jtjp.map((x, i) => x + base * p[i]);
  };

  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const bNorm = Math.sqrt(dot(b, b));
  let rr = dot(r, r);
  const shifts = lambdas.map((lambda) => ({
    lambda,
    delta: lambda - base,
    d: new Float64Array(layout.perRun),
    p: Float64Array.from(b),
    zeta: 1,
    zetaPrevious: 1,
    relativeResiduals: [Math.sqrt(rr) / bNorm],
  }));
  let alphaPrevious = 1, betaPrevious = 0;
  for (let k = 0; k < spec.iterations && rr > 0; k++) {
    const ap = await apply(p);
    const alpha = rr / dot(p, ap);
    for (const shift of shifts) {
      const { zeta, zetaPrevious, delta } = shift;
      const zetaNext = (zeta * zetaPrevious * alphaPrevious) /
        (alpha * betaPrevious * (zetaPrevious - zeta) +
          zetaPrevious * alphaPrevious * (1 + delta * alpha));
      const alphaShift = (alpha * zetaNext) / zeta;
      for (let i = 0; i < shift.d.length; i++) shift.d[i] += alphaShift * shift.p[i];
      shift.zetaPrevious = zeta;
      shift.zeta = zetaNext;
    }
    for (let i = 0; i < r.length; i++) r[i] -= alpha * ap[i];
    const next = dot(r, r);
    const beta = next / rr;
    for (const shift of shifts) {
      const ratio = shift.zeta / shift.zetaPrevious;
      const betaShift = beta * ratio * ratio;
      for (let i = 0; i < p.length; i++) shift.p[i] = shift.zeta * r[i] + betaShift * shift.p[i];
      shift.relativeResiduals.push((Math.abs(shift.zeta) * Math.sqrt(next)) / bNorm);
    }
    for (let i = 0; i < p.length; i++) p[i] = r[i] + beta * p[i];
    rr = next;
    alphaPrevious = alpha;
    betaPrevious = beta;
  }
  const solutions: TangentRidge[] = [];
  for (const shift of shifts) {
    pool.write(v, Float32Array.from(shift.d));
    const jd = await outputs("tangent");
    solutions.push({
      lambda: shift.lambda,
      d: shift.d,
      relativeResiduals: shift.relativeResiduals,
      predictions: f0.map((x, i) => x + jd[i]),
    });
  }
  return solutions;
}
