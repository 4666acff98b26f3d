/**
 * Frankle & Carbin's Conv-2/4/6 experiments (weak-lth-conv, -conv4, -conv6): the weights remaining
 * their claims state are what layerwise IMP keeps of the networks the profiles build, and the
 * profiles that evaluate claims train every level (and reinit control) the claims select.
 */
import assert from "node:assert/strict";
import { DATASET_SHAPES, datasetsOf } from "../../src/config/datasets.ts";
import type { ClaimSelector, ResolvedConfig } from "../../src/config/types.ts";
import { configuredModel } from "../../src/procedures/configured_model.ts";
import { impControls } from "../../src/procedures/imp_controls.ts";
import { impConfig, trainedRounds } from "../../src/procedures/imp_spec.ts";
import { keptAfterRounds } from "../../src/prune/mask.ts";
import { resolveExperiment } from "../fixtures/experiments.ts";

const EXPERIMENTS = ["weak-lth-conv", "weak-lth-conv4", "weak-lth-conv6"];

/** Fraction of the weights layerwise IMP keeps after `rounds` rounds (exact integer counts). */
function weightsRemaining(config: ResolvedConfig, rounds: number): number {
  const shape = DATASET_SHAPES[datasetsOf(config.data)[0]];
  const layers = configuredModel(config, { shape }).layout.layers;
  const fractions = impConfig(config).prune_fractions;
  const counts = layers.map((layer) => layer.inputs * layer.outputs);
  const kept = counts.map((n, l) => keptAfterRounds(n, fractions[l], rounds));
  return kept.reduce((a, b) => a + b, 0) / counts.reduce((a, b) => a + b, 0);
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(2)}%`;

/** The round a claim's text names, "After N rounds (X% of the weights ...". */
function statedRound(text: string): { round: number; percent: string } {
  const match = /^After (\d+) rounds \((\d+\.\d\d%) of the weights/.exec(text);
  assert.ok(match, text);
  return { round: Number(match[1]), percent: match[2] };
}

/**
 * The IMP round a selector picks in a config: its level, or the trained round nearest its
 * fraction, which must lie within 0.005 of it (as the claims' selection requires).
 */
function selectedRound(config: ResolvedConfig, selector: ClaimSelector): number {
  if (selector.level !== undefined) return selector.level;
  const target = selector.weights_remaining as number;
  const distance = (r: number) => Math.abs(weightsRemaining(config, r) - target);
  const rounds = [0, ...trainedRounds(impConfig(config))].sort((a, b) => distance(a) - distance(b));
  assert.ok(
    distance(rounds[0]) <= 0.005,
    `${config.id} ${config.profile}: no round near ${target}`,
  );
  return rounds[0];
}

Deno.test("the Conv-2/4/6 claims state the weights remaining of the paper's networks", () => {
  for (const id of EXPERIMENTS) {
    const paper = resolveExperiment(id, "paper");
    for (const claim of paper.claims) {
      const { round, percent: stated } = statedRound(claim.text);
      assert.equal(percent(weightsRemaining(paper, round)), stated, `${id} ${claim.id}`);
      assert.equal(selectedRound(paper, claim.select), round, `${id} ${claim.id}`);
    }
  }
  // The header comments' levels, spot-checked: Conv-4 and Conv-6 at the paper's best early stop.
  assert.equal(
    percent(weightsRemaining(resolveExperiment("weak-lth-conv4", "paper"), 12)),
    "9.18%",
  );
  assert.equal(
    percent(weightsRemaining(resolveExperiment("weak-lth-conv6", "paper"), 10)),
    "15.29%",
  );
});

Deno.test("the Conv-2/4/6 paper and quick profiles train every level and reinit their claims read", () => {
  for (const id of EXPERIMENTS) {
    for (const profile of ["paper", "quick"] as const) {
      const config = resolveExperiment(id, profile);
      const trained = [0, ...trainedRounds(impConfig(config))];
      const controls = impControls(config);
      for (const claim of config.claims) {
        for (const selector of [claim.select, claim.baseline]) {
          if (!selector) continue;
          const round = selectedRound(config, selector);
          const what = `${id} ${profile} ${claim.id} ${selector.arm}`;
          assert.ok(trained.includes(round), `${what}: round ${round} is not trained`);
          if (selector.arm === "random-reinit") {
            assert.ok(controls.random_reinit > 0 && controls.rounds.includes(round), what);
          }
        }
      }
    }
  }
});

Deno.test("the Conv-4/6 quick notes state the fractions their narrower networks keep", () => {
  for (const id of ["weak-lth-conv4", "weak-lth-conv6"]) {
    const quick = resolveExperiment(id, "quick");
    for (const round of trainedRounds(impConfig(quick))) {
      const stated = `${percent(weightsRemaining(quick, round))} after ${round}`;
      assert.ok(quick.profile_note.includes(stated), `${id}: the quick note says "${stated}"`);
    }
  }
});
