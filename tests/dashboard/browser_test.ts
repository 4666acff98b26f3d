/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium`) loads the index and a
 * results folder's page served by `dashboardHandler`; the verdict table has every claim, every
 * chart renders an SVG (vega and vega-lite run in the page), no console error or uncaught
 * exception occurs, and screenshots are saved. Fails without Chromium unless
 * LTH_ALLOW_NO_BROWSER=1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { dashboardHandler } from "../../src/dashboard/mod.ts";
import { dashboardRoot } from "../fixtures/dashboard_root.ts";
import { ignoreGpuTests, requireGpu } from "../gpu_test_helper.ts";
import { Browser, findChromium } from "./cdp.ts";

const chromium = findChromium();
const skip = chromium === null && Deno.env.get("LTH_ALLOW_NO_BROWSER") === "1";

Deno.test({
  name: "headless Chromium renders the verdict table and every chart without errors",
  ignore: ignoreGpuTests || skip,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireGpu();
    if (!chromium) {
      throw new Error(
        "no Chromium found (chromium on PATH or LTH_CHROMIUM): install Debian's chromium (scripts/setup.sh does as root), or set LTH_ALLOW_NO_BROWSER=1 to skip this test",
      );
    }
    const { root, folder } = await dashboardRoot();
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      dashboardHandler(root),
    );
    const browser = await Browser.launch(chromium);
    const shots = mkdtempSync(join(tmpdir(), "dashboard-screenshots-"));
    try {
      const base = `http://127.0.0.1:${server.addr.port}`;
      await browser.open(`${base}/`);
      await browser.waitFor(`document.readyState === "complete"`);
      assert.equal(
        await browser.evaluate(
          `document.querySelectorAll('a[href^="/run/tangent-space/"]').length > 0`,
        ),
        true,
      );
      writeFileSync(join(shots, "index.png"), await browser.screenshot());

      await browser.send("Page.navigate", { url: `${base}/run/tangent-space/${basename(folder)}` });
      await browser.waitFor(`document.body && document.body.dataset.chartsRendered === "true"`);
      const rows = await browser.evaluate(
        `[...document.querySelectorAll("table tbody tr td:first-child b")].map((b) => b.textContent)`,
      ) as string[];
      for (
        const id of [
          "a1-linearized-matches-real-h100",
          "b-gap-shrinks-with-width",
          "c2-tangent-minimum-matches-sgd-h300",
        ]
      ) {
        assert.ok(rows.includes(id), `verdict table rows: ${rows.join(", ")}`);
      }
      const charts = await browser.evaluate(
        `[...document.querySelectorAll("div.chart")].map((c) => c.querySelector("svg") !== null && c.querySelectorAll("path, line").length > 3)`,
      ) as boolean[];
      assert.ok(charts.length >= 3, `charts: ${charts.length}`);
      assert.ok(charts.every(Boolean), `a chart did not render: ${JSON.stringify(charts)}`);
      writeFileSync(join(shots, "results-folder.png"), await browser.screenshot());
      console.log(`dashboard screenshots: ${shots}`);
      assert.deepEqual(
        browser.errors,
        [],
        `console errors or exceptions: ${browser.errors.join("; ")}`,
      );
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
