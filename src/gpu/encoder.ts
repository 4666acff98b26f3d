/**
 * Prepared dispatches and the recorder that replays them. A training step is a fixed list of
 * dispatches whose varying inputs (batch indices, step counter) live in GPU buffers, so the bind
 * groups are built once and K steps are recorded into one command buffer with one submit.
 */
import type { Kernel } from "./pipelines.ts";

export interface Dispatch {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

export function prepareDispatch(
  device: GPUDevice,
  kernel: Kernel,
  buffers: readonly GPUBuffer[],
  workgroups: [number, number, number],
): Dispatch {
  if (buffers.length !== kernel.bindings.length) {
    throw new Error(
      `kernel ${kernel.name} takes ${kernel.bindings.length} bindings, got ${buffers.length}`,
    );
  }
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  for (const count of workgroups) {
    if (!Number.isInteger(count) || count < 1 || count > max) {
      throw new Error(`kernel ${kernel.name}: workgroup count ${count} outside [1, ${max}]`);
    }
  }
  const bindGroup = device.createBindGroup({
    label: kernel.name,
    layout: kernel.layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { kernel, bindGroup, workgroups };
}

/** Records dispatches into one compute pass; each dispatch sees the writes of the ones before. */
export class Recorder {
  private readonly encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null;

  constructor(private readonly device: GPUDevice, label = "recorder") {
    this.encoder = device.createCommandEncoder({ label });
    this.pass = this.encoder.beginComputePass({ label });
  }

  record(dispatches: readonly Dispatch[]): void {
    const pass = this.pass;
    if (!pass) throw new Error("Recorder.record after copy or submit: start a new Recorder");
    for (const d of dispatches) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }

  /** Ends the compute pass and copies `bytes` from `source` into `target` after the dispatches. */
  copy(
    source: GPUBuffer,
    sourceOffset: number,
    target: GPUBuffer,
    targetOffset: number,
    bytes: number,
  ): void {
    this.endPass();
    this.encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
  }

  submit(): void {
    this.endPass();
    this.device.queue.submit([this.encoder.finish()]);
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }
}
