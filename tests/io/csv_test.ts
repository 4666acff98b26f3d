import assert from "node:assert/strict";
import { parseResultsCsv, resultsCsv } from "../../src/io/csv.ts";
import type { ResultRow } from "../../src/config/types.ts";
import { UsageError } from "../../src/base/errors.ts";
import { impRemaining, makeRow } from "../fixtures/rows.ts";

function row(trial: number, level: number, arm: string, replicate = 0): ResultRow {
  const wr = impRemaining(level);
  return makeRow({ trial, level, arm, replicate }, {
    weights_remaining_per_layer: [wr, wr, Math.pow(0.9, level)],
    early_stop_iteration: 1000 * (level + 1) + trial,
    test_accuracy_at_early_stop: 0.97 + trial / 1000 + level / 3000,
    final_test_accuracy: 0.96 + replicate / 7000,
    min_validation_loss: 0.1 / (level + 1) + 1 / 3e6,
  });
}

function sampleRows(): ResultRow[] {
  return [
    row(1, 2, "ticket"),
    row(0, 1, "random-reinit", 1),
    row(0, 1, "random-reinit", 0),
    row(0, 0, "ticket"),
    row(0, 1, "ticket"),
    row(1, 0, "ticket"),
    row(0, 1, "random-mask"),
  ];
}

Deno.test("resultsCsv writes the header, sorts rows and prints fixed decimals", () => {
  const text = resultsCsv(sampleRows());
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    "dataset,trial,width,level,arm,replicate,weights_remaining,weights_remaining_fc1," +
      "weights_remaining_fc2," +
      "weights_remaining_fc3,early_stop_iteration,early_stop_censored,test_accuracy_at_early_stop," +
      "final_test_accuracy,min_validation_loss,instability,kappa,kappa_fc1,kappa_fc2,kappa_fc3",
  );
  assert.deepEqual(lines.slice(1, -1).map((l) => l.split(",").slice(0, 6).join(",")), [
    "mnist,0,300,0,ticket,0",
    "mnist,0,300,1,random-mask,0",
    "mnist,0,300,1,random-reinit,0",
    "mnist,0,300,1,random-reinit,1",
    "mnist,0,300,1,ticket,0",
    "mnist,1,300,0,ticket,0",
    "mnist,1,300,2,ticket,0",
  ]);
  assert.equal(
    lines[1],
    "mnist,0,300,0,ticket,0,1.000000,1.000000,1.000000,1.000000,1000,0,0.970000,0.960000,0.10000033,,,,,",
  );
  assert.equal(lines.at(-1), "");
});

Deno.test("resultsCsv is byte-stable: input order does not matter, re-writing is identity", () => {
  const rows = sampleRows();
  const text = resultsCsv(rows);
  assert.equal(resultsCsv([...rows].reverse()), text);
  assert.equal(resultsCsv(parseResultsCsv(text)), text);
});

Deno.test("parseResultsCsv round-trips values to the printed precision", () => {
  const rows = sampleRows();
  const back = parseResultsCsv(resultsCsv(rows));
  assert.equal(back.length, rows.length);
  const original = rows.find((r) => r.trial === 1 && r.level === 2)!;
  const parsed = back.find((r) => r.trial === 1 && r.level === 2)!;
  assert.equal(parsed.arm, "ticket");
  assert.equal(parsed.early_stop_iteration, original.early_stop_iteration);
  assert.ok(Math.abs(parsed.weights_remaining - original.weights_remaining) <= 5e-7);
  assert.equal(parsed.weights_remaining_per_layer.length, 3);
  assert.ok(Math.abs(parsed.min_validation_loss - original.min_validation_loss) <= 5e-9);
  assert.deepEqual(parseResultsCsv(resultsCsv([])), []);
});

