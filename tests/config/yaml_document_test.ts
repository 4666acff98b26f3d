import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import { readYaml } from "../../src/config/yaml_document.ts";

Deno.test("readYaml: values with the positions of each value and of its key", () => {
  const { value, index } = readYaml("a:\n  b: [1, 2]\n  c:\n", "f.yaml");
  assert.deepEqual(value, { a: { b: [1, 2], c: null } });
  assert.deepEqual(index.get("a.b"), {
    where: "f.yaml:2:6",
    keyWhere: "f.yaml:2:3",
    source: "a.b",
    isMap: false,
  });
  assert.equal(index.get("a.b[1]")?.where, "f.yaml:2:10");
  assert.equal(index.get("a")?.isMap, true);
  // An empty value has no text of its own: it is placed at its key.
  assert.equal(index.get("a.c")?.where, "f.yaml:3:3");
});

Deno.test("readYaml: syntax errors, non-text keys and self-referring aliases are usage errors", () => {
  assert.throws(
    () => readYaml("x: 1\nx: 2\n", "f.yaml"),
    new UsageError("f.yaml:2:1: YAML syntax error: Map keys must be unique"),
  );
  assert.throws(
    () => readYaml("? [1]\n: 2\n", "f.yaml"),
    new UsageError("f.yaml:1:1: top level: a key is a list; use plain text keys."),
  );
  assert.throws(() => readYaml("a: &x [*x]\n", "f.yaml"), /nesting deeper than 64 levels/);
});
