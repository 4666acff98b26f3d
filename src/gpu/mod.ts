export { acquireGpu, withValidation } from "./device.ts";
export type { AdapterProvenance, BackendChoice, Gpu } from "./device.ts";
export { loadKernel } from "./pipelines.ts";
export type { BindingKind, Kernel } from "./pipelines.ts";
export { BufferPool, packParams } from "./buffers.ts";
export { prepareDispatch, Recorder } from "./encoder.ts";
export type { Dispatch } from "./encoder.ts";
export { readBuffer, readF32, readU32 } from "./readback.ts";
