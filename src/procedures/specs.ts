/** Every procedure's spec (fields, controls, arms, rules), in registry order; read by the schema. */
import { IMP_SPEC } from "./imp_spec.ts";
import type { ProcedureSpec } from "./spec.ts";

export const PROCEDURE_SPECS: readonly ProcedureSpec[] = [IMP_SPEC];
