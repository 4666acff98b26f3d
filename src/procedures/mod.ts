/** The procedure registry: an experiment's `procedure.name` selects the code that runs it. */
import { runImp } from "./imp.ts";
import type { Procedure } from "./types.ts";

export const PROCEDURES: Record<string, Procedure> = {
  imp: runImp,
};

export type { Procedure, ProcedureContext } from "./types.ts";
