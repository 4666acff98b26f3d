import assert from "node:assert/strict";
import { obj, opt, req } from "../../src/config/descriptors.ts";
import { toJsonSchema } from "../../src/config/json_schema.ts";

Deno.test("toJsonSchema: objects close, optional fields are not required, exclusive bounds", () => {
  const desc = obj("Shape.", {
    rate: req({ kind: "number", min: 0, max: 1, minExclusive: true, doc: "Rate." }),
    tags: opt({ kind: "array", items: { kind: "string", enum: ["a"] }, minItems: 1 }),
  });
  assert.deepEqual(toJsonSchema(desc), {
    type: "object",
    description: "Shape.",
    properties: {
      rate: { type: "number", description: "Rate.", exclusiveMinimum: 0, maximum: 1 },
      tags: { type: "array", items: { type: "string", enum: ["a"] }, minItems: 1 },
    },
    required: ["rate"],
    additionalProperties: false,
  });
});

Deno.test("toJsonSchema: a tagged map offers every alternative; an open map any fields", () => {
  const a = obj("A.", {});
  const b = obj("B.", {});
  assert.deepEqual(toJsonSchema({ kind: "tagged", tagPath: "k", of: { a, b } }), {
    anyOf: [toJsonSchema(a), toJsonSchema(b)],
  });
  assert.deepEqual(toJsonSchema({ kind: "map" }), { type: "object" });
});
