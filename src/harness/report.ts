/**
 * report.md: what a reader needs, in the order they need it (docs/architecture.md): the claim
 * under test, the profile and how it departs from the paper, the verdict table first, then mean
 * metrics per level x arm, the figures and the provenance. Pure function of its input, so the
 * same results give the same bytes.
 */
import { formatClaimValue, formatThreshold } from "./claims.ts";
import { describeModel } from "./model_description.ts";
import { orderedArms, orderedDatasets, type PlotMetric, summarizeByRoundArm } from "./figures.ts";
import type {
  ClaimConfig,
  ClaimResult,
  ClaimSelector,
  ResolvedConfig,
  ResultRow,
} from "../config/types.ts";

export interface ReportInput {
  config: ResolvedConfig;
  /** The config hash that names the results folder. */
  hash: string;
  claims: ClaimResult[];
  rows: ResultRow[];
  provenance: Record<string, unknown>;
  /** SVG file names, relative to report.md. */
  figures: string[];
  /** ISO times of this invocation, and of the first one when the run was resumed. */
  timing?: { started: string; ended: string; first_started: string };
  /**
   * Set by `report` (harness/rerender.ts): how the claims re-evaluated from results.csv differ
   * from those recorded before. Shown only when non-empty, so an unchanged folder keeps its bytes.
   */
  changes?: string[];
}

/** Render report.md. */
export function renderReport(input: ReportInput): string {
  const { config } = input;
  const out: string[] = [];
  out.push(`# ${title(config)}`, "");
  const reading = readingParagraph(input.claims, config.claims);
  if (reading) out.push(`**What the numbers say.** ${reading}`, "");
  if (config.hypothesis !== config.id) out.push(`**Hypothesis.** ${config.hypothesis}`, "");
  out.push(`**Claim.** ${config.claim}`, "");
  out.push(`**Source.** ${config.citation}`, "");
  out.push(`**Profile.** \`${config.profile}\`: ${config.profile_note}`, "");
  if (input.changes && input.changes.length > 0) {
    out.push(
      "**Re-evaluated.** `report` re-evaluated the claims from results.csv with the current claim code and config.json; what changed from the recorded verdicts:",
      "",
      ...input.changes.map((line) => `- ${line}`),
      "",
    );
  }
  out.push(`**Model.** ${describeModel(config)}`, "");
  out.push(`**Config hash.** \`${input.hash}\``, "");

  out.push("## Verdicts", "");
  out.push(...verdictTable(input.claims, config.claims), "");

  out.push("## Mean metrics per level and arm", "");
  out.push(...metricsTable(input.rows), "");

  out.push("## Figures", "");
  if (input.figures.length === 0) out.push("No figures.", "");
  for (const file of input.figures) out.push(`![${file.replace(/\.svg$/, "")}](${file})`, "");

  out.push("## Provenance", "");
  out.push(...provenanceSection(input.provenance, input.timing));
  return out.join("\n") + "\n";
}

/**
 * The experiment's name, with the paper's title when the citation quotes one:
 * `weak-lth: reproducing "The Lottery Ticket Hypothesis: ..."`.
 */
function title(config: ResolvedConfig): string {
  const quoted = config.citation.match(/"([^"]+)"/);
  return quoted ? `${config.id}: reproducing "${quoted[1].replace(/\s+/g, " ")}"` : config.id;
}

/**
 * Provenance as a list (absent values left out: a Mesa version only where Mesa is the driver),
 * the run's duration, and the data sets' checksums as a table rather than a JSON blob.
 */
function provenanceSection(
  provenance: Record<string, unknown>,
  timing: ReportInput["timing"],
): string[] {
  const lines: string[] = [];
  const checksums = provenance.dataset_sha256;
  const keys = Object.keys(provenance).sort().filter((key) =>
    key !== "dataset_sha256" && provenance[key] !== null && provenance[key] !== undefined
  );
  for (const key of keys) lines.push(`- ${key}: ${provenanceValue(provenance[key])}`);
  if (timing) lines.push(`- duration: ${durationText(timing)}`);
  if (lines.length === 0) lines.push("- none");
  if (checksums && typeof checksums === "object" && Object.keys(checksums).length > 0) {
    lines.push("", "Data set files:", "", "| data set | file | SHA-256 |", "| --- | --- | --- |");
    // Per data set (provenance.ts): file name -> SHA-256.
    const sets = checksums as Record<string, Record<string, string>>;
    for (const [dataset, files] of Object.entries(sets)) {
      for (const [file, sha] of Object.entries(files)) {
        lines.push(row([dataset, `\`${file}\``, `\`${sha}\``]));
      }
    }
  }
  return lines;
}

