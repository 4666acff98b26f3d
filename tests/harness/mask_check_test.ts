import assert from "node:assert/strict";
import { checkMasks } from "../../src/harness/mask_check.ts";

const tensor = (name: string, values: number[]) => ({
  name,
  shape: [values.length],
  data: new Float32Array(values),
});

Deno.test("checkMasks: fraction remaining over all mask tensors; weights are not masks", () => {
  const check = checkMasks([
    tensor("fc1.weight", [0.5, -2, 3]),
    tensor("fc1.mask", [1, 0, 1]),
    tensor("fc2.mask", [0]),
  ], "final.safetensors");
  assert.deepEqual(check.problems, []);
  assert.equal(check.weightsRemaining, 2 / 4);
  assert.equal(checkMasks([tensor("fc1.weight", [1])], "x").weightsRemaining, undefined);
});

Deno.test("checkMasks names the tensor, entry and value of a non-0/1 mask entry", () => {
  const check = checkMasks([tensor("fc1.mask", [1, 0.5, 0])], "run/final.safetensors");
  assert.equal(check.problems.length, 1);
  assert.match(check.problems[0], /^run\/final\.safetensors: mask fc1\.mask entry 1 is 0\.5,/);
});