Deno.test("parseResultsCsv rejects a bad header, a short line and a non-number", () => {
  const text = resultsCsv(sampleRows());
  const lines = text.split("\n");
  const expectUsage = (input: string, pattern: RegExp) =>
    assert.throws(() => parseResultsCsv(input), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match((error as Error).message, pattern);
      return true;
    });
  expectUsage("", /empty/);
  expectUsage(["trial,round,oops", ...lines.slice(1)].join("\n"), /header/);
  expectUsage([lines[0], "0,0,ticket"].join("\n"), /line 2 has 3 fields/);
  expectUsage([lines[0], lines[1].replace(/^mnist,/, "MNIST,")].join("\n"), /invalid dataset/);
  expectUsage(
    [lines[0], lines[1].replace(",1000,", ",abc,")].join("\n"),
    /early_stop_iteration is "abc"/,
  );
  expectUsage(
    [lines[0], lines[1].replace(",1000,", ",,")].join("\n"),
    /early_stop_iteration is ""/,
  );
});

Deno.test("parseResultsCsv names the file it was given, the line, the column and the cell", () => {
  const lines = resultsCsv(sampleRows()).split("\n");
  const source = "results/weak-lth/smoke-0123456789ab/results.csv";
  assert.throws(
    () => parseResultsCsv([lines[0], lines[1].replace(",1000,", ",abc,")].join("\n"), source),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(
        (error as Error).message,
        `${source} line 2 column early_stop_iteration is "abc", not an integer`,
      );
      return true;
    },
  );
  assert.throws(() => parseResultsCsv("", source), new RegExp(`: ${source} is empty;`));
});

Deno.test("resultsCsv refuses rows with different layer counts, unsafe arm or data set names", () => {
  const short = { ...row(0, 1, "ticket"), weights_remaining_per_layer: [0.8] };
  assert.throws(() => resultsCsv([row(0, 0, "ticket"), short]), /layer count/);
  assert.throws(() => resultsCsv([row(0, 0, "a,b")]), /arm name/);
  const { dataset: _, ...unnamed } = row(0, 0, "ticket");
  assert.throws(
    () => resultsCsv([unnamed]),
    /row \(trial 0, level 0, arm ticket\) has the data set undefined; expected a kebab-case name/,
  );
  assert.throws(() => resultsCsv([{ ...row(0, 0, "ticket"), dataset: "a,b" }]), /data set "a,b"/);
});

Deno.test("rows of several data sets sort by data set first and read back with it", () => {
  const rows = [
    { ...row(0, 0, "ticket"), dataset: "mnist" },
    { ...row(1, 0, "ticket"), dataset: "fashion-mnist" },
    { ...row(0, 0, "ticket"), dataset: "fashion-mnist" },
  ];
  const text = resultsCsv(rows);
  assert.deepEqual(text.split("\n").slice(1, -1).map((l) => l.split(",").slice(0, 2).join(",")), [
    "fashion-mnist,0",
    "fashion-mnist,1",
    "mnist,0",
  ]);
  assert.deepEqual(parseResultsCsv(text).map((r) => r.dataset), [
    "fashion-mnist",
    "fashion-mnist",
    "mnist",
  ]);
});

Deno.test("early_stop_censored is written as 0/1 and read back; anything else is refused", () => {
  // The dense row of trial 0 sorts first.
  const rows = sampleRows().map((r) =>
    r.trial === 0 && r.level === 0 ? { ...r, early_stop_censored: true } : r
  );
  const text = resultsCsv(rows);
  assert.match(text.split("\n")[1], /,1000,1,0\.970000,/);
  assert.equal(parseResultsCsv(text)[0].early_stop_censored, true);
  assert.equal(parseResultsCsv(text)[1].early_stop_censored, false);
  const lines = text.split("\n");
  assert.throws(
    () => parseResultsCsv([lines[0], lines[1].replace(",1000,1,", ",1000,yes,")].join("\n")),
    /column early_stop_censored is "yes", not 0 or 1/,
  );
});

