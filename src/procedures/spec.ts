/**
 * What a procedure declares besides its code: the fields of its `procedure` block, the shape of
 * `controls` under it, the arms and widths it produces (claims may select only those), its rules
 * across fields, and its figures. The schema reads these, so the harness has no case per procedure.
 */
import type { CrossRule, Field, ObjectDesc } from "../config/descriptors.ts";
import type { ExperimentConfig } from "../config/types.ts";
import type { DatasetName } from "../config/datasets.ts";

/**
 * accuracy / early-stop: vs weights remaining; width: accuracy vs hidden width; kappa: the
 * masks' overlap with the ticket's vs weights remaining.
 */
export type FigureKind = "accuracy" | "early-stop" | "width" | "kappa";

export interface ProcedureSpec {
  name: string;
  /** One line: what the procedure does. */
  doc: string;
  /** The fields of the `procedure` block besides `name`. */
  fields: Record<string, Field>;
  /** The shape of the experiment's `controls` block under this procedure. */
  controls: ObjectDesc;
  /** The arms (results.csv `arm`) a config produces. */
  arms(cfg: ExperimentConfig): string[];
  /** The hidden widths (results.csv `width`) a config produces. */
  widths(cfg: ExperimentConfig): number[];
  rules: CrossRule[];
  /**
   * Data sets the procedure reads besides the one it runs on (ticket-transfer: each target's
   * source), for a config with every data set of data.dataset or one narrowed to a single one;
   * the harness reads and checks them before anything is written, like data.dataset's.
   */
  otherDatasets?(cfg: ExperimentConfig): DatasetName[];
  /** The figures a config's results are drawn in. */
  figures(cfg: ExperimentConfig): FigureKind[];
}
