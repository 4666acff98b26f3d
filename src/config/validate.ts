/**
 * The checker derived from descriptors (descriptors.ts): `check` walks a value against a
 * descriptor and throws a UsageError at the first mismatch, pointing at the value's position from
 * the location index (yaml_document.ts), naming the path, what was expected and the value seen.
 * `fail` reports any other rule's violation the same way.
 */
import { UsageError } from "../base/errors.ts";
import { type Desc, showValue } from "./descriptors.ts";
import { isPlainObject } from "./plain_data.ts";
import type { ProfileName } from "./profiles.ts";
import { childPath, itemPath, parentPath, valueAt } from "./value_path.ts";
import type { Loc, LocIndex } from "./yaml_document.ts";

/** What a check needs besides the value: where things are, and what is being checked. */
export interface Ctx {
  index: LocIndex;
  /** Shown when no position is known (a config built in code). */
  file: string;
  /** Set while checking a profile's merged config. */
  profile?: ProfileName;
  /** The whole value being checked, where tagged descriptors find their tag. */
  root?: unknown;
}

/** The position of a path, or of its nearest recorded ancestor with the source path extended. */
function locate(ctx: Ctx, path: string): Loc {
  for (let p = path;; p = parentPath(p)) {
    const loc = ctx.index.get(p);
    if (loc) {
      if (p === path) return loc;
      const source = loc.source === "" ? path : loc.source + path.slice(p.length);
      return { ...loc, source, isMap: false };
    }
    if (p === "") return { where: ctx.file, keyWhere: ctx.file, source: path, isMap: false };
  }
}

/**
 * The path as the user wrote it. While a profile's merged config is checked, a value the profile
 * did not set (its source is its own path: it stands where the base wrote it) is named with the
 * profile, since the base alone passed and only the merge broke it.
 */
function shownPath(ctx: Ctx, path: string): string {
  const loc = locate(ctx, path);
  const name = loc.source === "" ? "top level" : loc.source;
  const fromBase = loc.source === path;
  return ctx.profile && fromBase ? `${name} (profile ${ctx.profile})` : name;
}

/** Throws a UsageError at the value at `path` (at its key when `useKey`): "where: path: message". */
export function fail(ctx: Ctx, path: string, message: string, useKey = false): never {
  const loc = locate(ctx, path);
  throw new UsageError(`${useKey ? loc.keyWhere : loc.where}: ${shownPath(ctx, path)}: ${message}`);
}

/** What a descriptor accepts, in words: "an integer in 1..100", "a number in (0, 1)". */
export function expected(desc: Desc): string {
  switch (desc.kind) {
    case "object":
      return desc.minFields
        ? `a map with at least one of: ${Object.keys(desc.fields).join(", ")}`
        : "a map";
    case "array":
      if (desc.minItems !== undefined && desc.minItems === desc.maxItems) {
        return `a list of ${desc.minItems} entries`;
      }
      return desc.minItems ? `a list of at least ${desc.minItems} entries` : "a list";
    case "tagged":
    case "map":
      return "a map";
    case "integer":
      if (desc.min !== undefined && desc.max !== undefined) {
        return `an integer in ${desc.min}..${desc.max}`;
      }
      if (desc.min !== undefined) return `an integer >= ${desc.min}`;
      return desc.max !== undefined ? `an integer <= ${desc.max}` : "an integer";
    case "number": {
      const { min, max } = desc;
      if (min !== undefined && max !== undefined) {
        return `a number in ${desc.minExclusive ? "(" : "["}${min}, ${max}${
          desc.maxExclusive ? ")" : "]"
        }`;
      }
      if (min !== undefined) return `a number ${desc.minExclusive ? ">" : ">="} ${min}`;
      if (max !== undefined) return `a number ${desc.maxExclusive ? "<" : "<="} ${max}`;
      return "a number";
    }
    case "string":
      if (desc.enum) return `one of: ${desc.enum.join(", ")}`;
      return desc.patternDoc ?? "a string";
    case "boolean":
      return "true or false";
    case "union":
      return desc.of.map(expected).join(" or ");
  }
}

/** The descriptor kind a value would satisfy, to pick a union's alternative. */
function kindOf(value: unknown): Desc["kind"] | "other" {
  if (Array.isArray(value)) return "array";
  if (isPlainObject(value)) return "object";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return "other";
}

/** Checks `value` (at `path` in ctx.root) against `desc`; throws at the first mismatch. */
export function check(desc: Desc, value: unknown, path: string, ctx: Ctx): void {
  const bad = (): never => fail(ctx, path, `expected ${expected(desc)}, got ${showValue(value)}`);
  switch (desc.kind) {
    case "object": {
      if (!isPlainObject(value)) return bad();
      for (const key of Object.keys(value)) {
        const reason = desc.forbidden?.[key];
        if (reason) fail(ctx, childPath(path, key), reason, true);
        if (!(key in desc.fields)) {
          const where = locate(ctx, childPath(path, key)).keyWhere;
          const parent = path === "" ? "at the top level" : `in ${shownPath(ctx, path)}`;
          throw new UsageError(
            `${where}: unknown key ${JSON.stringify(key)} ${parent}; expected one of: ${
              Object.keys(desc.fields).join(", ")
            }`,
          );
        }
      }
      let present = 0;
      for (const [key, field] of Object.entries(desc.fields)) {
        // null removes the base's value (a profile's override of an optional field).
        if (value[key] === null && field.removable) continue;
        if (value[key] === undefined) {
          if (!field.optional) {
            fail(ctx, childPath(path, key), `missing; expected ${expected(field.desc)}`, true);
          }
          continue;
        }
        present++;
        check(field.desc, value[key], childPath(path, key), ctx);
      }
      if (desc.minFields && present < desc.minFields) bad();
      return;
    }
    case "array":
      if (
        !Array.isArray(value) || value.length < (desc.minItems ?? 0) ||
        value.length > (desc.maxItems ?? Infinity)
      ) return bad();
      value.forEach((item, i) => check(desc.items, item, itemPath(path, i), ctx));
      return;
    case "map":
      if (!isPlainObject(value)) bad();
      return;
    case "tagged": {
      const tag = valueAt(ctx.root, desc.tagPath);
      const alternative = typeof tag === "string" ? desc.of[tag] : undefined;
      if (!alternative) {
        fail(
          ctx,
          desc.tagPath,
          `expected one of: ${Object.keys(desc.of).join(", ")}, got ${showValue(tag)}`,
          tag === undefined,
        );
      }
      check(alternative, value, path, ctx);
      return;
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return bad();
      if (
        (desc.min !== undefined && value < desc.min) || (desc.max !== undefined && value > desc.max)
      ) bad();
      return;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return bad();
      const { min, max } = desc;
      if (min !== undefined && (desc.minExclusive ? value <= min : value < min)) bad();
      if (max !== undefined && (desc.maxExclusive ? value >= max : value > max)) bad();
      return;
    }
    case "string":
      if (typeof value !== "string") return bad();
      if (desc.enum && !desc.enum.includes(value)) bad();
      if (desc.pattern && !new RegExp(desc.pattern).test(value)) bad();
      return;
    case "boolean":
      if (typeof value !== "boolean") bad();
      return;
    case "union": {
      // An integer is a number too: an integer alternative takes any number, then checks it.
      const kind = kindOf(value);
      const alt = desc.of.find((d) =>
        d.kind === kind || (d.kind === "integer" && kind === "number")
      );
      if (!alt) return bad();
      check(alt, value, path, ctx);
      return;
    }
  }
}
