/**
 * Worker body of backend_choice.ts: asks this isolate's own wgpu instance (backend Vulkan, set
 * by the parent before the worker starts) for an adapter and posts its description or null.
 */
const adapter = "gpu" in navigator
  ? await navigator.gpu.requestAdapter({ powerPreference: "high-performance" })
  : null;
// A worker's global is a DedicatedWorkerGlobalScope; this project type-checks with window types.
(self as unknown as { postMessage(message: string | null): void }).postMessage(
  adapter ? adapter.info.description : null,
);
