/**
 * The VJP J(theta0)^T u of a dense ReLU network on the GPU: the model's own backward pass (each
 * layer's `backward`, as the trainer records it) fed u in place of the loss gradient, at the
 * primal activations and ReLU pattern an MlpJvp recorded at theta0. Summed over the rows (no
 * batch mean); written into `grads` with the layout's offsets (padding entries untouched).
 * u is overwritten (the ReLU backward works in place on its gradient).
 */
import type { BufferPool, Dispatch, Gpu } from "../gpu/mod.ts";
import type { LayerContext } from "../model/layer.ts";
import type { Model } from "../model/model.ts";
import type { MlpJvp } from "./mlp_jvp.ts";

export interface MlpVjpSpec {
  model: Model;
  rows: number;
  inputs: GPUBuffer;
  theta0: GPUBuffer;
  /** The primal pass at theta0 (its dispatches must be recorded before these). */
  jvp: MlpJvp;
  /** [rows, classes]; overwritten. */
  u: GPUBuffer;
  /** J^T u, flat [perRun]. */
  grads: GPUBuffer;
}

export async function prepareMlpVjp(
  gpu: Gpu,
  pool: BufferPool,
  spec: MlpVjpSpec,
): Promise<Dispatch[]> {
  const { model, rows, jvp } = spec;
  const context: LayerContext = {
    gpu,
    pool,
    runs: 1,
    perRun: model.layout.perRun,
    operands: { weights: spec.theta0 },
    grads: spec.grads,
    state: pool.storage("vjp unused state", 4),
    statePerRun: 0,
  };
  const dispatches: Dispatch[] = [];
  let dy: GPUBuffer | null = spec.u;
  let dense = jvp.primal.length - 1;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    if (dy === null) {
      throw new Error(`mlp VJP: layer ${i} (${layer.kind}) precedes the first dense`);
    }
    const y = jvp.primal[dense];
    if (layer.kind === "relu") {
      // The ReLU after dense layer `dense`: masks dy in place by that layer's primal output.
      dispatches.push(
        ...await layer.backward(context, { batch: rows, training: false, x: y, y, dy, dx: dy }),
      );
      continue;
    }
    if (layer.kind !== "dense") {
      throw new Error(
        `mlp VJP handles dense and relu layers only, got ${layer.kind} at layer ${i}: use an MLP`,
      );
    }
    const x = dense === 0 ? spec.inputs : jvp.primal[dense - 1];
    const dx = dense === 0 ? null : pool.storage(`vjp dx ${dense}`, rows * layer.inputs * 4);
    dispatches.push(
      ...await layer.backward(context, { batch: rows, training: false, x, y, dy, dx }),
    );
    dy = dx;
    dense--;
  }
  return dispatches;
}
