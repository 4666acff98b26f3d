import assert from "node:assert/strict";
import * as vega from "vega";
import * as vl from "vega-lite";
import { figureSvg, metricSpec, summarizeByRoundArm } from "../../src/harness/figures.ts";
import type { ResultRow } from "../../src/config/types.ts";
import { makeRow } from "../fixtures/rows.ts";

function rows(): ResultRow[] {
  const out: ResultRow[] = [];
  for (let trial = 0; trial < 2; trial++) {
    for (let level = 0; level < 4; level++) {
      for (const arm of ["ticket", "random-reinit", "random-mask"]) {
        const replicates = arm === "random-reinit" ? 2 : 1;
        for (let replicate = 0; replicate < replicates; replicate++) {
          out.push(makeRow({ trial, level, arm, replicate }, {
            early_stop_iteration: 5000 + (arm === "ticket" ? -300 : 300) * level + 10 * trial,
            test_accuracy_at_early_stop: 0.97 + (arm === "ticket" ? 0.002 : -0.003) * level +
              0.001 * trial + 0.002 * replicate,
            min_validation_loss: 0.08,
          }));
        }
      }
    }
  }
  return out;
}

Deno.test("summarizeByRoundArm averages replicates within a trial, then mean/min/max over trials", () => {
  const summary = summarizeByRoundArm(rows(), "test_accuracy_at_early_stop");
  assert.deepEqual(summary.slice(0, 4).map((s) => s.arm), Array(4).fill("ticket"));
  const reinit = summary.find((s) => s.arm === "random-reinit" && s.level === 1)!;
  // trial 0: mean(0.967, 0.969) = 0.968; trial 1: 0.969.
  assert.equal(reinit.trials, 2);
  assert.ok(Math.abs(reinit.min - 0.968) < 1e-12);
  assert.ok(Math.abs(reinit.max - 0.969) < 1e-12);
  // Two trials, 0.968 and 0.969: the error bar is the mean's 95% CI, 0.9685 +- 12.706 * 0.0005.
  assert.ok(Math.abs(reinit.ci_low - (0.9685 - 12.7062 * 0.0005)) < 1e-6, `${reinit.ci_low}`);
  assert.ok(Math.abs(reinit.ci_high - (0.9685 + 12.7062 * 0.0005)) < 1e-6, `${reinit.ci_high}`);
  assert.ok(Math.abs(reinit.mean - 0.9685) < 1e-12);
  assert.ok(Math.abs(reinit.weights_remaining - 0.8) < 1e-12);
});

Deno.test("the accuracy figure renders an SVG naming every arm, byte-identical across calls", async () => {
  const first = await figureSvg("accuracy", rows(), "Test accuracy vs weights remaining");
  const second = await figureSvg("accuracy", rows(), "Test accuracy vs weights remaining");
  assert.match(first, /^<svg [^>]*>/);
  for (const arm of ["ticket", "random-reinit", "random-mask"]) assert.ok(first.includes(arm), arm);
  assert.ok(first.includes("Weights remaining (%)"));
  assert.equal(first, second);
});

Deno.test("the early-stop figure renders an SVG naming every arm, byte-identical across calls", async () => {
  const first = await figureSvg("early-stop", rows(), "Early-stop iteration");
  // Drawing another figure in between must not shift ids or anything else.
  await figureSvg("accuracy", rows(), "other");
  const second = await figureSvg("early-stop", [...rows()].reverse(), "Early-stop iteration");
  assert.match(first, /^<svg [^>]*>/);
  for (const arm of ["ticket", "random-reinit", "random-mask"]) assert.ok(first.includes(arm), arm);
  assert.equal(first, second);
});