/** "15 min 16 s (2026-01-02T10:00:00Z to ...)", and where a resumed run first started. */
function durationText(timing: NonNullable<ReportInput["timing"]>): string {
  const seconds = Math.max(0, (Date.parse(timing.ended) - Date.parse(timing.started)) / 1000);
  const text = `${humanDuration(seconds)} (${timing.started} to ${timing.ended})`;
  return timing.first_started === timing.started
    ? text
    : `${text}, this invocation only: resumed a run first started ${timing.first_started}`;
}

function humanDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

/**
 * The claims' readings (ClaimConfig.reading) for their verdicts, in claim order: the sentence
 * written for a PASS or a FAIL, or that the numbers do not decide the claim; null when no claim
 * has a reading.
 */
function readingParagraph(results: ClaimResult[], configs: ClaimConfig[]): string | null {
  const sentences: string[] = [];
  for (const result of results) {
    const reading = configs.find((c) => c.id === result.id)?.reading;
    if (!reading) continue;
    const sentence = result.verdict === "PASS"
      ? reading.pass
      : result.verdict === "FAIL"
      ? reading.fail
      : `the numbers do not decide it (${result.reason.replace(/\.$/, "")}).`;
    sentences.push(`${result.verdict} ${result.id}: ${sentence}`);
  }
  return sentences.length > 0 ? sentences.join(" ") : null;
}

function verdictTable(results: ClaimResult[], configs: ClaimConfig[]): string[] {
  const lines = [
    "| claim | n | mean | 95% CI | threshold | paper | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const result of results) {
    const config = configs.find((c) => c.id === result.id);
    const format = (v: number) => config ? formatClaimValue(config, v) : String(v);
    const bare = config
      ? formatThreshold(config, result.threshold)
      : `${result.statistic} ${result.op} ${JSON.stringify(result.threshold)}`;
    const threshold = result.margin > 0 && config
      ? `${bare} (margin ${
        formatClaimValue({ ...config, statistic: "difference" }, result.margin).replace(/^\+/, "")
      })`
      : bare;
    const perTrial = result.per_trial.map((v) => (v === null ? "—" : format(v))).join(", ");
    const mean = result.measured === null
      ? "—"
      : `${format(result.measured)} (trials: ${perTrial})`;
    const ci = result.ci === null
      ? (result.method === "one seed" && result.measured !== null ? "one seed" : "—")
      : `[${format(result.ci[0])}, ${format(result.ci[1])}]`;
    const claim = config ? `**${result.id}**: ${result.text} (${selection(config)})` : result.id;
    const verdict = result.method === "one seed" && result.verdict !== "INCONCLUSIVE"
      ? `**${result.verdict}** (one seed)`
      : `**${result.verdict}**`;
    lines.push(row([
      claim,
      String(result.n),
      mean,
      ci,
      threshold,
      result.paper,
      `${verdict}: ${result.reason}`,
    ]));
  }
  if (results.length === 0) lines.push(row(["no claims", "", "", "", "", "", ""]));
  lines.push(
    "",
    "n: trials with a value; mean and 95% CI over trials (Student t, two-sided; paired within a " +
      "trial for differences and ratios). PASS: the whole interval on the claimed side of the " +
      "threshold (and its margin); FAIL: wholly on the other side; else INCONCLUSIVE.",
  );
  return lines;
}

/**
 * What the claim compares, e.g. "early_stop_iteration, ticket at 21.07% vs ticket at 100%",
 * "test_accuracy_at_early_stop, signed-constant h=100 at 10%, 30%, 50%" or "smallest_matching
 * (test_accuracy_at_early_stop within 0.3 pp of the dense level), ticket on fashion-mnist vs
 * ticket on mnist".
 */
