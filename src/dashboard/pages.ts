/**
 * The dashboard's pages, server-rendered from the results root: the index (experiments and every
 * results folder with its status and verdict counts), an experiment's folders, and a results
 * folder: the verdict table first (claim, n, mean, 95% CI, threshold, paper value, verdict), the
 * figures as interactive charts drawn from the same vega-lite specs as the SVG files (the SVGs
 * beside them), accuracy and loss curves per run from metrics.jsonl, and the live progress of a
 * running folder (polled). Every text from the files is escaped.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { ClaimConfig, ClaimResult, ResolvedConfig } from "../config/types.ts";
import { parseResultsCsv } from "../io/csv.ts";
import { runFiles } from "../io/paths.ts";
import { formatClaimValue, formatThreshold } from "../harness/claims.ts";
import { listExperiments } from "../harness/experiments.ts";
import { figureSpecs } from "../harness/results_outputs.ts";
import {
  describeResultsFolder,
  indexResults,
  type ResultsFolder,
} from "../harness/results_index.ts";
import { escapeHtml, href, page, table } from "./html.ts";

export const CHART_SCRIPTS = [
  "/static/vega.min.js",
  "/static/vega-lite.min.js",
  "/static/dashboard.js",
];

function verdictCounts(folder: ResultsFolder): string {
  if (!folder.verdicts) return "";
  return Object.entries(folder.verdicts)
    .map(([verdict, n]) => `<span class="${verdict}">${n} ${verdict}</span>`).join(", ");
}

function folderRows(folders: ResultsFolder[]): string[][] {
  return folders.map((folder) => [
    `<a href="${href("run", folder.experiment, `${folder.profile}-${folder.hash}`)}">${
      escapeHtml(`${folder.profile}-${folder.hash}`)
    }</a>`,
    escapeHtml(folder.status),
    verdictCounts(folder),
    escapeHtml(folder.started ?? ""),
  ]);
}

export function indexPage(root: string): string {
  const folders = indexResults(root);
  const experiments = listExperiments();
  const rows = experiments.map((e) => [
    `<a href="${href("experiment", e.id)}">${escapeHtml(e.id)}</a>`,
    escapeHtml(e.hypothesis),
    String(e.claims.length),
    String(folders.filter((f) => f.experiment === e.id).length),
  ]);
  return page(
    "Lottery tickets: experiments and results",
    `<h2>Experiments</h2>${table(["experiment", "hypothesis", "claims", "results folders"], rows)}
<h2>Results folders (${escapeHtml(root)})</h2>${
      table(
        ["experiment", "folder", "status", "verdicts"],
        folders.map((f) => [escapeHtml(f.experiment), ...folderRows([f])[0].slice(0, 3)]),
      )
    }`,
  );
}

export function experimentPage(root: string, id: string): string | null {
  const experiment = listExperiments().find((e) => e.id === id);
  const folders = indexResults(root).filter((f) => f.experiment === id);
  if (!experiment && folders.length === 0) return null;
  return page(
    `Experiment ${id}`,
    `${experiment ? `<p>${escapeHtml(experiment.claim)}</p>` : ""}
<h2>Results folders</h2>${table(["folder", "status", "verdicts", "started"], folderRows(folders))}`,
  );
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

/** The verdict table: claim, n, mean, 95% CI, threshold, paper value, verdict. */
function verdictTable(claims: ClaimResult[], configs: ClaimConfig[]): string {
  return table(
    ["claim", "n", "mean", "95% CI", "threshold", "paper", "verdict"],
    claims.map((claim) => {
      const config = configs.find((c) => c.id === claim.id);
      const format = (v: number) => (config ? formatClaimValue(config, v) : String(v));
      return [
        `<b>${escapeHtml(claim.id)}</b>: ${escapeHtml(claim.text)}`,
        String(claim.n),
        claim.measured === null ? "—" : escapeHtml(format(claim.measured)),
        claim.ci ? escapeHtml(`[${format(claim.ci[0])}, ${format(claim.ci[1])}]`) : "—",
        escapeHtml(
          config ? formatThreshold(config, claim.threshold) : JSON.stringify(claim.threshold),
        ),
        escapeHtml(claim.paper),
        `<span class="${claim.verdict}">${claim.verdict}</span>: ${escapeHtml(claim.reason)}`,
      ];
    }),
  );
}

interface CurvePoint {
  run: string;
  iteration: number;
  test_accuracy: number;
  validation_loss: number;
}