Deno.test("arm families share a colour and variants (and widths) get dash patterns", async () => {
  const sweep = rows().filter((row) => row.arm === "ticket").flatMap((row) =>
    ["large_final.init", "large_final.signed-constant", "random.init"].flatMap((arm) =>
      [100, 300].map((width) => ({ ...row, arm, width }))
    )
  );
  const svg = await figureSvg("accuracy", sweep, "criteria");
  for (const label of ["large_final", "random", "init h=100", "signed-constant h=300"]) {
    assert.ok(svg.includes(label), label);
  }
  assert.ok(svg.includes("stroke-dasharray"), "variants are dashed");
  assert.ok(!svg.includes("large_final.init"), "the family is the colour legend, not the arm");
});

Deno.test("the width figure puts the hidden width on x and one series per weights remaining", async () => {
  const sweep = rows().filter((row) => row.arm === "ticket" && row.level <= 1).flatMap((row) =>
    [100, 300, 1000].map((width) => ({ ...row, width }))
  );
  const svg = await figureSvg("width", sweep, "width trend");
  assert.ok(svg.includes("Hidden width"));
  for (const label of ["k=100%", "k=80%", "ticket"]) assert.ok(svg.includes(label), label);
  assert.equal(await figureSvg("width", [...sweep].reverse(), "width trend"), svg);
});

/** The figure's view, run headless, for its scales and marks. */
async function view(spec: ReturnType<typeof metricSpec>) {
  const v = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  await v.runAsync();
  return v;
}

/** IMP-like rows down to 3.58% weights remaining: a nice log axis would run on to 1%. */
function sparseRows(): ResultRow[] {
  return rows().filter((row) => row.arm !== "random-mask").map((row) => ({
    ...row,
    weights_remaining: [1, 0.5, 0.1, 0.0358][row.level],
  }));
}

Deno.test("axes end at the data: no empty decade, a few pixels of room for edge markers", async () => {
  const v = await view(
    metricSpec(sparseRows(), "t", "test_accuracy_at_early_stop", "Test accuracy (%)"),
  );
  const [low, high] = (v.scale("x").domain() as number[]).toSorted((a, b) => a - b);
  // Data spans 3.58-100%: the padding widens it by a few percent, never to 1% or 1000%.
  assert.ok(low < 3.58 && low > 3, `x starts at ${low}`);
  assert.ok(high > 100 && high < 130, `x ends at ${high}`);
  // Edge markers sit inside the frame: the data ends map at least 5 px inside the range.
  const x = v.scale("x");
  for (const end of [3.58, 100]) {
    const px = x(end) as number;
    assert.ok(px >= 5 && px <= 480 - 5, `${end}% is drawn at ${px}px of 480`);
  }
  const [yLow, yHigh] = v.scale("y").domain() as number[];
  const values = summarizeByRoundArm(sparseRows(), "test_accuracy_at_early_stop")
    .flatMap((s) => [s.ci_low * 100, s.ci_high * 100]);
  assert.ok(yLow < Math.min(...values) && yHigh > Math.max(...values), "y pads the data");
  assert.ok(yHigh - yLow < 2 * (Math.max(...values) - Math.min(...values)), "y is not rounded out");
  v.finalize();
});

Deno.test("arms have their own open marker shape, so coinciding arms stay distinguishable", async () => {
  const same = rows().map((row) => ({ ...row, test_accuracy_at_early_stop: 0.97 }));
  const spec = metricSpec(same, "t", "test_accuracy_at_early_stop", "Test accuracy (%)");
  const v = await view(spec);
  const shapes = v.scale("shape");
  const used = ["ticket", "random-reinit", "random-mask"].map((arm) => shapes(arm));
  assert.equal(new Set(used).size, 3, `shapes ${used}`);
  v.finalize();
  const svg = await figureSvg("accuracy", same, "t");
  // Open markers: their fill is transparent, so a marker drawn over another leaves it visible.
  assert.match(svg, /fill="transparent"|fill-opacity="0"|fill="none"/);
});

