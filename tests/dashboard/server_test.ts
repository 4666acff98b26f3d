/**
 * The dashboard's handler (src/dashboard/server.ts) on a real results root: the index, an
 * experiment's page, a results folder's page (verdict table first, chart specs, curves), files,
 * progress, read-only methods, and paths that try to leave the root (.., %2e%2e, encoded slashes,
 * absolute paths, a symlink pointing outside).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { dashboardHandler, plainSegments, resolveInside } from "../../src/dashboard/mod.ts";
import { dashboardRoot } from "../fixtures/dashboard_root.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";

const get = (handler: (r: Request) => Response, path: string, method = "GET") =>
  handler(new Request(`http://127.0.0.1${path}`, { method }));

Deno.test("plain segments only: no dot names, separators (even encoded) or NUL", () => {
  assert.deepEqual(plainSegments(["a", "b%20c"]), ["a", "b c"]);
  for (const bad of ["..", "%2e%2e", ".", "a%2Fb", "a%5Cb", "%00", "", "%E0%A4%A"]) {
    assert.equal(plainSegments(["x", bad]), null, bad);
  }
});

Deno.test("resolveInside refuses a symlink that points outside the root", () => {
  const root = mkdtempSync(join(tmpdir(), "safe-path-root-"));
  const outside = mkdtempSync(join(tmpdir(), "safe-path-outside-"));
  try {
    writeFileSync(join(outside, "secret.txt"), "no");
    writeFileSync(join(root, "inside.txt"), "yes");
    symlinkSync(outside, join(root, "escape"));
    assert.equal(resolveInside(root, ["inside.txt"]), join(Deno.realPathSync(root), "inside.txt"));
    assert.equal(resolveInside(root, ["escape", "secret.txt"]), null);
    assert.equal(resolveInside(root, ["missing"]), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

Deno.test({
  name: "dashboard pages, files and progress of a real results root; nothing outside it",
  ignore: ignoreGpuTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    const { root, folder } = await dashboardRoot();
    const name = basename(folder);
    const handler = dashboardHandler(root);

    const index = await get(handler, "/").text();
    assert.match(index, /href="\/experiment\/tangent-space"/);
    assert.match(index, new RegExp(`href="/run/tangent-space/${name}"`));
    const experiment = await get(handler, "/experiment/tangent-space").text();
    assert.match(experiment, /Wentworth/);

    const run = get(handler, `/run/tangent-space/${name}`);
    assert.equal(run.status, 200);
    const html = await run.text();
    const verdicts = html.indexOf("<h2>Verdicts</h2>");
    assert.ok(verdicts > 0 && verdicts < html.indexOf("<h2>Figures</h2>"), "verdicts first");
    for (const id of ["a1-linearized-matches-real-h100", "c2-tangent-minimum-matches-sgd-h300"]) {
      assert.ok(html.includes(`<b>${id}</b>`), id);
    }
    assert.match(
      html,
      /<th>claim<\/th><th>n<\/th><th>mean<\/th><th>95% CI<\/th><th>threshold<\/th><th>paper<\/th><th>verdict<\/th>/,
    );
    assert.match(html, /data-chart="figure-0"/);
    assert.match(html, /data-chart="curve-accuracy"/);
    assert.match(html, /<script src="\/static\/vega\.min\.js"><\/script>/);

    const svg = get(handler, `/files/tangent-space/${name}/width.svg`);
    assert.equal(svg.headers.get("content-type"), "image/svg+xml");
    assert.match(await svg.text(), /^<svg/);
    const progress = await get(handler, `/api/progress/tangent-space/${name}`).json();
    assert.equal(progress.status, "complete");
    assert.ok(progress.runs > 0 && progress.done === progress.runs);
    for (const file of ["vega.min.js", "vega-lite.min.js", "dashboard.js"]) {
      assert.equal(get(handler, `/static/${file}`).status, 200, file);
    }

    assert.equal(get(handler, "/", "POST").status, 405);
    for (
      const attack of [
        "/files/../../etc/passwd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        `/files/tangent-space/${name}/..%2F..%2F..%2Fetc%2Fpasswd`,
        "/files//etc/passwd",
        "/files/%2Fetc/passwd/x",
        `/run/tangent-space/..`,
        "/static/..%2Fserver.ts",
      ]
    ) {
      const response = get(handler, attack);
      assert.equal(response.status, 404, attack);
      assert.ok(!(await response.text()).includes("root:"), attack);
    }
  },
});
