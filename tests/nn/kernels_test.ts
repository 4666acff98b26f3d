/**
 * The generic kernel test: every case of every op in the op table (tests/nn/ops.ts), run inside a
 * validation error scope and compared elementwise with its f64 CPU reference:
 * |gpu - ref| <= atol + rtol*|ref|, and no NaN/Inf in any GPU output. On a CPU adapter the
 * matmul and conv2d ops run a second time specialised as on a discrete GPU (64 lanes). On
 * failure the message names the op, case and output, the mismatch count and the first 10
 * mismatches.
 */
import { Rng } from "../../src/base/rng.ts";
import type { Gpu } from "../../src/gpu/mod.ts";
import { matmulLanes } from "../../src/nn/matmul.ts";
import {
  type GpuOutput,
  type Op,
  type OpCase,
  type OpResult,
  OPS,
  type ReferenceOutput,
  type Tolerance,
  toleranceFor,
} from "./ops.ts";
import { gpuTest } from "../gpu_test_helper.ts";
import { scoped } from "../fixtures/gpu.ts";

const SEED = 20240601;
const SHOWN = 10;

/** Kernels whose wrappers specialise on the adapter (matmulLanes): run again as discrete. */
const LANE_SPECIALISED = new Set(["matmul", "conv2d", "conv2d_input_grad", "conv2d_weight_grad"]);

/** Empty when the output matches; otherwise one paragraph naming the first mismatches. */
function compare(
  what: string,
  gpu: GpuOutput,
  ref: ReferenceOutput | undefined,
  tol: Tolerance,
): string {
  if (!ref) return `${what}: the reference has no output of this name`;
  if (gpu.length !== ref.length) {
    return `${what}: GPU output has ${gpu.length} elements, the reference ${ref.length}`;
  }
  const bad: string[] = [];
  let count = 0, nonFinite = 0;
  for (let i = 0; i < gpu.length; i++) {
    const g = gpu[i], r = ref[i];
    const finite = Number.isFinite(g);
    if (!finite) nonFinite++;
    if (finite && Math.abs(g - r) <= tol.atol + tol.rtol * Math.abs(r)) continue;
    count++;
    if (bad.length < SHOWN) bad.push(`  [${i}] gpu ${g} ref ${r} diff ${Math.abs(g - r)}`);
  }
  if (count === 0) return "";
  return `${what}: ${count} of ${gpu.length} elements outside ${tol.name} (atol ${tol.atol}, rtol ${tol.rtol})` +
    (nonFinite ? `, ${nonFinite} NaN/Inf in the GPU output (divergence)` : "") +
    `; first ${bad.length}:\n${bad.join("\n")}`;
}

/**
 * The same GPU as a discrete adapter looks to src/nn/matmul.ts: matmul then specialises with
 * 64 lanes (a 16 x 512 tile) instead of the 8 a CPU adapter gets, and the conv2d kernels take
 * their discrete tiles (src/nn/conv2d_shape.ts), so the variants that real GPUs run are also
 * checked on a CPU adapter.
 */
function asDiscrete(gpu: Gpu): Gpu {
  return {
    ...gpu,
    provenance: { ...gpu.provenance, isFallbackAdapter: false, description: "discrete (test)" },
  };
}

async function runCase(gpu: Gpu, op: Op, c: OpCase, what: string): Promise<void> {
  const result: OpResult = await scoped(
    gpu,
    what,
    (pool) => op.run({ gpu, pool, rng: new Rng(SEED, what) }, c),
  );
  const failures = Object.entries(result.gpu)
    .map(([name, out]) =>
      compare(`${what} output ${name}`, out, result.reference[name], toleranceFor(op, c, name))
    )
    .filter((message) => message !== "");
  const missing = Object.keys(result.reference).filter((name) => !(name in result.gpu));
  if (missing.length) failures.push(`${what}: no GPU output for ${missing.join(", ")}`);
  if (failures.length) throw new Error(failures.join("\n"));
}

gpuTest("every op of the op table matches its f64 CPU reference", async (t, gpu) => {
  for (const op of OPS) {
    await t.step(`${op.name} (kernels/${op.kernel}.wgsl)`, async (t) => {
      for (const c of op.cases) {
        await t.step(c.name, () => runCase(gpu, op, c, `${op.name} / ${c.name}`));
      }
    });
  }
  const lanes = matmulLanes(gpu);
  const discrete = asDiscrete(gpu);
  if (matmulLanes(discrete) === lanes) return; // already the discrete variant
  for (const op of OPS.filter((op) => LANE_SPECIALISED.has(op.kernel))) {
    const name = `${op.name} at ${matmulLanes(discrete)} lanes (as on a discrete GPU)`;
    await t.step(name, async (t) => {
      for (const c of op.cases) {
        await t.step(c.name, () => runCase(discrete, op, c, `${name} / ${c.name}`));
      }
    });
  }
});
