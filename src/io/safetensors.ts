/**
 * safetensors checkpoints (https://github.com/huggingface/safetensors), F32 only.
 *
 * Layout: bytes [0, 8) = N as an unsigned 64-bit little-endian integer; bytes [8, 8+N) = a UTF-8
 * JSON header {name: {dtype: "F32", shape, data_offsets: [begin, end]}, "__metadata__": {...}},
 * right-padded with spaces so 8+N is a multiple of 8 (the tensor data starts 8-byte aligned);
 * bytes [8+N, end) = the tensors' raw little-endian f32 values, row-major (PyTorch layout:
 * `fc1.weight` is [out, in]). data_offsets are relative to the start of the data section, and the
 * tensors tile it exactly: end - begin = 4 * prod(shape), no gaps, no overlaps.
 */
import { UsageError } from "../base/errors.ts";

export interface SafetensorsTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const METADATA_KEY = "__metadata__";
const F32_BYTES = 4;
// Typed arrays use the host byte order; on a little-endian host the f32 bytes copy as they are.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialise tensors (in the order given) and optional string metadata to safetensors bytes. */
export function encodeSafetensors(
  tensors: SafetensorsTensor[],
  metadata?: Record<string, string>,
): Uint8Array {
  // A null-prototype object: a tensor named "__proto__" or "toString" is an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new Error(`safetensors metadata "${key}" must be a string, got ${typeof value}`);
      }
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.name === METADATA_KEY || Object.hasOwn(header, tensor.name)) {
      throw new Error(`safetensors tensor name "${tensor.name}" is reserved or repeated`);
    }
    const count = elementCount(tensor.shape);
    if (count === null) {
      throw new Error(
        `safetensors tensor "${tensor.name}" has an invalid shape ${JSON.stringify(tensor.shape)}`,
      );
    }
    if (count !== tensor.data.length) {
      throw new Error(
        `safetensors tensor "${tensor.name}" has shape ${JSON.stringify(tensor.shape)} ` +
          `(${count} values) but ${tensor.data.length} values`,
      );
    }
    const end = offset + count * F32_BYTES;
    header[tensor.name] = { dtype: "F32", shape: tensor.shape, data_offsets: [offset, end] };
    offset = end;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad so the data section starts at a multiple of 8: 8 + N ≡ 0 (mod 8) <=> N ≡ 0 (mod 8).
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);

  let at = 8 + headerLength;
  for (const { data } of tensors) {
    if (HOST_LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(at + i * F32_BYTES, data[i], true);
    }
    at += data.byteLength;
  }
  return out;
}

/** Parse safetensors bytes into tensors, in data order (= the order they were encoded in). */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsTensor[] {
  const { entries, dataStart } = parseHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return entries.map(({ name, shape, begin, end }) => {
    const count = (end - begin) / F32_BYTES;
    const start = dataStart + begin;
    let data: Float32Array;
    if (HOST_LITTLE_ENDIAN) {
      // Copy into a fresh, 4-byte-aligned buffer that the result owns. Not `bytes.slice()`:
      // on a Node Buffer (what readFileSync returns) slice is a view of the whole pool.
      data = new Float32Array(count);
      new Uint8Array(data.buffer).set(bytes.subarray(start, start + count * F32_BYTES));
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + i * F32_BYTES, true);
    }
    return { name, shape, data };
  });
}

/** The header's "__metadata__" map ({} when absent). */
export function decodeSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parseHeader(bytes).metadata;
}

interface HeaderEntry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(
  bytes: Uint8Array,
): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  const bad = (what: string) =>
    new UsageError(`invalid safetensors file: ${what}; re-create the checkpoint`);
  if (bytes.length < 8) throw bad(`only ${bytes.length} bytes, fewer than the 8-byte length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw bad(`header length ${declared} exceeds the ${bytes.length - 8} bytes after the prefix`);
  }
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;

  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(text);
  } catch (error) {
    throw bad(`header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw bad("header is not a JSON object");
  }

  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw bad(`"${METADATA_KEY}" is not an object`);
      }
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== "string") throw bad(`metadata "${key}" is not a string`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    if (typeof raw !== "object" || raw === null) throw bad(`entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (dtype !== "F32") {
      throw bad(`tensor "${name}" has dtype ${JSON.stringify(dtype)}; only F32 is supported`);
    }
    const count = Array.isArray(shape) ? elementCount(shape) : null;
    if (count === null) throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw bad(
        `tensor "${name}" data_offsets [${begin}, ${end}] fall outside the ${dataLength}-byte data`,
      );
    }
    if (end - begin !== count * F32_BYTES) {
      throw bad(
        `tensor "${name}" spans ${end - begin} bytes but shape ${JSON.stringify(shape)} ` +
          `needs ${count * F32_BYTES}`,
      );
    }
    entries.push({ name, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data section exactly: sorted by begin, each starts where the
  // previous ended, and the last ends at the end of the file.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin !== expected) {
      throw bad(`tensor "${entry.name}" begins at ${entry.begin}, expected ${expected}`);
    }
    expected = entry.end;
  }
  if (expected !== dataLength) {
    throw bad(`tensors cover ${expected} bytes but the data section has ${dataLength}`);
  }
  return { entries, metadata, dataStart };
}

/** prod(shape) for a list of non-negative integer dimensions; null when the shape is invalid. */
function elementCount(shape: unknown[]): number | null {
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || (dim as number) < 0) return null;
    count *= dim as number;
  }
  return Number.isSafeInteger(count) ? count : null;
}
