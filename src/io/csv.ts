/**
 * results.csv: one row per dataset x trial x width x level x arm x replicate (config/types.ts
 * ResultRow).
 *
 * Byte-stable by construction: rows are sorted by (dataset, trial, width, level, arm, replicate)
 * (names in code-unit order) and every
 * float is printed with a fixed number of decimals (toFixed is exact decimal rounding of the
 * double), so the same rows always give the same bytes, whatever order they were produced in.
 * Columns: dataset, trial, width, level, arm, replicate, weights_remaining,
 * weights_remaining_<layer> per weight layer (its checkpoint name: conv1, ..., fc1, ...; fc1..fcN
 * when the writer names none),
 * early_stop_iteration, early_stop_censored (1 when the early stop is the last evaluation),
 * test_accuracy_at_early_stop, final_test_accuracy, min_validation_loss, instability (linear
 * mode connectivity with the run's second copy; empty without one), kappa, kappa_<layer>
 * (the mask's chance-corrected overlap with the ticket's; empty where the procedure compares no
 * masks or it is undefined, as at 100% weights remaining), and `agreement` (the fraction of test
 * predictions shared with a reference network) only when some row has one, so files without it
 * keep their bytes.
 */
import { UsageError } from "../base/errors.ts";
import type { ResultRow } from "../config/types.ts";

/** Decimals per float column: fractions to 1e-6, the loss to 1e-8. */
const FRACTION_DECIMALS = 6;
const LOSS_DECIMALS = 8;

/** Arm names are identifiers; refusing separators and quotes keeps the format quote-free. */
const ARM_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** Data set names are kebab-case ("fashion-mnist"), quote-free for the same reason. */
const DATASET_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const LEVEL_COLUMN = "level";

const LEAD = [
  "dataset",
  "trial",
  "width",
  LEVEL_COLUMN,
  "arm",
  "replicate",
  "weights_remaining",
];
const TAIL = [
  "early_stop_iteration",
  "early_stop_censored",
  "test_accuracy_at_early_stop",
  "final_test_accuracy",
  "min_validation_loss",
];

/** fc1..fcN: the names of an MLP's weight layers. */
function denseNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => `fc${i + 1}`);
}

const AGREEMENT_COLUMN = "agreement";

function header(layerNames: readonly string[], agreement: boolean): string[] {
  const perLayer = (name: string) => layerNames.map((layer) => `${name}_${layer}`);
  return [
    ...LEAD,
    ...perLayer("weights_remaining"),
    ...TAIL,
    "instability",
    "kappa",
    ...perLayer("kappa"),
    ...(agreement ? [AGREEMENT_COLUMN] : []),
  ];
}

/** An optional cell (kappa, instability): empty when absent or undefined (NaN). */
function optionalCell(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "" : value.toFixed(FRACTION_DECIMALS);
}

/** Total order used for the file: dataset, trial, width, level, arm (names in code-unit order), replicate. */
export function compareRows(a: ResultRow, b: ResultRow): number {
  const byName = (x = "", y = "") => (x < y ? -1 : x > y ? 1 : 0);
  return byName(a.dataset, b.dataset) || a.trial - b.trial || a.width - b.width ||
    a.level - b.level ||
    (a.arm < b.arm ? -1 : a.arm > b.arm ? 1 : 0) || a.replicate - b.replicate;
}

/**
 * Render rows as results.csv text ("\n" line ends, trailing newline); `layerNames` name the
 * per-layer columns (the model's weight layers in order; fc1..fcN by default). `null`: the rows
 * come from models of different layouts (elastic tickets' depths), so there are no per-layer
 * columns; each run's row.json keeps its own.
 */
export function resultsCsv(rows: ResultRow[], layerNames?: readonly string[] | null): string {
  const perLayer = layerNames !== null;
  const layers = !perLayer
    ? 0
    : rows.length === 0
    ? layerNames?.length ?? 0
    : rows[0].weights_remaining_per_layer.length;
  const names = layerNames ?? denseNames(layers);
  if (names.length !== layers) {
    throw new Error(
      `${names.length} layer names for rows of ${layers} layers: [${names.join(", ")}]`,
    );
  }
  const agreement = rows.some((row) => row.agreement !== undefined);
  const lines = [header(names, agreement).join(",")];
  for (const row of [...rows].sort(compareRows)) {
    if (perLayer && row.weights_remaining_per_layer.length !== layers) {
      throw new Error(
        `result rows disagree on the layer count: ${layers} vs ` +
          `${row.weights_remaining_per_layer.length} (trial ${row.trial}, level ${row.level}, arm ${row.arm})`,
      );
    }
    if (!ARM_PATTERN.test(row.arm)) {
      throw new Error(`arm name ${JSON.stringify(row.arm)} must match [A-Za-z0-9_.-]+`);
    }
    if (row.dataset === undefined || !DATASET_PATTERN.test(row.dataset)) {
      throw new Error(
        `row (trial ${row.trial}, level ${row.level}, arm ${row.arm}) has the data set ${
          JSON.stringify(row.dataset)
        }; expected a kebab-case name (the harness sets it on every row)`,
      );
    }
    lines.push([
      row.dataset,
      int(row.trial, "trial"),
      int(row.width, "width"),
      int(row.level, LEVEL_COLUMN),
      row.arm,
      int(row.replicate, "replicate"),
      row.weights_remaining.toFixed(FRACTION_DECIMALS),
      ...row.weights_remaining_per_layer.slice(0, layers).map((w) => w.toFixed(FRACTION_DECIMALS)),
      int(row.early_stop_iteration, "early_stop_iteration"),
      row.early_stop_censored ? "1" : "0",
      row.test_accuracy_at_early_stop.toFixed(FRACTION_DECIMALS),
      row.final_test_accuracy.toFixed(FRACTION_DECIMALS),
      row.min_validation_loss.toFixed(LOSS_DECIMALS),
      optionalCell(row.instability),
      optionalCell(row.kappa),
      ...Array.from({ length: layers }, (_, l) => optionalCell(row.kappa_per_layer?.[l])),
      ...(agreement ? [optionalCell(row.agreement)] : []),
    ].join(","));
  }
  return lines.join("\n") + "\n";
}

