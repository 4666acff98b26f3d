/**
 * Compute pipelines, created once per (kernel, constants) and cached for the device's lifetime:
 * re-creating pipelines leaks memory in wgpu. The WGSL comes from `kernels/<name>.wgsl`, the
 * same file the tests check.
 */
import { GpuError } from "../base/errors.ts";

/** The kind of each binding, in binding order (0, 1, 2, ...). */
export type BindingKind = "uniform" | "read" | "read_write";

export interface Kernel {
  name: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  bindings: readonly BindingKind[];
}

const kernelDirectory = new URL("../../kernels/", import.meta.url);
const sourceCache = new Map<string, string>();

export function kernelSource(name: string): string {
  let source = sourceCache.get(name);
  if (source === undefined) {
    source = Deno.readTextFileSync(new URL(`${name}.wgsl`, kernelDirectory));
    sourceCache.set(name, source);
  }
  return source;
}

const caches = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();

/**
 * The pipeline of kernel `name` specialised with WGSL `override` constants. The bind group
 * layout is explicit, so a binding that a specialisation does not read can still be bound.
 */
export function loadKernel(
  device: GPUDevice,
  name: string,
  bindings: readonly BindingKind[],
  constants: Record<string, number> = {},
): Promise<Kernel> {
  let cache = caches.get(device);
  if (!cache) caches.set(device, cache = new Map());
  const key = `${name}|${
    Object.entries(constants).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`)
      .join(",")
  }`;
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = createKernel(device, name, bindings, constants);
    cache.set(key, kernel);
    kernel.catch(() => cache.delete(key));
  }
  return kernel;
}

async function createKernel(
  device: GPUDevice,
  name: string,
  bindings: readonly BindingKind[],
  constants: Record<string, number>,
): Promise<Kernel> {
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ label: name, code: kernelSource(name) });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === "error");
  if (errors.length > 0) {
    await device.popErrorScope();
    const first = errors[0];
    throw new GpuError(
      `kernels/${name}.wgsl does not compile (line ${first.lineNum}:${first.linePos}): ${first.message}`,
    );
  }
  const layout = device.createBindGroupLayout({
    label: name,
    entries: bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: {
        type: kind === "uniform" ? "uniform" : kind === "read" ? "read-only-storage" : "storage",
      },
    })),
  });
  const pipeline = await device.createComputePipelineAsync({
    label: name,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: "main", constants },
  });
  const error = await device.popErrorScope();
  if (error) {
    throw new GpuError(
      `the pipeline for kernels/${name}.wgsl with constants ${
        JSON.stringify(constants)
      } is invalid: ${error.message}`,
    );
  }
  return { name, pipeline, layout, bindings };
}
