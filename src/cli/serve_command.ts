/**
 * `serve [results root] [--port N] [--host H]`: the dashboard (src/dashboard/) on
 * http://127.0.0.1:8080 by default, read-only over the results root (default results/, as
 * reproduce's --out); --port 0 picks a free port. Prints the URL and serves until stopped.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../base/errors.ts";
import { dashboardHandler } from "../dashboard/mod.ts";
import { userPath } from "./user_cwd.ts";

export async function serveCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string", default: "8080" },
        host: { type: "string", default: "127.0.0.1" },
      },
    });
  } catch (error) {
    throw new UsageError(
      `serve: ${(error as Error).message}; usage: serve [results root] [--port N] [--host H]`,
    );
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `serve takes at most one results root, got ${JSON.stringify(positionals)}`,
    );
  }
  const port = Number(values.port);
  if (!/^[0-9]+$/.test(values.port!) || port > 65535) {
    throw new UsageError(`--port expects an integer in 0..65535, got "${values.port}"`);
  }
  const root = userPath(positionals[0] ?? "results");
  const server = Deno.serve(
    {
      port,
      hostname: values.host,
      onListen: ({ hostname, port }) =>
        console.log(`dashboard of ${root} on http://${hostname}:${port}/ (Ctrl-C stops it)`),
    },
    dashboardHandler(root),
  );
  await server.finished;
  return 0;
}
