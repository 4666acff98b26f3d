/**
 * The dashboard's request handler: read-only (GET and HEAD only) over a results root.
 *   /                                 experiments and results folders
 *   /experiment/<id>                  an experiment's results folders
 *   /run/<experiment>/<folder>        a results folder (verdicts, charts, curves, progress)
 *   /files/<experiment>/<folder>/...  a file of a results folder (SVG, CSV, JSON, Markdown)
 *   /api/progress/<experiment>/<folder>   a running folder's status, as JSON
 *   /static/<vega.min.js | vega-lite.min.js | dashboard.js>
 * URL paths never leave the root (src/dashboard/safe_path.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { experimentPage, indexPage, progress, runPage } from "./pages.ts";
import { resolveInside } from "./safe_path.ts";

const TYPES: Record<string, string> = {
  svg: "image/svg+xml",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  jsonl: "application/json",
  md: "text/markdown; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** The browser builds of vega and vega-lite, resolved through the import map, and our script. */
function staticFile(name: string): string | null {
  const resolved: Record<string, () => string> = {
    // Both packages' entry points sit in their build/ folders, beside the browser builds.
    "vega.min.js": () => fileURLToPath(new URL("./vega.min.js", import.meta.resolve("vega"))),
    "vega-lite.min.js": () =>
      fileURLToPath(new URL("./vega-lite.min.js", import.meta.resolve("vega-lite"))),
    "dashboard.js": () => fileURLToPath(new URL("./client.js", import.meta.url)),
  };
  return resolved[name]?.() ?? null;
}

function text(status: number, body: string, type = "text/plain; charset=utf-8"): Response {
  return new Response(body, { status, headers: { "content-type": type } });
}

const notFound = () => text(404, "not found");

/** A handler serving `root` (the results root) read-only. */
export function dashboardHandler(root: string): (request: Request) => Response {
  return (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return text(405, "read-only: GET only");
    }
    const url = new URL(request.url);
    // Split the raw path: an encoded slash stays inside its segment and is refused there.
    const segments = url.pathname.split("/").filter((s) => s !== "");
    const [route, ...rest] = segments;
    try {
      if (!route) return text(200, indexPage(root), "text/html; charset=utf-8");
      if (route === "static" && rest.length === 1) {
        const path = staticFile(decodeURIComponent(rest[0]));
        return path ? text(200, readFileSync(path, "utf8"), TYPES.js) : notFound();
      }
      if (route === "experiment" && rest.length === 1) {
        const html = experimentPage(root, decodeURIComponent(rest[0]));
        return html ? text(200, html, "text/html; charset=utf-8") : notFound();
      }
      if ((route === "run" || route === "api") && rest.length >= 2) {
        const place = route === "api" ? rest.slice(1) : rest;
        if (route === "api" && rest[0] !== "progress") return notFound();
        if (place.length !== 2) return notFound();
        const directory = resolveInside(root, place);
        if (!directory || !statSync(directory).isDirectory()) return notFound();
        const [experiment, name] = place.map(decodeURIComponent);
        return route === "api"
          ? text(200, JSON.stringify(progress(experiment, name, directory)), TYPES.json)
          : text(200, runPage(experiment, name, directory), "text/html; charset=utf-8");
      }
      if (route === "files" && rest.length >= 3) {
        const file = resolveInside(root, rest);
        if (!file || !statSync(file).isFile()) return notFound();
        const type = TYPES[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream";
        return new Response(readFileSync(file), { headers: { "content-type": type } });
      }
      return notFound();
    } catch (error) {
      return text(500, `error: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
