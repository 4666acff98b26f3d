/**
 * A YAML file read as plain values plus a location index: for every path in the value (see
 * value_path.ts), the `file:line:column` of the value and of the key that holds it, so that a
 * check failing at a path can point at the text that caused it.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { UsageError } from "../base/errors.ts";
import { childPath, itemPath } from "./value_path.ts";

/** Where a value came from. */
export interface Loc {
  /** "file:line:col" of the value (or "command line"). */
  where: string;
  /** "file:line:col" of the key that holds the value: where a missing child key is reported. */
  keyWhere: string;
  /**
   * The path as the user wrote it: the indexed path itself for a value read where it stands;
   * otherwise where the value was moved from (a profile's overrides block) or the command-line
   * option that set it.
   */
  source: string;
  isMap: boolean;
}

/** Path -> location, in document order (a value's entry comes before its children's). */
export type LocIndex = Map<string, Loc>;

/** Nesting deeper than this can only come from an alias that refers to its own ancestor. */
const MAX_DEPTH = 64;

/**
 * Parses `source` and converts it to plain JS values, recording each value's position by path.
 * `file` is the name positions are given under. Syntax errors (duplicate keys included) throw a
 * UsageError at their position.
 */
export function readYaml(source: string, file: string): { value: unknown; index: LocIndex } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new UsageError(`${file}:${line}:${col}: YAML syntax error: ${syntax.message}`);
  }
  return readDocument(doc, lines, file);
}

function readDocument(
  doc: Document,
  lines: LineCounter,
  file: string,
): { value: unknown; index: LocIndex } {
  const index: LocIndex = new Map();
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const walk = (node: unknown, path: string, keyWhere: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) {
      throw new UsageError(
        `${keyWhere}: ${
          path.slice(0, 60)
        }...: nesting deeper than ${MAX_DEPTH} levels (a self-referring alias?); flatten the value.`,
      );
    }
    if (isAlias(node)) return walk(node.resolve(doc), path, keyWhere, depth + 1);
    const range = (node as { range?: [number, number, number] } | null)?.range;
    // An empty value (`key:`) has no text of its own, so it is reported at its key.
    const empty = node == null || (isScalar(node) && node.value === null && node.source === "");
    const where = empty || !range ? keyWhere : at(range[0]);
    index.set(path, { where, keyWhere, source: path, isMap: isMap(node) });
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = pair.key;
        const keyAt = isScalar(key) && key.range ? at(key.range[0]) : where;
        if (!isScalar(key)) {
          throw new UsageError(
            `${keyAt}: ${path || "top level"}: a key is a ${
              isMap(key) ? "map" : "list"
            }; use plain text keys.`,
          );
        }
        const name = String(key.value);
        out[name] = walk(pair.value, childPath(path, name), keyAt, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        // A list item has no key: a child missing from it is reported at the item itself.
        const start = (item as { range?: [number, number, number] } | null)?.range?.[0];
        return walk(item, itemPath(path, i), start === undefined ? where : at(start), depth + 1);
      });
    }
    if (isScalar(node)) return node.value;
    return null;
  };
  // An empty file's top level has no key: it is reported at the file's start.
  return { value: walk(doc.contents, "", `${file}:1:1`, 0), index };
}
