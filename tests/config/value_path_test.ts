import assert from "node:assert/strict";
import { childPath, itemPath, parentPath, valueAt } from "../../src/config/value_path.ts";

Deno.test("paths step down with childPath/itemPath and back up with parentPath", () => {
  const path = childPath(itemPath(childPath(childPath("", "a"), "b"), 2), "c");
  assert.equal(path, "a.b[2].c");
  const up = [path];
  while (up.at(-1) !== "") up.push(parentPath(up.at(-1)!));
  assert.deepEqual(up, ["a.b[2].c", "a.b[2]", "a.b", "a", ""]);
});

Deno.test("valueAt reads through maps only", () => {
  const root = { procedure: { name: "imp" }, list: [{ x: 1 }] };
  assert.equal(valueAt(root, "procedure.name"), "imp");
  assert.equal(valueAt(root, "procedure.missing"), undefined);
  assert.equal(valueAt(root, "list.x"), undefined);
});