/** Every run folder's metrics.jsonl below `directory`, as chart points (at most `limit` runs). */
export function curvePoints(directory: string, limit = 60): CurvePoint[] {
  const points: CurvePoint[] = [];
  let runs = 0;
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (runs < limit) walk(path);
      } else if (name === "metrics.jsonl" && runs < limit) {
        runs++;
        const run = relative(directory, folder);
        for (const line of readFileSync(path, "utf8").split("\n")) {
          if (line.trim() === "") continue;
          const p = JSON.parse(line);
          points.push({
            run,
            iteration: p.iteration,
            test_accuracy: p.test_accuracy,
            validation_loss: p.validation_loss,
          });
        }
      }
    }
  };
  walk(directory);
  return points;
}

function curveSpec(points: CurvePoint[], field: "test_accuracy" | "validation_loss"): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: 640,
    height: 280,
    title: field === "test_accuracy" ? "Test accuracy per run" : "Validation loss per run",
    data: { values: points },
    mark: { type: "line", point: true, tooltip: true },
    encoding: {
      x: { field: "iteration", type: "quantitative" },
      y: { field, type: "quantitative", scale: { zero: false } },
      color: { field: "run", type: "nominal", legend: { columns: 2, labelLimit: 320 } },
    },
  };
}

/** A chart container the client script renders (its spec inline as JSON). */
function chart(id: string, spec: TopLevelSpec): string {
  const json = JSON.stringify(spec).replace(/</g, "\\u003c");
  return `<div class="chart" id="${
    escapeHtml(id)
  }"></div><script type="application/json" data-chart="${escapeHtml(id)}">${json}</script>`;
}

export function runPage(experiment: string, name: string, directory: string): string {
  const files = runFiles(directory);
  const [profile, hash] = [name.replace(/-[0-9a-f]{12}$/, ""), name.slice(-12)];
  const folder = describeResultsFolder(directory, experiment, profile, hash);
  const resolved = readJson<{ config: ResolvedConfig }>(files.config)?.config;
  const summary = readJson<{ claims: ClaimResult[] }>(files.summary);
  const parts: string[] = [];
  parts.push(
    `<p>Status: <b id="status">${escapeHtml(folder.status)}</b> <span id="progress"></span></p>`,
  );
  parts.push("<h2>Verdicts</h2>");
  parts.push(
    summary && resolved
      ? verdictTable(summary.claims, resolved.claims)
      : "<p>No summary.json yet: the verdicts appear when the run (or its last shard) finishes.</p>",
  );
  if (resolved && existsSync(files.results)) {
    const rows = parseResultsCsv(readFileSync(files.results, "utf8"), files.results);
    parts.push("<h2>Figures</h2>");
    for (const [i, figure] of figureSpecs(resolved, rows).entries()) {
      parts.push(chart(`figure-${i}`, figure.spec));
      if (existsSync(join(directory, figure.file))) {
        parts.push(
          `<p><a href="${href("files", experiment, name, figure.file)}">${
            escapeHtml(figure.file)
          }</a> (the SVG file)</p>`,
        );
      }
    }
  }
  const points = curvePoints(directory);
  if (points.length > 0) {
    parts.push("<h2>Curves per run</h2>");
    parts.push(chart("curve-accuracy", curveSpec(points, "test_accuracy")));
    parts.push(chart("curve-loss", curveSpec(points, "validation_loss")));
  }
  const live = folder.status === "complete"
    ? ""
    : `<script type="application/json" id="live">${
      JSON.stringify({ src: href("api", "progress", experiment, name) })
    }</script>`;
  return page(`${experiment} / ${name}`, parts.join("\n") + live, CHART_SCRIPTS);
}

/** A running folder's progress: status, finished runs, the newest evaluation. */
export function progress(experiment: string, name: string, directory: string) {
  const [profile, hash] = [name.replace(/-[0-9a-f]{12}$/, ""), name.slice(-12)];
  const folder = describeResultsFolder(directory, experiment, profile, hash);
  let done = 0, runs = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const child = join(path, entry);
      if (!statSync(child).isDirectory()) continue;
      if (existsSync(join(child, "metrics.jsonl")) || existsSync(join(child, "DONE"))) {
        runs++;
        if (existsSync(join(child, "DONE"))) done++;
      }
      walk(child);
    }
  };
  walk(directory);
  return { status: folder.status, runs, done };
}
