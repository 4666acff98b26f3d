/**
 * Paths that name a place in a config value, as messages show them: `procedure.optimizer.name`,
 * `claims[1].select.arm`; the top level is the empty path. Keys join with ".", list items take
 * "[i]".
 */
import { isPlainObject } from "./plain_data.ts";

export const childPath = (
  path: string,
  key: string,
): string => (path === "" ? key : `${path}.${key}`);
export const itemPath = (path: string, i: number): string => `${path}[${i}]`;

/** One step up: "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "". */
export function parentPath(path: string): string {
  const lastStep = /(\[\d+\]|\.[^.[\]]+|^[^.[\]]+)$/.exec(path);
  return lastStep ? path.slice(0, lastStep.index) : "";
}

/** The value at a path of map keys such as "procedure.name", or undefined where there is none. */
export function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split(".")) {
    if (!isPlainObject(value)) return undefined;
    value = value[key];
  }
  return value;
}
