import assert from "node:assert/strict";
import {
  accuracyFigure,
  earlyStopFigure,
  summarizeByRoundArm,
  widthFigure,
} from "../../src/harness/figures.ts";
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
  assert.ok(Math.abs(reinit.mean - 0.9685) < 1e-12);
  assert.ok(Math.abs(reinit.weights_remaining - 0.8) < 1e-12);
});

Deno.test("accuracyFigure renders an SVG naming every arm, byte-identical across calls", async () => {
  const first = await accuracyFigure(rows(), "Test accuracy vs weights remaining");
  const second = await accuracyFigure(rows(), "Test accuracy vs weights remaining");
  assert.match(first, /^<svg [^>]*>/);
  for (const arm of ["ticket", "random-reinit", "random-mask"]) assert.ok(first.includes(arm), arm);
  assert.ok(first.includes("Weights remaining (%)"));
  assert.equal(first, second);
});

Deno.test("earlyStopFigure renders an SVG naming every arm, byte-identical across calls", async () => {
  const first = await earlyStopFigure(rows(), "Early-stop iteration");
  // Drawing another figure in between must not shift ids or anything else.
  await accuracyFigure(rows(), "other");
  const second = await earlyStopFigure([...rows()].reverse(), "Early-stop iteration");
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
  const svg = await accuracyFigure(sweep, "criteria");
  for (const label of ["large_final", "random", "init h=100", "signed-constant h=300"]) {
    assert.ok(svg.includes(label), label);
  }
  assert.ok(svg.includes("stroke-dasharray"), "variants are dashed");
  assert.ok(!svg.includes("large_final.init"), "the family is the colour legend, not the arm");
});

Deno.test("widthFigure puts the hidden width on x and one series per weights remaining", async () => {
  const sweep = rows().filter((row) => row.arm === "ticket" && row.level <= 1).flatMap((row) =>
    [100, 300, 1000].map((width) => ({ ...row, width }))
  );
  const svg = await widthFigure(sweep, "width trend");
  assert.ok(svg.includes("Hidden width"));
  for (const label of ["k=100%", "k=80%", "ticket"]) assert.ok(svg.includes(label), label);
  assert.equal(await widthFigure([...sweep].reverse(), "width trend"), svg);
});
