/**
 * IMP's linearized lineage (controls.linearized_ticket): the arm it adds, and the rules that
 * refuse a model the linearization does not cover and the stability control it cannot serve.
 */
import assert from "node:assert/strict";
import { IMP_SPEC } from "../../src/procedures/imp_spec.ts";
import { assertVariantError, resolveExperiment } from "../fixtures/experiments.ts";

Deno.test("linearized-tickets.yaml: ticket, ticket-b and ticket-lin in every profile", () => {
  for (const profile of ["smoke", "quick", "paper"] as const) {
    const arms = IMP_SPEC.arms(resolveExperiment("linearized-tickets", profile));
    for (const arm of ["ticket", "ticket-b", "ticket-lin"]) assert.ok(arms.includes(arm), arm);
  }
});

Deno.test("linearized_ticket refuses convolutions and the stability control", () => {
  assertVariantError(
    "linearized-tickets",
    "  kind: mlp\n  layers: [784, 300, 100, 10]\n  activation: relu",
    "  layers:\n    - { conv: 4, kernel: 3 }\n    - relu\n    - { dense: 10 }",
    /controls\.linearized_ticket: the linearization is an MLP's, but model\.layers entry 1 is \{conv: 4, kernel: 3\}/,
  );
  assertVariantError(
    "linearized-tickets",
    "  linearized_ticket: true",
    "  linearized_ticket: true\n  stability: { rounds: [7], points: 3 }",
    /controls\.linearized_ticket: controls\.stability evaluates the real network/,
  );
});
