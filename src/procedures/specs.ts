/** Every procedure's spec (fields, controls, arms, rules), in registry order; read by the schema. */
import { EDGE_POPUP_SPEC } from "./edge_popup_spec.ts";
import { ELASTIC_SPEC } from "./elastic_spec.ts";
import { IMP_SPEC } from "./imp_spec.ts";
import { MULTI_PRIZE_SPEC } from "./multi_prize_spec.ts";
import type { ProcedureSpec } from "./spec.ts";
import { SUPERMASK_SPEC } from "./supermask_spec.ts";
import { TANGENT_SPACE_SPEC } from "./tangent_space_spec.ts";
import { TICKET_TRANSFER_SPEC } from "./ticket_transfer_spec.ts";

export const PROCEDURE_SPECS: readonly ProcedureSpec[] = [
  IMP_SPEC,
  EDGE_POPUP_SPEC,
  SUPERMASK_SPEC,
  MULTI_PRIZE_SPEC,
  ELASTIC_SPEC,
  TICKET_TRANSFER_SPEC,
  TANGENT_SPACE_SPEC,
];
