/**
 * GPU tests need an adapter. The probe runs once, at module load, so `Deno.test`'s `ignore`
 * can be computed before any test registers. Without an adapter every GPU test FAILS with the
 * reason, unless LTH_ALLOW_NO_GPU=1, in which case they are reported as ignored.
 */
import { acquireGpu, type Gpu } from "../src/gpu/mod.ts";

const probe: { gpu: Gpu } | { error: string } = await acquireGpu().then(
  (gpu) => ({ gpu }),
  (error) => ({ error: error instanceof Error ? error.message : String(error) }),
);

/** True when there is no adapter and LTH_ALLOW_NO_GPU=1 asked to skip GPU tests. */
export const ignoreGpuTests = "error" in probe && Deno.env.get("LTH_ALLOW_NO_GPU") === "1";

/** The process-wide GPU; throws (failing the calling test) when no adapter was found. */
export function requireGpu(): Gpu {
  if ("error" in probe) {
    throw new Error(
      `this test needs a WebGPU adapter and none was acquired: ${probe.error}; or set LTH_ALLOW_NO_GPU=1 to skip GPU tests`,
    );
  }
  return probe.gpu;
}

/**
 * Registers a GPU test: ignored under LTH_ALLOW_NO_GPU=1 without an adapter, failing without
 * one otherwise. The device and its pipeline cache live for the whole process, so the resource
 * sanitizer (which would flag them) is off.
 */
export function gpuTest(
  name: string,
  fn: (t: Deno.TestContext, gpu: Gpu) => void | Promise<void>,
): void {
  Deno.test({
    name,
    ignore: ignoreGpuTests,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: (t) => fn(t, requireGpu()),
  });
}
