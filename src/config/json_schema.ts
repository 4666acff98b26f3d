/**
 * Descriptor -> JSON Schema (draft 2020-12), so editors check a file against the same
 * descriptors the validator uses. What a descriptor cannot say in JSON Schema is left to the
 * validator: a tagged map offers every alternative, and an open map accepts any fields.
 */
import type { Desc } from "./descriptors.ts";

export function toJsonSchema(desc: Desc): Record<string, unknown> {
  const doc = desc.doc ? { description: desc.doc } : {};
  switch (desc.kind) {
    case "object": {
      const properties: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(desc.fields)) {
        const schema = toJsonSchema(field.desc);
        properties[key] = field.removable
          ? { anyOf: [schema, { type: "null", description: "Removes the base's value." }] }
          : schema;
      }
      const required = Object.entries(desc.fields).filter(([, f]) => !f.optional).map(([k]) => k);
      return {
        type: "object",
        ...doc,
        properties,
        ...(required.length ? { required } : {}),
        ...(desc.minFields ? { minProperties: desc.minFields } : {}),
        additionalProperties: false,
      };
    }
    case "array":
      return {
        type: "array",
        ...doc,
        items: toJsonSchema(desc.items),
        ...(desc.minItems ? { minItems: desc.minItems } : {}),
        ...(desc.maxItems ? { maxItems: desc.maxItems } : {}),
      };
    case "map":
      return { type: "object", ...doc };
    case "tagged":
      // The tag lives elsewhere (desc.tagPath); editors see every alternative.
      return {
        ...doc,
        anyOf: Object.values(desc.of).map(toJsonSchema),
      };
    case "integer":
    case "number": {
      const out: Record<string, unknown> = { type: desc.kind, ...doc };
      if (desc.min !== undefined) {
        out[desc.kind === "number" && desc.minExclusive ? "exclusiveMinimum" : "minimum"] =
          desc.min;
      }
      if (desc.max !== undefined) {
        out[desc.kind === "number" && desc.maxExclusive ? "exclusiveMaximum" : "maximum"] =
          desc.max;
      }
      return out;
    }
    case "string":
      return {
        type: "string",
        ...doc,
        ...(desc.enum ? { enum: [...desc.enum] } : {}),
        ...(desc.pattern ? { pattern: desc.pattern } : {}),
      };
    case "boolean":
      return { type: "boolean", ...doc };
    case "union":
      return { ...doc, anyOf: desc.of.map(toJsonSchema) };
  }
}