function int(value: number, column: string): string {
  if (!Number.isSafeInteger(value)) throw new Error(`${column} must be an integer, got ${value}`);
  return String(value);
}

/**
 * Parse results.csv text back into rows (values as printed, i.e. rounded to the file's decimals).
 * `source` names the file in error messages (the path read), so a user can find the bad cell.
 */
export function parseResultsCsv(text: string, source = "results.csv"): ResultRow[] {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new UsageError(`${source} is empty; re-run the experiment`);

  const columns = lines[0].split(",");
  const agreement = columns[columns.length - 1] === AGREEMENT_COLUMN;
  const layers = (columns.length - (agreement ? 1 : 0) - LEAD.length - TAIL.length - 2) / 2;
  const names = Number.isInteger(layers) && layers >= 0
    ? columns.slice(LEAD.length, LEAD.length + layers).map((column) =>
      column.replace(/^weights_remaining_/, "")
    )
    : [];
  if (
    !Number.isInteger(layers) || layers < 0 ||
    columns.join(",") !== header(names, agreement).join(",")
  ) {
    throw new UsageError(
      `${source} header "${lines[0]}" is not the expected ` +
        `"${header(denseNames(Math.max(Math.floor(layers), 0)), agreement).join(",")}" (one ` +
        `weights_remaining_<layer> and kappa_<layer> per weight layer, then an optional ` +
        `${AGREEMENT_COLUMN}); re-run the experiment`,
    );
  }

  return lines.slice(1).map((line, index) => {
    const lineNo = index + 2;
    const cells = line.split(",");
    if (cells.length !== columns.length) {
      throw new UsageError(
        `${source} line ${lineNo} has ${cells.length} fields, expected ${columns.length}`,
      );
    }
    const num = (i: number, integer: boolean): number => {
      const cell = cells[i];
      // Number("") is 0, so empty cells are rejected explicitly; NaN/Infinity are legal floats.
      const value = cell.trim() === "" ? NaN : Number(cell);
      const ok = integer ? Number.isSafeInteger(value) : !Number.isNaN(value) || cell === "NaN";
      if (!ok) {
        throw new UsageError(
          `${source} line ${lineNo} column ${columns[i]} is "${cell}", not ${
            integer ? "an integer" : "a number"
          }`,
        );
      }
      return value;
    };
    const flag = (i: number): boolean => {
      if (cells[i] !== "0" && cells[i] !== "1") {
        throw new UsageError(
          `${source} line ${lineNo} column ${columns[i]} is "${cells[i]}", not 0 or 1`,
        );
      }
      return cells[i] === "1";
    };
    if (!DATASET_PATTERN.test(cells[0])) {
      throw new UsageError(`${source} line ${lineNo} has an invalid dataset "${cells[0]}"`);
    }
    if (!ARM_PATTERN.test(cells[4])) {
      throw new UsageError(`${source} line ${lineNo} has an invalid arm "${cells[4]}"`);
    }
    const tail = LEAD.length + layers;
    /** The kappa cells from column `at`: absent when all are empty; an empty cell is NaN. */
    const kappas = (at: number): Pick<ResultRow, "kappa" | "kappa_per_layer"> => {
      const cellsOf = cells.slice(at, at + 1 + layers);
      if (cellsOf.every((cell) => cell === "")) return {};
      const value = (i: number) => (cells[i] === "" ? NaN : num(i, false));
      return {
        kappa: value(at),
        kappa_per_layer: Array.from({ length: layers }, (_, l) => value(at + 1 + l)),
      };
    };
    return {
      dataset: cells[0],
      trial: num(1, true),
      width: num(2, true),
      level: num(3, true),
      arm: cells[4],
      replicate: num(5, true),
      weights_remaining: num(6, false),
      weights_remaining_per_layer: Array.from({ length: layers }, (_, i) => num(7 + i, false)),
      early_stop_iteration: num(tail, true),
      early_stop_censored: flag(tail + 1),
      test_accuracy_at_early_stop: num(tail + 2, false),
      final_test_accuracy: num(tail + 3, false),
      min_validation_loss: num(tail + 4, false),
      ...(cells[tail + 5] === "" ? {} : { instability: num(tail + 5, false) }),
      ...kappas(tail + 6),
      ...(agreement && cells[tail + 7 + layers] !== ""
        ? { agreement: num(tail + 7 + layers, false) }
        : {}),
    };
  });
}
