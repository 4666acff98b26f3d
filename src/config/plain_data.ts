/**
 * Config values as a YAML file yields them: maps, lists and scalars. The map test every walker
 * needs, and the deep merge that applies a profile's overrides to the base config.
 */

/** A map (not a list, not null): the only value with fields to walk into or merge. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Deep merge: maps merge key by key; lists and scalars in `over` replace what `base` has; a null
 * in a map of `over` removes the key (JSON Merge Patch, RFC 7396: a profile's `kind: null` drops
 * the base's `kind`). A list replaces whole because its entries have no keys to match (a
 * profile's `rounds: [1, 2]` is a new list, not a patch of the base's). The inputs are left
 * untouched: the result shares nothing.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = key in out ? deepMerge(out[key], value) : structuredClone(value);
  }
  return out;
}
