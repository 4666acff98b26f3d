/**
 * Buffers owned by one piece of work (a training run, a test case) and destroyed together.
 * GPU memory is not garbage-collected promptly, so every buffer must be destroyed explicitly.
 */
export const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
export const UNIFORM = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;

export class BufferPool {
  private readonly owned: GPUBuffer[] = [];

  constructor(readonly device: GPUDevice) {}

  /** A zero-filled storage buffer of `bytes` (rounded up to 4; at least 4). */
  storage(label: string, bytes: number): GPUBuffer {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const buffer = this.device.createBuffer({ label, size, usage: STORAGE });
    this.owned.push(buffer);
    return buffer;
  }

  /** A storage buffer holding `data` (typed array contents, byte length padded to 4). */
  upload(label: string, data: ArrayBufferView): GPUBuffer {
    const buffer = this.storage(label, data.byteLength);
    this.write(buffer, data);
    return buffer;
  }

  /** A uniform buffer of u32/f32 words; WebGPU wants uniform sizes in multiples of 16 bytes. */
  uniform(label: string, words: ArrayBuffer): GPUBuffer {
    const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
    const buffer = this.device.createBuffer({ label, size, usage: UNIFORM });
    this.owned.push(buffer);
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  write(buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    const padded = data.byteLength % 4 === 0 ? data : padTo4(data);
    this.device.queue.writeBuffer(
      buffer,
      byteOffset,
      padded.buffer as ArrayBuffer,
      padded.byteOffset,
      padded.byteLength,
    );
  }

  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.length = 0;
  }
}

function padTo4(data: ArrayBufferView): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return bytes;
}

/**
 * Packs a uniform parameter block. Fields are 32-bit words in declaration order; the WGSL
 * struct must declare them in the same order with the same types.
 */
export function packParams(fields: ReadonlyArray<["u32" | "f32", number]>): ArrayBuffer {
  const words = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(words);
  fields.forEach(([type, value], i) => {
    if (type === "u32") {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new RangeError(`uniform field ${i} must be a u32, got ${value}`);
      }
      view.setUint32(i * 4, value, true);
    } else {
      view.setFloat32(i * 4, value, true);
    }
  });
  return words;
}
