/**
 * Paths from a URL, resolved inside the results root or refused: every segment is decoded once
 * and must be a plain name (no "." or "..", no "/" or "\" even when percent-encoded, no NUL), and
 * the real path (symlinks followed) must lie inside the root's real path.
 */
import { existsSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";

/** The decoded segments of a URL path, or null when one is not a plain file name. */
export function plainSegments(segments: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const raw of segments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (
      segment === "" || segment === "." || segment === ".." || /[\\/\0]/.test(segment)
    ) {
      return null;
    }
    out.push(segment);
  }
  return out;
}

/** The existing file or folder the segments name below `root`, or null (absent or outside). */
export function resolveInside(root: string, segments: readonly string[]): string | null {
  const plain = plainSegments(segments);
  if (!plain || !existsSync(root)) return null;
  const candidate = join(root, ...plain);
  if (!existsSync(candidate)) return null;
  const realRoot = realpathSync(root);
  const real = realpathSync(candidate);
  return real === realRoot || real.startsWith(realRoot + sep) ? real : null;
}
