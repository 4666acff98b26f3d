/** The procedure registry: an experiment's `procedure.name` selects the code that runs it. */
import { runEdgePopup } from "./edge_popup.ts";
import { runElastic } from "./elastic.ts";
import { runImp } from "./imp.ts";
import { runMultiPrize } from "./multi_prize.ts";
import { runSupermask } from "./supermask.ts";
import { runTangentSpace } from "./tangent_space.ts";
import { runTicketTransfer } from "./ticket_transfer.ts";
import type { Procedure } from "./types.ts";

export const PROCEDURES: Record<string, Procedure> = {
  "imp": runImp,
  "edge-popup": runEdgePopup,
  "supermask": runSupermask,
  "multi-prize": runMultiPrize,
  "elastic": runElastic,
  "ticket-transfer": runTicketTransfer,
  "tangent-space": runTangentSpace,
};

export { PROCEDURE_SPECS } from "./specs.ts";
export type { Procedure, ProcedureContext } from "./types.ts";
