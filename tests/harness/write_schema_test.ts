import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SCHEMA_FILE, schemaText } from "../../src/harness/write_schema.ts";

Deno.test("experiments/experiment.schema.json is the schema src/harness/experiment_json_schema.ts exports", () => {
  assert.equal(
    readFileSync(SCHEMA_FILE, "utf8"),
    schemaText(),
    "experiments/experiment.schema.json is stale; regenerate it with `deno run -A src/harness/write_schema.ts`",
  );
});
