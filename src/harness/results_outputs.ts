/**
 * Result rows -> the results-derived files of a results folder: claims evaluated under the
 * config, figures (SVG), summary.json and report.md, each written atomically. `reproduce` calls
 * it after the runs, `report` after reading results.csv back, so both write the same bytes from
 * the same rows.
 */
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { figureFileName, type runFiles } from "../io/paths.ts";
import { PROCEDURE_SPECS } from "../procedures/mod.ts";
import type { ClaimResult, ResolvedConfig, ResultRow } from "../config/types.ts";
import { evaluateClaims } from "./claims.ts";
import { claimDifferences } from "./claim_diff.ts";
import { figureSpec, figureSvg } from "./figures.ts";
import type { FigureKind } from "../procedures/spec.ts";
import type { TopLevelSpec } from "vega-lite";
import { renderReport, type ReportInput } from "./report.ts";

export interface ResultsOutputsInput {
  files: ReturnType<typeof runFiles>;
  config: ResolvedConfig;
  hash: string;
  rows: ResultRow[];
  provenance: ReportInput["provenance"];
  timing: ReportInput["timing"];
  /** `report`: the claims summary.json held before; their changes are listed in report.md. */
  recorded?: ClaimResult[];
}

/** Evaluate the claims and write figures, summary.json and report.md; returns the claims. */
export async function writeResultsOutputs(input: ResultsOutputsInput): Promise<ClaimResult[]> {
  const { files, config, hash, rows } = input;
  const claims = evaluateClaims(config.claims, rows, config.profile, {
    singleSeed: config.single_seed,
  });
  const figures = await writeFigures(files, config, rows);
  writeJsonAtomic(files.summary, { experiment: config.id, profile: config.profile, hash, claims });
  writeFileAtomic(
    files.report,
    renderReport({
      config,
      hash,
      claims,
      rows,
      provenance: input.provenance,
      figures,
      timing: input.timing,
      changes: input.recorded ? claimDifferences(input.recorded, claims) : undefined,
    }),
  );
  return claims;
}

/** The figures of a config's procedure, in order; the early-stop figure marks the training budget. */
function configFigures(
  config: ResolvedConfig,
): { kind: FigureKind; title: string; budget?: number }[] {
  const title = `${config.id} (${config.profile})`;
  const budget = (config.procedure as { iterations?: unknown }).iterations;
  const spec = PROCEDURE_SPECS.find((s) => s.name === config.procedure.name)!;
  return spec.figures(config).map((kind) => ({
    kind,
    title,
    budget: kind === "early-stop" && typeof budget === "number" ? budget : undefined,
  }));
}

/** Each figure's file name and vega-lite spec: what the SVGs draw (and the dashboard's charts). */
export function figureSpecs(
  config: ResolvedConfig,
  rows: ResultRow[],
): { file: string; spec: TopLevelSpec }[] {
  return configFigures(config).map((figure) => ({
    file: figureFileName(figure.kind),
    spec: figureSpec(figure.kind, rows, figure.title, figure.budget),
  }));
}

async function writeFigures(
  files: ReturnType<typeof runFiles>,
  config: ResolvedConfig,
  rows: ResultRow[],
): Promise<string[]> {
  const figures: string[] = [];
  for (const figure of configFigures(config)) {
    writeFileAtomic(
      files.figure(figure.kind),
      await figureSvg(figure.kind, rows, figure.title, figure.budget),
    );
    figures.push(figureFileName(figure.kind));
  }
  return figures;
}
