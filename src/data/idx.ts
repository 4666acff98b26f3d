/**
 * Reader for the IDX format of LeCun's MNIST distribution: a 4-byte magic (0, 0, element type,
 * number of dimensions), one big-endian uint32 per dimension, then the elements in row-major
 * order. Only unsigned bytes (type 0x08) are supported, which is all MNIST and Fashion-MNIST use.
 */

import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { UsageError } from "../base/errors.ts";
import { sha256Hex } from "../base/checksum.ts";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export interface IdxFile extends IdxArray {
  /** SHA-256 hex of the file bytes as stored on disk (before any gunzip). */
  sha256: string;
}

const UNSIGNED_BYTE = 0x08;
const MAX_DIMS = 4;
const FIX = "re-download it or point --data-dir at an intact copy";

function hexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}

/** Parses IDX bytes; every malformation is a UsageError naming `fileName`. */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  if (bytes.length < 4) {
    throw new UsageError(
      `${fileName}: file is ${bytes.length} bytes, shorter than the 4-byte IDX magic; ${FIX}`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new UsageError(
      `${fileName}: first two bytes are ${hexByte(bytes[0])} ${hexByte(bytes[1])} instead of ` +
        `0x00 0x00, so this is not an IDX file; ${FIX}`,
    );
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw new UsageError(
      `${fileName}: IDX element type is ${hexByte(bytes[2])} but only unsigned bytes ` +
        `(0x08, as in MNIST) are supported; use an unsigned-byte IDX file`,
    );
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw new UsageError(
      `${fileName}: IDX header declares ${ndims} dimensions but 1 to ${MAX_DIMS} are expected; ${FIX}`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new UsageError(
      `${fileName}: file is ${bytes.length} bytes but its ${ndims}-dimensional IDX header alone ` +
        `needs ${headerBytes}; ${FIX}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    if (size === 0) {
      throw new UsageError(
        `${fileName}: IDX dimension ${d} is 0, so the file holds no data; ${FIX}`,
      );
    }
    dims.push(size);
    elements *= size;
  }
  // Products of up to four uint32s can exceed 2^53; anything near that is corrupt anyway.
  const expected = headerBytes + elements;
  const shape = dims.join("x");
  if (!Number.isSafeInteger(expected) || bytes.length < expected) {
    throw new UsageError(
      `${fileName}: file is ${bytes.length} bytes but its header declares ${shape} unsigned bytes ` +
        `(${expected} bytes with the header), so it is truncated; ${FIX}`,
    );
  }
  if (bytes.length > expected) {
    throw new UsageError(
      `${fileName}: file is ${bytes.length} bytes but its header declares ${shape} unsigned bytes ` +
        `(${expected} bytes with the header), leaving ${
          bytes.length - expected
        } trailing bytes; ${FIX}`,
    );
  }
  // slice, not subarray: callers get a buffer starting at offset 0 they can hand to the GPU.
  return { dims, data: bytes.slice(headerBytes) };
}

/** True when `bytes` begins with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads an IDX file, gunzipping it when its name ends in .gz or its bytes carry the gzip magic. */
export async function readIdxFile(path: string): Promise<IdxFile> {
  const fileName = basename(path);
  let stored: Uint8Array;
  try {
    stored = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`${fileName}: no file at ${path}; check the path or --data-dir`);
    }
    throw error;
  }
  let raw = stored;
  if (path.endsWith(".gz") || isGzip(stored)) {
    try {
      const out = gunzipSync(stored);
      raw = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (error) {
      throw new UsageError(
        `${fileName}: gunzip failed (${(error as Error).message}); ${FIX}`,
      );
    }
  }
  return { ...parseIdx(raw, fileName), sha256: sha256Hex(stored) };
}
