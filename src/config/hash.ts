/**
 * A config's identity: canonical JSON (keys sorted, no whitespace) hashed with SHA-256, so two
 * configs that differ only in key order or formatting name the same results folder.
 */
import { createHash } from "node:crypto";
import type { ResolvedConfig } from "./types.ts";

/**
 * JSON with object keys sorted by UTF-16 code unit (Array.prototype.sort's default order), no
 * whitespace, and numbers as JS prints them (JSON.stringify). Object entries whose value is
 * undefined are left out, as JSON.stringify does; NaN and Infinity are refused rather than
 * written as null, since two different configs would then hash alike.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      }
      const record = value as Record<string, unknown>;
      const entries = Object.keys(record).sort()
        .filter((key) => record[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      return `{${entries.join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

/** First 12 hex digits (48 bits) of SHA-256 over the canonical JSON of the resolved config. */
export function configHash(resolved: ResolvedConfig): string {
  return createHash("sha256").update(canonicalJson(resolved), "utf8").digest("hex").slice(0, 12);
}
