/**
 * The tangent-space minimum (Kosoy) by a dense f64 solve on the CPU, the reference for the GPU's
 * conjugate gradients: ridge regression of the one-hot targets in parameter space,
 *   (J^T J + lambda I) d = J^T (Y - f(theta0)),
 * with J [rows * classes, perRun] built column by column from the f64 JVP (a unit direction per
 * weight or bias; padding columns are 0, so d is 0 there) and the system solved by Cholesky.
 */
import type { ParamLayout } from "../model/layout.ts";
import { mlpJvp, mlpPrimal, primalLogits } from "./mlp_f64.ts";

/** Y - f(theta0) for one-hot targets: [rows, classes]. */
export function oneHotResidual(logits: Float64Array, labels: ArrayLike<number>): Float64Array {
  const classes = logits.length / labels.length;
  const out = logits.map((x) => -x);
  for (let b = 0; b < labels.length; b++) {
    if (!(labels[b] >= 0 && labels[b] < classes)) {
      throw new RangeError(`label ${b} is ${labels[b]}, outside [0, ${classes})`);
    }
    out[b * classes + labels[b]] += 1;
  }
  return out;
}

/** Solves A x = b in place for a symmetric positive definite A [n, n] (row-major). */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) a[j * n + j] -= a[j * n + k] ** 2;
    if (!(a[j * n + j] > 0)) {
      throw new RangeError(
        `the normal equations are not positive definite (pivot ${j}): raise lambda`,
      );
    }
    a[j * n + j] = Math.sqrt(a[j * n + j]);
    for (let i = j + 1; i < n; i++) {
      for (let k = 0; k < j; k++) a[i * n + j] -= a[i * n + k] * a[j * n + k];
      a[i * n + j] /= a[j * n + j];
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i * n + k] * x[k];
    x[i] /= a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= a[k * n + i] * x[k];
    x[i] /= a[i * n + i];
  }
  return x;
}

export function tangentRidgeF64(
  layout: ParamLayout,
  theta0: ArrayLike<number>,
  inputs: Float64Array,
  labels: ArrayLike<number>,
  lambda: number,
): Float64Array {
  const primal = mlpPrimal(layout, theta0, inputs);
  const residual = oneHotResidual(primalLogits(primal), labels);
  const n = layout.perRun;
  const columns: Float64Array[] = [];
  const unit = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit[j] = 1;
    columns.push(mlpJvp(primal, unit));
    unit[j] = 0;
  }
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  const a = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rhs[i] = dot(columns[i], residual);
    for (let j = 0; j < n; j++) a[i * n + j] = dot(columns[i], columns[j]) + (i === j ? lambda : 0);
  }
  return choleskySolve(a, rhs, n);
}
