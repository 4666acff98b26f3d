import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import { type Desc, obj, opt, req } from "../../src/config/descriptors.ts";
import { check, type Ctx, expected, fail } from "../../src/config/validate.ts";
import { readYaml } from "../../src/config/yaml_document.ts";

const SHAPE = obj("A test shape.", {
  n: req({ kind: "integer", min: 1, max: 9 }),
  x: opt({
    kind: "union",
    of: [{ kind: "integer", min: 0 }, { kind: "array", items: { kind: "number" }, minItems: 2 }],
  }),
  kind: req({ kind: "string", enum: ["a", "b"] }),
  body: req({
    kind: "tagged",
    tagPath: "kind",
    of: { a: obj("", { p: req({ kind: "boolean" }) }), b: obj("", {}) },
  }),
});

/** Checks `source` against SHAPE and returns the error message, or "" when it passes. */
function messageOf(source: string, ctxExtra: Partial<Ctx> = {}): string {
  const { value, index } = readYaml(source, "f.yaml");
  try {
    check(SHAPE, value, "", { index, file: "f.yaml", root: value, ...ctxExtra });
    return "";
  } catch (error) {
    assert.ok(error instanceof UsageError);
    return error.message;
  }
}

Deno.test("check: a valid value passes; each mismatch names position, path, expectation, value", () => {
  assert.equal(messageOf("n: 3\nx: [1, 2.5]\nkind: a\nbody: { p: true }\n"), "");
  assert.equal(
    messageOf("n: 10\nkind: b\nbody: {}\n"),
    "f.yaml:1:4: n: expected an integer in 1..9, got 10",
  );
  assert.equal(
    messageOf("n: 1\nx: 1.5\nkind: b\nbody: {}\n"),
    "f.yaml:2:4: x: expected an integer >= 0, got 1.5",
  );
  assert.equal(
    messageOf("n: 1\nkind: b\nbody: {}\nextra: 1\n"),
    'f.yaml:4:1: unknown key "extra" at the top level; expected one of: n, x, kind, body',
  );
  assert.equal(
    messageOf("n: 1\nkind: a\nbody: {}\n"),
    "f.yaml:3:1: body.p: missing; expected true or false",
  );
  assert.equal(
    messageOf("n: 1\nkind: c\nbody: {}\n"),
    'f.yaml:2:7: kind: expected one of: a, b, got "c"',
  );
});

Deno.test("check: while a profile is checked, values that stand where the base wrote them name it", () => {
  assert.equal(
    messageOf("n: 0\nkind: b\nbody: {}\n", { profile: "smoke" }),
    "f.yaml:1:4: n (profile smoke): expected an integer in 1..9, got 0",
  );
});

Deno.test("fail: without a recorded position the message falls back to the file", () => {
  const ctx: Ctx = { index: new Map(), file: "built-in" };
  assert.throws(() => fail(ctx, "a.b", "wrong"), new UsageError("built-in: a.b: wrong"));
});

Deno.test("expected: descriptors in words", () => {
  const cases: [Desc, string][] = [
    [
      { kind: "number", min: 0, max: 1, minExclusive: true, maxExclusive: true },
      "a number in (0, 1)",
    ],
    [{ kind: "number", max: 1 }, "a number <= 1"],
    [{ kind: "integer" }, "an integer"],
    [{ kind: "array", items: { kind: "number" }, minItems: 2, maxItems: 2 }, "a list of 2 entries"],
    [{ kind: "string", patternDoc: "a non-empty string" }, "a non-empty string"],
  ];
  for (const [desc, words] of cases) assert.equal(expected(desc), words);
});