Deno.test("the early-stop figure marks the training budget", async () => {
  const svg = await figureSvg("early-stop", rows(), "t", 6000);
  assert.ok(svg.includes("training budget: 6,000 iterations"));
  const v = await view(
    metricSpec(
      rows(),
      "t",
      "early_stop_iteration",
      "Early-stop iteration",
      "weights_remaining",
      6000,
    ),
  );
  const [, yHigh] = v.scale("y").domain() as number[];
  assert.ok(yHigh >= 6000, `the y axis stops at ${yHigh}, below the budget`);
  v.finalize();
  assert.ok(!(await figureSvg("early-stop", rows(), "t")).includes("training budget"));
});

Deno.test("a single trial draws no error bar through its marker", async () => {
  const one = rows().filter((row) => row.trial === 0);
  const spec = metricSpec(one, "t", "test_accuracy_at_early_stop", "Test accuracy (%)");
  const layer = (spec as { layer: { mark: unknown; transform?: unknown }[] }).layer
    .find((l) => (l.mark as { type?: string }).type === "errorbar")!;
  assert.deepEqual(layer.transform, [{ filter: "datum.trials > 1" }]);
  // In the SVG: rule groups (error bars and their ticks) are empty for one trial, not for two.
  const ruleItems = (svg: string) =>
    [...svg.matchAll(/<g class="mark-rule role-mark[^"]*"[^>]*?(\/>|>(.*?)<\/g>)/g)]
      .map((m) => m[2] ?? "").join("");
  assert.equal(ruleItems(await figureSvg("accuracy", one, "t")), "");
  assert.match(ruleItems(await figureSvg("accuracy", rows(), "t")), /<line/);
});

/** Ticket rows of two data sets: Fashion-MNIST 9 points below MNIST, both falling with level. */
function twoDatasetRows(): ResultRow[] {
  return rows().filter((row) => row.arm === "ticket").flatMap((row) => [
    { ...row, dataset: "mnist" },
    {
      ...row,
      dataset: "fashion-mnist",
      test_accuracy_at_early_stop: row.test_accuracy_at_early_stop - 0.09 - 0.004 * row.level,
    },
  ]);
}

Deno.test("summarizeByRoundArm keeps data sets apart", () => {
  const summary = summarizeByRoundArm(twoDatasetRows(), "test_accuracy_at_early_stop");
  assert.equal(summary.length, 8);
  assert.deepEqual(summary.map((s) => s.dataset), [
    ...Array(4).fill("mnist"),
    ...Array(4).fill("fashion-mnist"),
  ]);
  const fashionDense = summary.find((s) => s.dataset === "fashion-mnist" && s.level === 0)!;
  // Trials 0 and 1: 0.88 and 0.881.
  assert.ok(Math.abs(fashionDense.mean - 0.8805) < 1e-12);
});

Deno.test("several data sets: one line per data set and each dense level as a dashed rule", async () => {
  const spec = metricSpec(twoDatasetRows(), "t", "test_accuracy_at_early_stop", "acc (%)");
  const layers = (spec as { layer: { mark: { type: string }; data?: { values: unknown[] } }[] })
    .layer;
  const rules = layers.filter((layer) => layer.mark.type === "rule");
  assert.equal(rules.length, 1);
  const dense = rules[0].data!.values as { arm: string; dense: number }[];
  assert.deepEqual(dense.map((d) => d.arm), ["mnist: ticket", "fashion-mnist: ticket"]);
  assert.ok(Math.abs(dense[0].dense - 97.05) < 1e-9 && Math.abs(dense[1].dense - 88.05) < 1e-9);
  const svg = await figureSvg("accuracy", twoDatasetRows(), "two data sets");
  for (const label of ["mnist: ticket", "fashion-mnist: ticket", "dense mnist", "data set: arm"]) {
    assert.ok(svg.includes(label), label);
  }
  assert.equal(await figureSvg("accuracy", [...twoDatasetRows()].reverse(), "two data sets"), svg);
  // One data set: no rule, the legend names arms as before.
  const one = metricSpec(rows(), "t", "test_accuracy_at_early_stop", "acc (%)");
  assert.ok(
    !(one as { layer: { mark: { type: string } }[] }).layer.some((l) => l.mark.type === "rule"),
  );
});
