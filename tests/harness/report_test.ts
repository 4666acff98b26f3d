import assert from "node:assert/strict";
import { evaluateClaims } from "../../src/harness/claims.ts";
import { renderReport } from "../../src/harness/report.ts";
import type { ClaimConfig, ResolvedConfig, ResultRow } from "../../src/config/types.ts";
import { impRemaining, makeRow } from "../fixtures/rows.ts";

const claims: ClaimConfig[] = [
  {
    id: "faster",
    text: "Tickets at 21% weights remaining stop earlier than the dense network.",
    metric: "early_stop_iteration",
    select: { arm: "ticket", weights_remaining: 0.2097 },
    baseline: { arm: "ticket", weights_remaining: 1 },
    statistic: "ratio",
    op: "<",
    threshold: 1,
    paper: "about 0.6 (Fig. 3)",
  },
  {
    id: "beats-reinit",
    text: "Tickets beat random reinitialisation | by a margin.",
    metric: "test_accuracy_at_early_stop",
    select: { arm: "ticket", weights_remaining: 0.2097 },
    baseline: { arm: "random-reinit", weights_remaining: 0.2097 },
    statistic: "difference",
    op: ">",
    threshold: { paper: 0.01 },
    paper: "+2 pp",
  },
];

const config: ResolvedConfig = {
  id: "weak-lth-lenet",
  hypothesis: "weak-lth",
  claim: "Winning tickets learn faster and reach higher accuracy than the dense network.",
  citation: "Frankle & Carbin, The Lottery Ticket Hypothesis, ICLR 2019",
  model: {
    kind: "mlp",
    layers: [784, 300, 100, 10],
    activation: "relu",
    init: "glorot-normal",
    prune_biases: false,
  },
  data: { dataset: "mnist", validation: 5000 },
  procedure: {
    name: "imp",
    optimizer: { name: "adam", learning_rate: 0.0012 },
    batch_size: 60,
    iterations: 50000,
    eval_every: 100,
    rounds: 7,
    prune_fractions: [0.2, 0.2, 0.1],
    rewind: "init",
  },
  controls: { random_reinit: 2, random_mask: false, rounds: [7] },
  trials: 2,
  seed: 1,
  claims,
  profile: "quick",
  profile_note: "Fewer iterations than the paper.",
  single_seed: false,
};

function rows(): ResultRow[] {
  const out: ResultRow[] = [];
  for (let trial = 0; trial < 2; trial++) {
    for (
      const [level, arm, replicate] of [
        [0, "ticket", 0],
        [7, "ticket", 0],
        [7, "random-reinit", 0],
        [7, "random-reinit", 1],
      ] as const
    ) {
      const wr = impRemaining(level, 6);
      out.push(makeRow({ trial, level, arm, replicate }, {
        weights_remaining: wr,
        weights_remaining_per_layer: [wr, wr, wr],
        early_stop_iteration: level === 0 ? 10000 : arm === "ticket" ? 6000 + trial * 100 : 12000,
        test_accuracy_at_early_stop: arm === "ticket" ? 0.98 : 0.96 + replicate * 0.002,
        final_test_accuracy: 0.975,
        min_validation_loss: 0.07,
      }));
    }
  }
  return out;
}

function render(): string {
  const r = rows();
  return renderReport({
    config,
    hash: "0123456789ab",
    claims: evaluateClaims(claims, r, "quick"),
    rows: r,
    provenance: { git_commit: "abc123", deno: "2.9.6", seeds: [1, 2] },
    figures: ["accuracy.svg", "early_stop.svg"],
  });
}

Deno.test("report puts the verdict table before the metrics, figures and provenance", () => {
  const report = render();
  const verdicts = report.indexOf("| claim | n | mean | 95% CI | threshold | paper | verdict |");
  const metrics = report.indexOf("## Mean metrics per level and arm");
  const figures = report.indexOf("![accuracy](accuracy.svg)");
  const provenance = report.indexOf("## Provenance");
  assert.ok(verdicts > 0 && verdicts < metrics, "verdicts before metrics");
  assert.ok(metrics < figures && figures < provenance, "metrics, figures, provenance in order");
  assert.ok(report.indexOf(config.claim) < verdicts);
  assert.ok(report.includes(config.citation));
  assert.ok(report.includes("`quick`: Fewer iterations than the paper."));
  assert.ok(report.includes("![early_stop](early_stop.svg)"));
  assert.ok(report.includes("- seeds: `[1,2]`"));
});

Deno.test("verdict rows show threshold, per-trial values in the claim's units and the verdict", () => {
  const report = render();
  const faster = report.split("\n").find((l) => l.startsWith("| **faster**"))!;
  assert.ok(faster.includes("| ratio < 1 |"), faster);
  assert.ok(faster.includes("0.605 (trials: 0.600, 0.610)"), faster);
  assert.ok(faster.includes("**PASS**"), faster);
  const reinit = report.split("\n").find((l) => l.startsWith("| **beats-reinit**"))!;
  // The pipe inside the claim text is escaped so the table keeps five columns.
  assert.ok(reinit.includes("reinitialisation \\| by"), reinit);
  assert.ok(reinit.includes("+1.90 pp (trials: +1.90 pp, +1.90 pp)"), reinit);
  assert.ok(reinit.includes("**INCONCLUSIVE**"), reinit);
  assert.ok(reinit.includes('No threshold for profile "quick"'), reinit);
});