Deno.test("kappa and instability columns: empty when absent, NaN written empty, read back", () => {
  const rows = sampleRows().map((r) =>
    r.level === 1 && r.trial === 0
      ? { ...r, instability: 0.0123, kappa: 0.123456789, kappa_per_layer: [0.1, NaN, -0.25] }
      : r
  );
  const text = resultsCsv(rows);
  const line = text.split("\n").find((l) => l.startsWith("mnist,0,300,1,ticket,0,"))!;
  assert.match(line, /,0\.012300,0\.123457,0\.100000,,-0\.250000$/);
  assert.match(text.split("\n")[1], /,,,,,$/);
  const back = parseResultsCsv(text);
  const parsed = back.find((r) => r.trial === 0 && r.level === 1 && r.arm === "ticket")!;
  assert.equal(parsed.kappa, 0.123457);
  assert.equal(parsed.instability, 0.0123);
  assert.deepEqual(parsed.kappa_per_layer, [0.1, NaN, -0.25]);
  assert.equal(back.find((r) => r.level === 0)!.kappa, undefined);
  assert.equal(resultsCsv(back), text);
});

Deno.test("per-layer columns carry the weight layers' names (conv1, ..., fc1, ...) and parse back", () => {
  const rows = sampleRows();
  const text = resultsCsv(rows, ["conv1", "conv2", "fc1"]);
  const header = text.split("\n")[0].split(",");
  assert.deepEqual(header.filter((c) => c.startsWith("weights_remaining_")), [
    "weights_remaining_conv1",
    "weights_remaining_conv2",
    "weights_remaining_fc1",
  ]);
  assert.deepEqual(header.slice(-3), ["kappa_conv1", "kappa_conv2", "kappa_fc1"]);
  assert.equal(resultsCsv(parseResultsCsv(text), ["conv1", "conv2", "fc1"]), text);
  assert.throws(() => resultsCsv(rows, ["conv1"]), /1 layer names for rows of 3 layers/);
  const mismatched = text.replace("kappa_conv2", "kappa_conv9");
  assert.throws(() => parseResultsCsv(mismatched), /is not the expected/);
});

Deno.test("rows of several layouts (null layer names) have no per-layer columns and parse back", () => {
  const short = row(1, 1, "imp-20");
  const long = { ...row(1, 1, "imp-32"), weights_remaining_per_layer: [0.5, 0.4, 0.3, 0.2] };
  const text = resultsCsv([short, long], null);
  const header = text.split("\n")[0];
  assert.ok(!header.includes("weights_remaining_"), header);
  assert.ok(!header.includes("kappa_"), header);
  const parsed = parseResultsCsv(text);
  assert.deepEqual(parsed.map((r) => r.arm), ["imp-20", "imp-32"]);
  assert.deepEqual(parsed.map((r) => r.weights_remaining_per_layer), [[], []]);
  assert.throws(() => resultsCsv([short, long]), /disagree on the layer count/);
});

Deno.test("the agreement column appears only when a row has one, and reads back", () => {
  const without = resultsCsv(sampleRows());
  assert.ok(!without.split("\n")[0].includes("agreement"));
  const rows = sampleRows().map((r) =>
    r.arm === "random-mask" ? { ...r, agreement: 0.9876543 } : r
  );
  const text = resultsCsv(rows);
  assert.ok(text.split("\n")[0].endsWith(",kappa_fc3,agreement"));
  const line = text.split("\n").find((l) => l.startsWith("mnist,0,300,1,random-mask,0,"))!;
  assert.match(line, /,0\.987654$/);
  assert.match(text.split("\n")[1], /,,,,,,$/);
  const back = parseResultsCsv(text);
  assert.equal(back.find((r) => r.arm === "random-mask")!.agreement, 0.987654);
  assert.equal(back.find((r) => r.arm === "ticket")!.agreement, undefined);
  assert.equal(resultsCsv(back), text);
});
