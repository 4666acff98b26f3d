/**
 * `report <results folder>`: rewrite summary.json, report.md and the figures from results.csv
 * and config.json (harness/rerender.ts). Exit codes as `reproduce`: 0 every claim PASS, 1 a claim
 * FAIL or INCONCLUSIVE, 2 a usage error such as a folder that is not a results folder.
 */
import { UsageError } from "../base/errors.ts";
import { rerender } from "../harness/rerender.ts";
import { userPath } from "./user_cwd.ts";

export async function reportCommand(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith("-")) {
    throw new UsageError(
      `report takes one results folder, got ${JSON.stringify(args)}; pass the folder ` +
        `reproduce wrote, e.g. results/weak-lth/smoke-<hash>/`,
    );
  }
  const { claims, changes } = await rerender(userPath(args[0]));
  if (changes.length === 0) console.log("claims unchanged from the recorded summary.json");
  for (const line of changes) console.log(`changed: ${line}`);
  for (const claim of claims) console.log(`${claim.verdict} ${claim.id}`);
  return claims.every((claim) => claim.verdict === "PASS") ? 0 : 1;
}
