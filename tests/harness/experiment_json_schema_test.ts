import assert from "node:assert/strict";
import { experimentJsonSchema } from "../../src/harness/experiment_json_schema.ts";

Deno.test("JSON Schema export is draft 2020-12 JSON with the top-level properties", () => {
  const schema = experimentJsonSchema();
  const roundTrip = JSON.parse(JSON.stringify(schema));
  assert.deepEqual(roundTrip, schema);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.type, "object");
  assert.equal(schema.additionalProperties, false);
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(properties), [
    "id",
    "hypothesis",
    "claim",
    "citation",
    "model",
    "data",
    "procedure",
    "controls",
    "trials",
    "seed",
    "claims",
    "profiles",
  ]);
  assert.deepEqual(schema.required, Object.keys(properties));
  const trials = properties.trials;
  assert.deepEqual([trials.type, trials.minimum, trials.maximum], ["integer", 1, 100]);
  // One alternative per registered procedure, told apart by its `name`.
  const alternatives = (properties.procedure as {
    anyOf: { properties: Record<string, Record<string, unknown>> }[];
  }).anyOf;
  const procedure = alternatives.find((a) => JSON.stringify(a.properties.name.enum) === '["imp"]')!;
  assert.equal(procedure.properties.optimizer.type, "object");
  const lr = (procedure.properties.optimizer.properties as Record<string, Record<string, unknown>>)
    .learning_rate;
  assert.equal(lr.exclusiveMinimum, 0);
  const overrides =
    (((properties.profiles.properties as Record<string, Record<string, unknown>>).smoke
      .properties) as Record<string, Record<string, unknown>>).overrides;
  assert.equal((overrides.properties as Record<string, unknown>).claims, undefined);
  assert.equal(overrides.required, undefined, "every override is optional");
  // An optional field may be removed with null (model.kind: null makes a layer list of kind: mlp);
  // a required one may not.
  const model = (overrides.properties as Record<string, Record<string, unknown>>).model;
  const modelFields = model.properties as Record<string, Record<string, unknown>>;
  const kind = modelFields.kind.anyOf as Record<string, unknown>[];
  assert.deepEqual(kind.map((alternative) => alternative.type), ["string", "null"]);
  assert.equal(modelFields.init.type, "string");
  assert.equal(modelFields.init.anyOf, undefined);
});
