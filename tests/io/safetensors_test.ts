import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  decodeSafetensors,
  decodeSafetensorsMetadata,
  encodeSafetensors,
  type SafetensorsTensor,
} from "../../src/io/safetensors.ts";
import { UsageError } from "../../src/base/errors.ts";

function sample(): SafetensorsTensor[] {
  const weight = new Float32Array(3 * 4).map((_, i) => i * 0.5 - 2);
  return [
    { name: "fc1.weight", shape: [3, 4], data: weight },
    { name: "fc1.bias", shape: [3], data: new Float32Array([0.1, -0.2, 1e-30]) },
    { name: "fc1.mask", shape: [3, 4], data: new Float32Array(12).fill(1) },
    { name: "empty", shape: [0, 5], data: new Float32Array(0) },
  ];
}

function headerOf(bytes: Uint8Array): { length: number; json: Record<string, unknown> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  return { length, json };
}

Deno.test("safetensors round trip keeps names, shapes, values, order and metadata", () => {
  const tensors = sample();
  const bytes = encodeSafetensors(tensors, { format: "pt", round: "3" });
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.map((t) => t.name), tensors.map((t) => t.name));
  for (let i = 0; i < tensors.length; i++) {
    assert.deepEqual(back[i].shape, tensors[i].shape);
    assert.deepEqual([...back[i].data], [...tensors[i].data]);
  }
  assert.deepEqual(decodeSafetensorsMetadata(bytes), { format: "pt", round: "3" });
  assert.deepEqual(decodeSafetensorsMetadata(encodeSafetensors(tensors)), {});
});

Deno.test("safetensors byte layout: u64 LE header length, 8-byte alignment, offsets, LE f32", () => {
  const tensors = sample();
  const bytes = encodeSafetensors(tensors, { format: "pt" });
  const { length, json } = headerOf(bytes);
  assert.equal(length % 8, 0);
  assert.equal((8 + length) % 8, 0);
  // Padding is spaces after the JSON text.
  const raw = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  assert.match(raw, /^\{.*\} *$/);
  assert.deepEqual(json["__metadata__"], { format: "pt" });
  assert.deepEqual(json["fc1.weight"], { dtype: "F32", shape: [3, 4], data_offsets: [0, 48] });
  assert.deepEqual(json["fc1.bias"], { dtype: "F32", shape: [3], data_offsets: [48, 60] });
  assert.deepEqual(json["fc1.mask"], { dtype: "F32", shape: [3, 4], data_offsets: [60, 108] });
  assert.deepEqual(json["empty"], { dtype: "F32", shape: [0, 5], data_offsets: [108, 108] });
  assert.equal(bytes.length, 8 + length + 108);
  // fc1.bias[1] = -0.2 as little-endian f32 at data start + 48 + 4.
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(view.getFloat32(8 + length + 52, true), Math.fround(-0.2));
  assert.equal(view.getFloat32(8 + length + 4, true), Math.fround(-1.5));
});

Deno.test("safetensors decodes from an unaligned view into an owned buffer", () => {
  const bytes = encodeSafetensors(sample());
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const back = decodeSafetensors(shifted.subarray(3));
  assert.deepEqual([...back[1].data], [...sample()[1].data]);
});

function corrupt(edit: (bytes: Uint8Array, headerLength: number) => Uint8Array, pattern: RegExp) {
  const bytes = encodeSafetensors(sample());
  const { length } = headerOf(bytes);
  assert.throws(() => decodeSafetensors(edit(bytes.slice(), length)), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

function withHeader(bytes: Uint8Array, length: number, header: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  assert.ok(json.length <= length, "test header must fit the original");
  const out = bytes.slice();
  out.fill(0x20, 8, 8 + length);
  out.set(json, 8);
  return out;
}

Deno.test("safetensors rejects a corrupt header with a message naming the problem", () => {
  corrupt((b) => b.subarray(0, 5), /fewer than the 8-byte length/);
  corrupt((b) => {
    new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
    return b;
  }, /header length .* exceeds/);
  corrupt((b) => {
    b[8] = 0x5b; // "[" instead of "{"
    return b;
  }, /not UTF-8 JSON|not a JSON object/);
  corrupt(
    (b, n) => withHeader(b, n, { x: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }),
    /only F32/,
  );
  corrupt(
    (b, n) => withHeader(b, n, { x: { dtype: "F32", shape: [2, -1], data_offsets: [0, 8] } }),
    /invalid shape/,
  );
  corrupt(
    (b, n) => withHeader(b, n, { x: { dtype: "F32", shape: [2], data_offsets: [0, 12] } }),
    /needs 8/,
  );
  corrupt(
    (b, n) => withHeader(b, n, { x: { dtype: "F32", shape: [2], data_offsets: [1000, 1008] } }),
    /fall outside/,
  );
  corrupt(
    (b, n) => withHeader(b, n, { x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }),
    /cover 8 bytes but the data section has 108/,
  );
  corrupt(
    (b, n) =>
      withHeader(b, n, {
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [25], data_offsets: [4, 104] },
      }),
    /begins at 4, expected 8/,
  );
});

Deno.test("encodeSafetensors refuses a shape that does not match the data", () => {
  assert.throws(
    () => encodeSafetensors([{ name: "w", shape: [2, 2], data: new Float32Array(3) }]),
    /shape \[2,2\] \(4 values\) but 3 values/,
  );
  assert.throws(
    () =>
      encodeSafetensors([
        { name: "w", shape: [1], data: new Float32Array(1) },
        { name: "w", shape: [1], data: new Float32Array(1) },
      ]),
    /reserved or repeated/,
  );
});

Deno.test("safetensors decodes a Node Buffer (what readFileSync returns) into exact tensors", () => {
  const tensors = sample();
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "checkpoint.safetensors");
    writeFileSync(file, encodeSafetensors(tensors));
    // A Buffer's slice() is a view of a larger pool, not a copy: decoding must not use it.
    for (const bytes of [readFileSync(file), Buffer.from(encodeSafetensors(tensors))]) {
      const back = decodeSafetensors(bytes);
      assert.deepEqual(back.map((t) => t.data.length), tensors.map((t) => t.data.length));
      back.forEach((t, i) => assert.deepEqual(t.data, tensors[i].data, t.name));
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
