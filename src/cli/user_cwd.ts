/**
 * Paths on the command line are relative to the directory the user typed the command in.
 * `deno task` runs its command in the folder of deno.json and passes the user's directory as
 * INIT_CWD, so a relative --out must be resolved against INIT_CWD, not Deno.cwd().
 */
import { isAbsolute, resolve } from "node:path";

export function userDirectory(): string {
  return Deno.env.get("INIT_CWD") || Deno.cwd();
}

/** `path` as typed by the user, made absolute against the user's directory. */
export function userPath(path: string): string {
  return isAbsolute(path) ? resolve(path) : resolve(userDirectory(), path);
}