function selection(claim: ClaimConfig): string {
  const percent = (w: number) => `${Number((w * 100).toFixed(4))}%`;
  const at = (s: ClaimSelector) => {
    const dataset = s.dataset === undefined ? "" : ` on ${s.dataset}`;
    const widths = s.width === undefined ? "" : ` h=${[s.width].flat().join(", ")}`;
    const levels = s.weights_remaining === undefined
      ? ""
      : ` at ${[s.weights_remaining].flat().map(percent).join(", ")}`;
    return `${[s.arm].flat().join(", ")}${dataset}${widths}${levels}`;
  };
  const base = claim.baseline ? ` vs ${at(claim.baseline)}` : "";
  const matching = claim.matching
    ? ` (${claim.matching.accuracy} within ${
      Number((claim.matching.tolerance * 100).toFixed(6))
    } pp of the dense level)`
    : "";
  return `${claim.metric}${matching}, ${at(claim.select)}${base}`;
}

/** Columns of the metrics table: metric, header, formatter of a mean. */
const METRIC_COLUMNS: [PlotMetric, string, (v: number) => string][] = [
  ["early_stop_iteration", "early-stop iteration", (v) => v.toFixed(0)],
  ["test_accuracy_at_early_stop", "test acc. at early stop (%)", (v) => (v * 100).toFixed(2)],
  ["final_test_accuracy", "final test acc. (%)", (v) => (v * 100).toFixed(2)],
  ["min_validation_loss", "min validation loss", (v) => v.toFixed(4)],
];
/** The overlap with the ticket's mask, a column where the procedure records it. */
const KAPPA_COLUMN: [PlotMetric, string, (v: number) => string] = [
  "kappa",
  "kappa vs ticket",
  (v) => v.toFixed(3),
];

function metricsTable(rows: ResultRow[]): string[] {
  // A data set column only when the rows span several (one data set is named in the provenance).
  const datasets = orderedDatasets(rows);
  const byDataset = datasets.length > 1;
  const lead = [
    ...(byDataset ? ["data set"] : []),
    "width",
    "level",
    "arm",
    "weights remaining (%)",
    "trials",
  ];
  const columns = rows.some((r) => r.kappa !== undefined)
    ? [...METRIC_COLUMNS, KAPPA_COLUMN]
    : METRIC_COLUMNS;
  const lines = [
    row([...lead, ...columns.map((c) => c[1])]),
    row(Array(lead.length + columns.length).fill("---")),
  ];
  if (rows.length === 0) {
    return [...lines, row(["no rows", ...Array(lead.length - 1 + columns.length)])];
  }
  const summaries = columns.map(([metric]) => summarizeByRoundArm(rows, metric));
  const arms = orderedArms(rows);
  // Rows of the table: by data set, width, level, then arm in legend order; every summary lists
  // the same groups.
  const first = summaries[0];
  const order = first
    .map((_, i) => i)
    .sort((a, b) =>
      datasets.indexOf(first[a].dataset) - datasets.indexOf(first[b].dataset) ||
      first[a].width - first[b].width || first[a].level - first[b].level ||
      arms.indexOf(first[a].arm) - arms.indexOf(first[b].arm)
    );
  for (const i of order) {
    const group = first[i];
    const trials = new Set(
      rows.filter((r) =>
        (r.dataset ?? "") === group.dataset && r.width === group.width &&
        r.level === group.level && r.arm === group.arm
      ).map((r) => r.trial),
    ).size;
    lines.push(row([
      ...(byDataset ? [group.dataset] : []),
      String(group.width),
      String(group.level),
      group.arm,
      (group.weights_remaining * 100).toFixed(2),
      String(trials),
      ...columns.map(([, , format], c) => {
        const s = summaries[c][i];
        return s.trials === 0 ? "—" : format(s.mean);
      }),
    ]));
  }
  return lines;
}

/** One markdown table row; "|" inside a cell is escaped and newlines become spaces. */
function row(cells: (string | undefined)[]): string {
  const clean = (cell: string | undefined) =>
    (cell ?? "").replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  return `| ${cells.map(clean).join(" | ")} |`;
}

function provenanceValue(value: unknown): string {
  if (typeof value === "string") return value.replace(/\r?\n/g, " ");
  return `\`${JSON.stringify(value) ?? String(value)}\``;
}
