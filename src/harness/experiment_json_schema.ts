/**
 * The experiment file format as a JSON Schema (draft 2020-12), derived from the same descriptors
 * the validator checks; the rules across fields, which JSON Schema cannot say, are listed by name
 * in its description. write_schema.ts writes it to experiments/experiment.schema.json.
 */
import { toJsonSchema } from "../config/json_schema.ts";
import { PROCEDURE_SPECS } from "../procedures/specs.ts";
import { CROSS_RULES } from "./cross_rules.ts";
import { EXPERIMENT_FILE } from "./experiment_file_schema.ts";

export function experimentJsonSchema(): Record<string, unknown> {
  const body = toJsonSchema(EXPERIMENT_FILE);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Lottery-ticket experiment",
    ...body,
    description: `${EXPERIMENT_FILE.doc} Also checked, across fields: ${
      CROSS_RULES.map((r) => r.doc).join("; ")
    }; id equals the file's base name. Per procedure: ${
      PROCEDURE_SPECS.map((spec) => `${spec.name}: ${spec.rules.map((r) => r.doc).join("; ")}`)
        .join(". ")
    }.`,
  };
}
