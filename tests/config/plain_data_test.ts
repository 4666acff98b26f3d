import assert from "node:assert/strict";
import { deepMerge } from "../../src/config/plain_data.ts";

Deno.test("deepMerge: maps merge, lists replace, inputs untouched", () => {
  const base = { a: { b: 1, c: [1, 2, 3] }, d: 4 };
  const over = { a: { c: [9] } };
  assert.deepEqual(deepMerge(base, over), { a: { b: 1, c: [9] }, d: 4 });
  assert.deepEqual(base, { a: { b: 1, c: [1, 2, 3] }, d: 4 });
});
