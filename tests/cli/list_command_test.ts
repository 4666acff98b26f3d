import assert from "node:assert/strict";
import { listLines } from "../../src/cli/list_command.ts";
import type { ExperimentSummary } from "../../src/harness/experiments.ts";
import type { ResultsFolder } from "../../src/harness/results_index.ts";

const experiment = (id: string): ExperimentSummary => ({
  id,
  path: `${id}.yaml`,
  hypothesis: "weak-lth",
  claim: "",
  claims: [],
  profiles: [],
});

const folder = (name: string, extra: Partial<ResultsFolder>): ResultsFolder => ({
  experiment: name,
  profile: "quick",
  hash: "0123456789ab",
  directory: `results/${name}/quick-0123456789ab`,
  status: "complete",
  ...extra,
});

Deno.test("listLines: experiments with their folders, then folders of unknown experiments", () => {
  const lines = listLines(
    [experiment("weak-lth"), experiment("elastic")],
    [
      folder("weak-lth", { verdicts: { PASS: 2, FAIL: 1, INCONCLUSIVE: 0 } }),
      folder("old-name", { status: "running" }),
    ],
    "results",
  );
  assert.deepEqual(lines, [
    "experiments, and their results folders below results:",
    "  weak-lth (weak-lth)",
    "    quick-0123456789ab  complete  2 PASS, 1 FAIL  results/weak-lth/quick-0123456789ab",
    "  elastic (weak-lth): no results",
    "results of experiments not in the experiments folder:",
    "  old-name",
    "    quick-0123456789ab  running  no verdicts yet  results/old-name/quick-0123456789ab",
  ]);
});
