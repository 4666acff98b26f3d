/**
 * SVG figures: a metric vs weights remaining, one line per series, error bars over trials. A
 * series is an arm (its data set and arm when the rows span several data sets, each with its
 * dense level drawn as a dashed rule in its colour: the reference a pruned level is compared
 * with), and its width when the rows have several widths; an arm named
 * `<family>.<variant>` (e.g. large_final_same_sign.signed-constant) is drawn in its family's
 * colour with one dash pattern per variant (and per width), so criteria and kept values, or
 * inits and widths, read side by side.
 *
 * Aggregation per (data set, width, level, arm): each trial's replicates are averaged first (so a trial with five
 * random-reinit draws counts once, like the claims do), then mean, min and max over trials and the
 * 95% confidence interval of the mean (statistics.ts, as the verdicts use), which the error bars
 * show; one trial has no interval and no bar.
 * x = 100 * weights remaining on a log axis, reversed so sparsity grows to the right (the paper's
 * convention). Axes end at the data (no "nice" rounding out to an empty decade) and are padded
 * by a few pixels so edge markers are not cut by the frame; each arm family has its own open
 * marker shape as well as its colour, so arms that coincide stay visible. The early-stop
 * figure draws the training budget (the largest possible early-stop iteration) as a dashed
 * rule. Drawn with vega-lite compiled to vega and rendered headless (renderer "none", no
 * canvas); the output depends only on the rows, so the same rows give the same SVG bytes.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { FigureKind } from "../procedures/spec.ts";
import type { ResultRow } from "../config/types.ts";
import { summarize } from "./statistics.ts";
import { DATASET_NAMES } from "../config/datasets.ts";

export type PlotMetric =
  | "early_stop_iteration"
  | "test_accuracy_at_early_stop"
  | "final_test_accuracy"
  | "min_validation_loss"
  | "kappa"
  | "instability";

/** One point of a figure (and one cell group of the report's mean-metrics table). */
export interface RoundArmSummary {
  /** The rows' data set ("" for rows that name none). */
  dataset: string;
  width: number;
  level: number;
  arm: string;
  /** Mean over trials of the fraction of weights remaining. */
  weights_remaining: number;
  /** Trials contributing a finite value. */
  trials: number;
  mean: number;
  min: number;
  max: number;
  /** The 95% confidence interval of the mean over trials; both the mean with one trial. */
  ci_low: number;
  ci_high: number;
}

/** The arms in legend order; arms not listed here follow, sorted by name. */
const ARM_ORDER = ["ticket", "ticket-b", "random-reinit", "random-mask"];
/** Fixed colours per legend position (tableau10), so an arm keeps its colour across figures. */
const PALETTE = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
];

/** Marker shapes per legend position (vega's symbol names), paired with PALETTE. */
const SHAPES = [
  "circle",
  "square",
  "triangle-up",
  "diamond",
  "cross",
  "triangle-down",
  "triangle-right",
  "triangle-left",
  "wedge",
  "arrow",
];

/** Pixels added on each side of both axes' domains: half a marker and a hair. */
const AXIS_PADDING = 8;

/** Dash patterns per variant position, solid first. */
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [12, 4]];

/** Data sets present in the rows: the known ones in DATASET_NAMES order, then others by name. */
export function orderedDatasets(rows: ResultRow[]): string[] {
  const present = new Set(rows.map((row) => row.dataset ?? ""));
  const known: string[] = DATASET_NAMES.filter((name) => present.has(name));
  return [...known, ...[...present].filter((name) => !known.includes(name)).sort()];
}

/** Arms present in the rows, in legend order. */
export function orderedArms(rows: ResultRow[]): string[] {
  const present = new Set(rows.map((row) => row.arm));
  const known = ARM_ORDER.filter((arm) => present.has(arm));
  const other = [...present].filter((arm) => !ARM_ORDER.includes(arm)).sort();
  return [...known, ...other];
}

/**
 * Mean/min/max of `metric` over trials for each (data set, width, level, arm), sorted by arm
 * order, then data set, width and level.
 */
