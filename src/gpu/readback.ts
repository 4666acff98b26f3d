/**
 * The one way data returns to the CPU. Each call waits for the GPU (about 11 ms in Deno), so
 * callers read back rarely: once per evaluation chunk or per test case, never per step.
 */
export async function readBuffer(
  device: GPUDevice,
  source: GPUBuffer,
  byteOffset = 0,
  byteLength = source.size - byteOffset,
): Promise<ArrayBuffer> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = device.createBuffer({
    label: "readback",
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: "readback" });
    encoder.copyBufferToBuffer(source, byteOffset, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0, byteLength);
  } finally {
    staging.destroy();
  }
}

export async function readF32(
  device: GPUDevice,
  source: GPUBuffer,
  offsetElements = 0,
  count = source.size / 4 - offsetElements,
): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, source, offsetElements * 4, count * 4));
}

export async function readU32(
  device: GPUDevice,
  source: GPUBuffer,
  offsetElements = 0,
  count = source.size / 4 - offsetElements,
): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(device, source, offsetElements * 4, count * 4));
}
