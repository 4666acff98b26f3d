/**
 * Adapter and device acquisition: backend choice, explicit limits, error capture, provenance.
 *
 * Deno's WebGPU (wgpu) reads DENO_WEBGPU_BACKEND once per isolate, when its first adapter is
 * requested, so the backend must be chosen before that and cannot be switched afterwards in this
 * process (backend_choice.ts probes Vulkan in a worker, which has an isolate of its own).
 */
import { existsSync } from "node:fs";
import { GpuError, UsageError } from "../base/errors.ts";
import { chooseBackend } from "./backend_choice.ts";

export type BackendChoice = "auto" | "vulkan" | "gl";

export interface AdapterProvenance {
  backend: "vulkan" | "gl";
  description: string;
  vendor: string;
  architecture: string;
  device: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface Gpu {
  device: GPUDevice;
  provenance: AdapterProvenance;
  /**
   * Under `--backend auto`, why GL was used instead of Vulkan (one sentence for stderr); null
   * when the preferred backend was used.
   */
  fallback: string | null;
  /** Throws the first uncaptured GPU error seen since the last call (validation, OOM, internal). */
  throwIfFailed(): void;
}

/** Limits this project asks for; datasets stay packed, so the 128 MiB binding limit suffices. */
const REQUIRED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
] as const;

let acquired: Promise<Gpu> | null = null;
let acquiredBackend: BackendChoice | null = null;

/**
 * The process-wide GPU. Vulkan is preferred under "auto" because on GL `queue.submit()` blocks
 * JavaScript while the work runs. Calling again with another backend is an error: wgpu has
 * already fixed the backend for this process.
 */
export function acquireGpu(backend: BackendChoice = "auto"): Promise<Gpu> {
  if (acquired) {
    if (backend !== acquiredBackend && backend !== "auto") {
      throw new UsageError(
        `the GPU backend was already set to "${acquiredBackend}" in this process and cannot change to "${backend}"; run a separate process per backend`,
      );
    }
    return acquired;
  }
  acquiredBackend = backend;
  acquired = openGpu(backend);
  acquired.catch(() => {
    acquired = null;
    acquiredBackend = null;
  });
  return acquired;
}

async function openGpu(choice: BackendChoice): Promise<Gpu> {
  // Mesa's drivers warn on stderr without a runtime dir; a private one keeps user output clean.
  const runtimeDir = Deno.env.get("XDG_RUNTIME_DIR");
  if (!runtimeDir || !existsSync(runtimeDir)) {
    Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "lth-xdg-" }));
  }
  const { backend, fallback } = await chooseBackend(choice);
  Deno.env.set("DENO_WEBGPU_BACKEND", backend);
  if (!("gpu" in navigator)) {
    throw new GpuError(
      "this Deno build has no WebGPU (navigator.gpu is missing); use Deno 2.x as pinned in .ci/run",
    );
  }
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    const hint = backend === "vulkan"
      ? "install a Vulkan driver (Debian: apt-get install mesa-vulkan-drivers) or pass --backend gl"
      : "install Mesa's EGL/GL drivers or a Vulkan driver (apt-get install mesa-vulkan-drivers)";
    throw new GpuError(`no WebGPU adapter was found on the ${backend} backend; ${hint}`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUIRED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });

  let firstError: GPUError | null = null;
  device.addEventListener("uncapturederror", (event) => {
    firstError ??= (event as GPUUncapturedErrorEvent).error;
  });
  device.lost.then((info) => {
    if (info.reason !== "destroyed") {
      firstError ??= new GPUInternalError(`device lost: ${info.message}`);
    }
  });

  const limits: Record<string, number> = {};
  for (const name of REQUIRED_LIMITS) limits[name] = device.limits[name];
  const info = adapter.info;
  return {
    device,
    fallback,
    provenance: {
      backend,
      description: info.description,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      isFallbackAdapter: info.isFallbackAdapter ?? false,
      features: [...adapter.features].sort(),
      limits,
    },
    throwIfFailed() {
      if (firstError) {
        const error = firstError;
        firstError = null;
        throw new GpuError(`the GPU reported an error: ${error.message}`);
      }
    },
  };
}

/**
 * Runs `body` inside a validation error scope and throws the WGSL/validation message if the
 * scope caught one. Use around pipeline creation and in tests around every dispatch.
 */
export async function withValidation<T>(
  device: GPUDevice,
  what: string,
  body: () => T | Promise<T>,
): Promise<T> {
  device.pushErrorScope("validation");
  let result: T;
  try {
    result = await body();
  } catch (bodyError) {
    await device.popErrorScope();
    throw bodyError;
  }
  const error = await device.popErrorScope();
  if (error) throw new GpuError(`${what} failed GPU validation: ${error.message}`);
  return result;
}
