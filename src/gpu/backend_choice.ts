/**
 * Which WebGPU backend to open. `auto` prefers Vulkan (on GL `queue.submit()` blocks JavaScript
 * while the work runs) and falls back to GL when Vulkan offers no adapter: no driver installed,
 * or a driver (an ICD manifest) whose device is absent.
 *
 * Whether Vulkan has an adapter can only be known by asking wgpu, and wgpu fixes the backend of
 * an isolate at its first request. The question is therefore asked in a worker (its own isolate
 * and its own wgpu instance), so the main isolate can still pick GL afterwards.
 */
import { existsSync, readdirSync } from "node:fs";

export type Backend = "vulkan" | "gl";

export interface BackendDecision {
  backend: Backend;
  /** Why GL was chosen under `auto` (one sentence for stderr), or null. */
  fallback: string | null;
}

const VULKAN_ICD_DIRS = [
  "/usr/share/vulkan/icd.d",
  "/etc/vulkan/icd.d",
  "/usr/local/share/vulkan/icd.d",
];

/** A Vulkan driver is installed when an ICD manifest exists (or the user names one). */
export function vulkanDriverPresent(): boolean {
  if (Deno.env.get("VK_ICD_FILENAMES") || Deno.env.get("VK_DRIVER_FILES")) return true;
  return VULKAN_ICD_DIRS.some((dir) =>
    existsSync(dir) && readdirSync(dir).some((name) => name.endsWith(".json"))
  );
}

/** What decides `auto`; injectable so the decision is testable without drivers. */
export interface BackendProbes {
  driverPresent: () => boolean;
  /** The Vulkan adapter's description, or null when Vulkan offers none. */
  vulkanAdapter: () => Promise<string | null>;
}

const SYSTEM_PROBES: BackendProbes = {
  driverPresent: vulkanDriverPresent,
  vulkanAdapter: probeVulkanInWorker,
};

export async function chooseBackend(
  choice: "auto" | Backend,
  probes: BackendProbes = SYSTEM_PROBES,
): Promise<BackendDecision> {
  if (choice !== "auto") return { backend: choice, fallback: null };
  if (!probes.driverPresent()) {
    return {
      backend: "gl",
      fallback: `no Vulkan driver is installed (no ICD manifest in ${
        VULKAN_ICD_DIRS.join(", ")
      }), so --backend auto uses GL, which is slower; install one (Debian: apt-get install mesa-vulkan-drivers) for Vulkan`,
    };
  }
  const adapter = await probes.vulkanAdapter();
  if (adapter === null) {
    return {
      backend: "gl",
      fallback:
        "a Vulkan driver is installed but offers no adapter, so --backend auto uses GL, which is slower; check the driver (vulkaninfo) or pass --backend gl to skip this probe",
    };
  }
  return { backend: "vulkan", fallback: null };
}

/**
 * Asks for a Vulkan adapter in a worker. A worker that cannot start or fails is reported as
 * "adapter present", so the main isolate tries Vulkan itself and reports its own error.
 */
function probeVulkanInWorker(): Promise<string | null> {
  const previous = Deno.env.get("DENO_WEBGPU_BACKEND");
  Deno.env.set("DENO_WEBGPU_BACKEND", "vulkan");
  let worker: Worker;
  try {
    worker = new Worker(new URL("./vulkan_probe_worker.ts", import.meta.url), { type: "module" });
  } catch {
    return Promise.resolve("unknown (the probe worker did not start)");
  }
  return new Promise<string | null>((resolve) => {
    worker.onmessage = (event: MessageEvent<string | null>) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      resolve("unknown (the probe worker failed)");
    };
  }).finally(() => {
    worker.terminate();
    if (previous === undefined) Deno.env.delete("DENO_WEBGPU_BACKEND");
    else Deno.env.set("DENO_WEBGPU_BACKEND", previous);
  });
}
