import assert from "node:assert/strict";
import { canonicalJson, configHash } from "../../src/config/hash.ts";
import type { ResolvedConfig } from "../../src/config/types.ts";
import { resolveExperiment } from "../fixtures/experiments.ts";

/** The same value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]);
  return Object.fromEntries(entries);
}

const paper = (): ResolvedConfig => resolveExperiment("weak-lth", "paper");

Deno.test("canonicalJson sorts keys, drops whitespace, prints numbers as JS does", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [1, { d: "x", c: true }], e: null }),
    '{"a":[1,{"c":true,"d":"x"}],"b":1,"e":null}',
  );
  assert.equal(canonicalJson([1.2e-3, 50000, 1e21, -0.5]), "[0.0012,50000,1e+21,-0.5]");
  assert.equal(canonicalJson({ a: undefined, b: [undefined] }), '{"b":[null]}');
  assert.equal(canonicalJson('quote " and \n'), '"quote \\" and \\n"');
});

Deno.test("canonicalJson refuses values JSON cannot carry faithfully", () => {
  assert.throws(() => canonicalJson({ x: NaN }), TypeError);
  assert.throws(() => canonicalJson(Infinity), TypeError);
  assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
});

Deno.test("configHash is 12 hex digits and stable under key order", () => {
  const config = paper();
  const hash = configHash(config);
  assert.match(hash, /^[0-9a-f]{12}$/);
  assert.equal(configHash(reverseKeys(config) as ResolvedConfig), hash);
  assert.equal(configHash(paper()), hash, "the same file resolves to the same hash");
});

Deno.test("configHash changes when any value changes", () => {
  const config = paper();
  const hash = configHash(config);
  const changed = structuredClone(config);
  (changed.procedure.optimizer as { learning_rate: number }).learning_rate = 1.3e-3;
  assert.notEqual(configHash(changed), hash);
  const reseeded = { ...config, seed: 2 };
  assert.notEqual(configHash(reseeded), hash);
  const profiles = new Set(
    (["smoke", "quick", "paper"] as const).map((p) => configHash(resolveExperiment("weak-lth", p))),
  );
  assert.equal(profiles.size, 3, "each profile names its own results folder");
});