export function summarizeByRoundArm(rows: ResultRow[], metric: PlotMetric): RoundArmSummary[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = `${row.dataset ?? ""}\u0000${row.arm}\u0000${row.width}\u0000${row.level}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const arms = orderedArms(rows);
  const datasets = orderedDatasets(rows);
  const out: RoundArmSummary[] = [];
  for (const group of groups.values()) {
    const byTrial = new Map<number, ResultRow[]>();
    for (const row of group) {
      const list = byTrial.get(row.trial);
      if (list) list.push(row);
      else byTrial.set(row.trial, [row]);
    }
    const values: number[] = [];
    const remaining: number[] = [];
    for (const trialRows of byTrial.values()) {
      remaining.push(mean(trialRows.map((row) => row.weights_remaining)));
      const value = mean(trialRows.map((row) => row[metric] ?? NaN));
      if (Number.isFinite(value)) values.push(value);
    }
    const summary = values.length ? summarize(values) : null;
    const ci = summary?.ci ?? [summary?.mean ?? NaN, summary?.mean ?? NaN];
    out.push({
      dataset: group[0].dataset ?? "",
      width: group[0].width,
      level: group[0].level,
      arm: group[0].arm,
      weights_remaining: mean(remaining),
      trials: values.length,
      mean: values.length ? mean(values) : NaN,
      min: values.length ? Math.min(...values) : NaN,
      max: values.length ? Math.max(...values) : NaN,
      ci_low: ci[0],
      ci_high: ci[1],
    });
  }
  return out.sort((a, b) =>
    arms.indexOf(a.arm) - arms.indexOf(b.arm) ||
    datasets.indexOf(a.dataset) - datasets.indexOf(b.dataset) || a.width - b.width ||
    a.level - b.level
  );
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * The vega-lite spec of one figure kind: accuracy (test accuracy at the early-stop iteration vs
 * weights remaining, log), early-stop (the early-stop iteration, with the training budget marked
 * when given: an early stop at the budget means the validation loss was still falling), kappa
 * (chance-corrected overlap with the ticket's mask, one line per arm that records one; ticket-b,
 * a second IMP ticket, is the ceiling; the ticket itself, kappa 1, is left out) or width (test
 * accuracy at early stop vs hidden width, log, one line per arm and weights remaining). The SVG
 * files and the dashboard's interactive charts draw the same specs.
 */
export function figureSpec(
  kind: FigureKind,
  rows: ResultRow[],
  title: string,
  budget?: number,
): TopLevelSpec {
  const accuracy = "Test accuracy at early stop (%)";
  switch (kind) {
    case "accuracy":
      return metricSpec(rows, title, "test_accuracy_at_early_stop", accuracy);
    case "early-stop":
      return metricSpec(
        rows,
        title,
        "early_stop_iteration",
        "Early-stop iteration",
        "weights_remaining",
        budget,
      );
    case "kappa":
      return metricSpec(
        rows.filter((row) => row.arm !== "ticket"),
        title,
        "kappa",
        "Overlap with the ticket's mask (kappa)",
      );
    case "width":
      return metricSpec(rows, title, "test_accuracy_at_early_stop", accuracy, "width");
  }
}

/** A figure as SVG text (figureSpec's spec, rendered headless). */
export function figureSvg(
  kind: FigureKind,
  rows: ResultRow[],
  title: string,
  budget?: number,
): Promise<string> {
  return renderSvg(figureSpec(kind, rows, title, budget));
}

/** The vega-lite spec of a figure (exported so tests can check its scales, not only its SVG). */
export function metricSpec(
  rows: ResultRow[],
  title: string,
  metric: PlotMetric,
  yTitle: string,
  along: "weights_remaining" | "width" = "weights_remaining",
  budget?: number,
): TopLevelSpec {
  // Accuracies are fractions; the axis shows percent.
  const scale = metric === "test_accuracy_at_early_stop" || metric === "final_test_accuracy"
    ? 100
    : 1;
  const severalWidths = new Set(rows.map((row) => row.width)).size > 1;
  const datasets = orderedDatasets(rows);
  const severalDatasets = datasets.length > 1;
  // The colour and marker key: the arm's family, after its data set when there are several.
  const family = (arm: string, dataset: string) =>
    severalDatasets ? `${dataset}: ${arm.split(".")[0]}` : arm.split(".")[0];
  const percent = (s: RoundArmSummary) => Number((s.weights_remaining * 100).toFixed(2));
  // The series within an arm family: the arm's variant, and the width or the weights remaining,
  // whichever is not on the x axis.
  const variant = (s: RoundArmSummary) =>
    [
      s.arm.includes(".") ? s.arm.slice(s.arm.indexOf(".") + 1) : "",
      along === "width" ? `k=${percent(s)}%` : severalWidths ? `h=${s.width}` : "",
    ].filter((part) => part !== "").join(" ") || "-";
  const summaries = summarizeByRoundArm(rows, metric);
  const values = summaries
    .filter((s) => s.trials > 0 && s.weights_remaining > 0)
    .map((s) => ({
      arm: family(s.arm, s.dataset),
      variant: variant(s),
      x: along === "width" ? s.width : s.weights_remaining * 100,
      trials: s.trials,
      mean: s.mean * scale,
      ci_low: s.ci_low * scale,
      ci_high: s.ci_high * scale,
    }));
  const arms = [
    ...new Set(
      datasets.flatMap((dataset) => orderedArms(rows).map((arm) => family(arm, dataset))),
    ),
  ].filter((arm) => !severalDatasets || values.some((v) => v.arm === arm));
  const variants = [...new Set(values.map((v) => v.variant))]
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const dash = variants.length > 1
    ? {
      strokeDash: {
        field: "variant",
        type: "nominal",
        title: "variant",
        sort: variants,
        legend: {
          symbolType: "stroke",
          symbolStrokeWidth: 2,
          labelLimit: 300,
          // A dash legend has no colour scale of its own: draw its strokes in grey.
          encode: { symbols: { update: { stroke: { value: "#555555" } } } },
        },
        scale: { domain: variants, range: variants.map((_, i) => DASHES[i % DASHES.length]) },
      } as const,
    }
    : {};
  const x = {
    field: "x",
    type: "quantitative",
    title: along === "width" ? "Hidden width" : "Weights remaining (%)",
    scale: { type: "log", reverse: along !== "width", nice: false, padding: AXIS_PADDING },
    axis: { format: "~g" },
  } as const;
  const y = {
    type: "quantitative",
    title: yTitle,
    scale: { zero: false, nice: false, padding: AXIS_PADDING },
  } as const;
  const legendTitle = severalDatasets ? "data set: arm" : "arm";
  const color = {
    field: "arm",
    type: "nominal",
    title: legendTitle,
    sort: arms,
    legend: { labelLimit: 300 },
    scale: { domain: arms, range: arms.map((_, i) => PALETTE[i % PALETTE.length]) },
  } as const;
  // The same field, title and domain as the colour: vega-lite merges the two into one legend.
  const shape = {
    field: "arm",
    type: "nominal",
    title: legendTitle,
    sort: arms,
    scale: { domain: arms, range: arms.map((_, i) => SHAPES[i % SHAPES.length]) },
  } as const;
  const budgetLayers = budget === undefined ? [] : [
    {
      data: { values: [{ budget }] },
      mark: { type: "rule" as const, strokeDash: [4, 4], color: "#888888" },
      encoding: { y: { ...y, field: "budget" } },
    },
    {
      data: { values: [{ budget }] },
      mark: {
        type: "text" as const,
        align: "left" as const,
        baseline: "bottom" as const,
        dx: 4,
        dy: -2,
        color: "#555555",
        text: `training budget: ${budget.toLocaleString("en-US")} iterations`,
      },
      encoding: { y: { ...y, field: "budget" }, x: { value: 0 } },
    },
  ];
  // Each data set's dense level (weights remaining 1; its first arm in legend order that has
  // one), as a dashed rule in that series' colour across the plot.
  const dense = !severalDatasets || along === "width" ? [] : datasets.flatMap((dataset) => {
    const level = summaries.find((s) =>
      s.dataset === dataset && s.trials > 0 && Math.abs(s.weights_remaining - 1) < 1e-6
    );
    return level ? [{ arm: family(level.arm, dataset), dense: level.mean * scale }] : [];
  });
  const denseLayers = dense.length === 0 ? [] : [
    {
      data: { values: dense },
      mark: { type: "rule" as const, strokeDash: [4, 4], strokeWidth: 1 },
      encoding: { y: { ...y, field: "dense" }, color },
    },
    {
      data: { values: dense.map((d) => ({ ...d, label: `dense ${d.arm.split(":")[0]}` })) },
      mark: {
        type: "text" as const,
        align: "right" as const,
        baseline: "bottom" as const,
        dy: -2,
        color: "#555555",
      },
      encoding: { y: { ...y, field: "dense" }, x: { value: 480 }, text: { field: "label" } },
    },
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 480,
    height: 300,
    background: "white",
    data: { values },
    layer: [
      {
        mark: { type: "line", point: { filled: false, size: 45, strokeWidth: 1.5 } },
        encoding: { x, y: { ...y, field: "mean" }, color, shape, ...dash },
      },
      {
        // A bar over one trial is a tick through its marker; draw ranges only over several.
        transform: [{ filter: "datum.trials > 1" }],
        mark: { type: "errorbar", ticks: true },
        encoding: { x, y: { ...y, field: "ci_low" }, y2: { field: "ci_high" }, color, ...dash },
      },
      ...budgetLayers,
      ...denseLayers,
    ],
  };
}

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Clip-path and gradient ids come from module-level counters; reset them so the bytes do not
  // depend on how many figures were drawn before.
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
