/**
 * f(theta0) and J(theta0) v on a set of inputs, in fixed batches on the GPU (one JVP pass, one
 * submit, one readback per batch): the logits of a real network (v = 0, theta0 its weights), of a
 * point theta0 + v of its tangent space (their sum), or of a linearized network trained to theta
 * (v = theta - theta0).
 */
import { BufferPool, type Gpu, readF32, Recorder } from "../gpu/mod.ts";
import type { Model } from "../model/model.ts";
import { prepareMlpJvp } from "./mlp_jvp.ts";

export interface TangentOutputsSpec {
  model: Model;
  theta0: Float32Array;
  v: Float32Array;
  /** [rows, inputs] row-major. */
  inputs: Float32Array;
  batchRows: number;
}

export interface TangentOutputs {
  /** f(theta0): [rows, classes]. */
  primal: Float64Array;
  /** J(theta0) v: [rows, classes]. */
  tangent: Float64Array;
}

export async function tangentOutputs(gpu: Gpu, spec: TangentOutputsSpec): Promise<TangentOutputs> {
  const { model, batchRows } = spec;
  const rows = spec.inputs.length / model.inputs;
  if (!Number.isInteger(rows) || !Number.isInteger(batchRows) || batchRows < 1) {
    throw new RangeError(
      `tangent outputs: ${spec.inputs.length} inputs are not rows of ${model.inputs}, or batch rows ${batchRows} is not a positive integer`,
    );
  }
  const classes = model.outputs;
  const primal = new Float64Array(rows * classes);
  const tangent = new Float64Array(rows * classes);
  for (let start = 0; start < rows; start += batchRows) {
    const count = Math.min(batchRows, rows - start);
    // One pool per batch: a pass's buffers are sized to its rows and freed before the next.
    const pool = new BufferPool(gpu.device);
    try {
      const jvp = await prepareMlpJvp(gpu, pool, {
        layout: model.layout,
        rows: count,
        inputs: pool.upload(
          "outputs inputs",
          spec.inputs.subarray(start * model.inputs, (start + count) * model.inputs),
        ),
        theta0: pool.upload("outputs theta0", spec.theta0),
        v: pool.upload("outputs direction", spec.v),
      });
      const recorder = new Recorder(gpu.device, "tangent outputs");
      recorder.record(jvp.dispatches);
      recorder.submit();
      primal.set(await readF32(gpu.device, jvp.logits, 0, count * classes), start * classes);
      tangent.set(await readF32(gpu.device, jvp.tangent, 0, count * classes), start * classes);
      gpu.throwIfFailed();
    } finally {
      pool.destroy();
    }
  }
  return { primal, tangent };
}