Deno.test("metrics table lists each level x arm with means in percent", () => {
  const report = render();
  assert.ok(report.includes("| 0 | ticket | 100.00 | 2 | 10000 | 98.00 | 97.50 | 0.0700 |"));
  assert.ok(report.includes("| 7 | ticket | 20.97 | 2 | 6050 | 98.00 | 97.50 | 0.0700 |"));
  assert.ok(report.includes("| 7 | random-reinit | 20.97 | 2 | 12000 | 96.10 | 97.50 | 0.0700 |"));
});

Deno.test("report is deterministic", () => {
  assert.equal(render(), render());
});

Deno.test("the title is the experiment's name and paper, not id: hypothesis", () => {
  const report = renderReport({
    config: { ...config, id: "weak-lth", hypothesis: "weak-lth" },
    hash: "0123456789ab",
    claims: [],
    rows: rows(),
    provenance: {},
    figures: [],
  });
  const title = report.split("\n")[0];
  assert.equal(title, "# weak-lth");
  assert.ok(!report.includes("**Hypothesis.**"), "a hypothesis equal to the id is not repeated");
  const quoted = renderReport({
    config: { ...config, citation: 'Frankle & Carbin, "The Lottery Ticket\n  Hypothesis", ICLR' },
    hash: "0123456789ab",
    claims: [],
    rows: rows(),
    provenance: {},
    figures: [],
  });
  assert.equal(
    quoted.split("\n")[0],
    '# weak-lth-lenet: reproducing "The Lottery Ticket Hypothesis"',
  );
  assert.ok(quoted.includes("**Hypothesis.** weak-lth"));
});

Deno.test("provenance: Mesa version where Mesa drives, the run's duration, a checksum table", () => {
  const input = (mesa: string | null, firstStarted: string) =>
    renderReport({
      config,
      hash: "0123456789ab",
      claims: [],
      rows: rows(),
      provenance: {
        adapter: "llvmpipe (LLVM 15.0.6, 256 bits)",
        mesa_version: mesa,
        dataset_sha256: {
          mnist: {
            "train-images-idx3-ubyte": "ab".repeat(32),
            "t10k-labels": "cd".repeat(32),
          },
          "fashion-mnist": { "t10k-labels": "ef".repeat(32) },
        },
      },
      figures: [],
      timing: {
        started: "2026-01-02T10:00:00.000Z",
        ended: "2026-01-02T10:15:16.000Z",
        first_started: firstStarted,
      },
    });
  const mesa = input("22.3.6", "2026-01-02T10:00:00.000Z");
  assert.ok(mesa.includes("- mesa_version: 22.3.6"));
  assert.ok(
    mesa.includes("- duration: 15 min 16 s (2026-01-02T10:00:00.000Z to 2026-01-02T10:15:16.000Z)"),
  );
  assert.ok(mesa.includes("| data set | file | SHA-256 |"));
  assert.ok(mesa.includes(`| mnist | \`train-images-idx3-ubyte\` | \`${"ab".repeat(32)}\` |`));
  assert.ok(mesa.includes(`| fashion-mnist | \`t10k-labels\` | \`${"ef".repeat(32)}\` |`));
  assert.ok(!mesa.includes('{"train-images'), "checksums are not a JSON blob");
  const other = input(null, "2026-01-01T09:00:00.000Z");
  assert.ok(!other.includes("mesa_version"), "no Mesa line where Mesa is not the driver");
  assert.ok(other.includes("resumed a run first started 2026-01-01T09:00:00.000Z"));
});

Deno.test("metrics table: a data set column first when the rows span several", () => {
  const r = [
    ...rows(),
    ...rows().map((row) => ({
      ...row,
      dataset: "fashion-mnist",
      test_accuracy_at_early_stop: row.test_accuracy_at_early_stop - 0.1,
    })),
  ];
  const report = renderReport({
    config,
    hash: "0123456789ab",
    claims: [],
    rows: r,
    provenance: {},
    figures: [],
  });
  assert.ok(report.includes("| data set | width | level | arm | weights remaining (%) | trials |"));
  assert.ok(report.includes("| mnist | 300 | 0 | ticket | 100.00 | 2 | 10000 | 98.00 |"), report);
  assert.ok(report.includes("| fashion-mnist | 300 | 0 | ticket | 100.00 | 2 | 10000 | 88.00 |"));
  const table = report.split("\n").filter((line) => /^\| (mnist|fashion-mnist) \|/.test(line));
  assert.deepEqual(table.map((line) => line.split(" | ")[0]), [
    ...Array(3).fill("| mnist"),
    ...Array(3).fill("| fashion-mnist"),
  ]);
  assert.ok(!render().includes("| data set |"), "one data set: no data set column");
});

Deno.test("claims' readings open the report: the sentence of each verdict, in claim order", () => {
  const plain = render();
  assert.ok(!plain.includes("**What the numbers say.**"), "no reading without readings");
  const read = (id: string) => ({ pass: `${id} held.`, fail: `${id} broke.` });
  const r = rows();
  const withReadings = claims.map((claim) => ({ ...claim, reading: read(claim.id) }));
  // A FAIL too: the ticket stopping later than 0.5 x the dense network's iteration.
  const failing: ClaimConfig = { ...withReadings[0], id: "much-faster", threshold: 0.5 };
  const all = [...withReadings, { ...failing, reading: read("much-faster") }];
  const report = renderReport({
    config: { ...config, claims: all },
    hash: "0123456789ab",
    claims: evaluateClaims(all, r, "quick"),
    rows: r,
    provenance: {},
    figures: [],
  });
  const lines = report.split("\n");
  assert.equal(
    lines[2],
    "**What the numbers say.** PASS faster: faster held. INCONCLUSIVE beats-reinit: the numbers " +
      'do not decide it (No threshold for profile "quick" (thresholds given for: paper)). FAIL ' +
      "much-faster: much-faster broke.",
  );
});
