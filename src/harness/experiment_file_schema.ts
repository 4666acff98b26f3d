/**
 * The descriptor of a whole experiment file: the experiment's fields plus `profiles`, where
 * each profile gives a note (how it departs from the paper) and overrides, a partial experiment
 * deep-merged over the base. The fields every profile must share are refused in overrides.
 */
import { type Field, obj, type ObjectDesc, opt, req, text } from "../config/descriptors.ts";
import { PROFILE_NAMES } from "../config/profiles.ts";
import { EXPERIMENT, EXPERIMENT_FIELDS } from "./experiment_schema.ts";

/**
 * Deep-optional copy of an object descriptor: overrides may set any subset of the fields, and
 * remove an optional one with null (deepMerge).
 */
function partial(desc: ObjectDesc): ObjectDesc {
  const fields: Record<string, Field> = {};
  for (const [key, field] of Object.entries(desc.fields)) {
    const d = field.desc;
    // A tagged map's shape depends on the merged config; it is checked after the merge.
    fields[key] = {
      ...opt(
        d.kind === "object" ? partial(d) : d.kind === "tagged" ? { kind: "map", doc: d.doc } : d,
      ),
      ...(field.optional ? { removable: true } : {}),
    };
  }
  return { ...desc, fields };
}

const SAME_FOR_EVERY_PROFILE = "is the same for every profile";
const NOT_OVERRIDABLE = ["id", "hypothesis", "claims"];
const OVERRIDES: ObjectDesc = {
  kind: "object",
  doc:
    "Partial config deep-merged over the base (maps merge, lists replace, null removes an optional field).",
  fields: Object.fromEntries(
    Object.entries(partial(EXPERIMENT).fields).filter(([k]) => !NOT_OVERRIDABLE.includes(k)),
  ),
  forbidden: {
    id: `the id ${SAME_FOR_EVERY_PROFILE}; remove it from the overrides`,
    hypothesis: `the hypothesis ${SAME_FOR_EVERY_PROFILE}; remove it from the overrides`,
    claims: `claims may not be overridden; give the claim's threshold a map per profile instead`,
  },
};

const PROFILE = obj("One profile: how it departs from the paper, and the overrides that do it.", {
  note: req(text("How this profile departs from the paper's protocol.")),
  single_seed: opt({
    kind: "boolean",
    doc:
      "The profile runs one trial on purpose: each claim's one value decides its verdict, marked 'one seed' (default false: one trial gives no confidence interval, so INCONCLUSIVE).",
  }),
  overrides: opt(OVERRIDES),
});

/** The whole file: an experiment plus its three profiles, every one required. */
export const EXPERIMENT_FILE = obj("A lottery-ticket experiment file.", {
  ...EXPERIMENT_FIELDS,
  profiles: req(
    obj(
      "smoke (CI), quick (a CPU in minutes), paper (the paper's protocol).",
      Object.fromEntries(PROFILE_NAMES.map((name) => [name, req(PROFILE)])),
    ),
  ),
});
