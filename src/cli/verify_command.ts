/**
 * `verify <results folder> [--digests]`: exit 0 when the folder is consistent, 1 with one line per
 * mismatch (harness/verify.ts), 2 for a folder that is not a results folder. --digests also
 * prints "<sha256>  <path>" for results.csv and every checkpoint (io/digest.ts).
 */
import { UsageError } from "../base/errors.ts";
import { verifyResults } from "../harness/verify.ts";
import { digestListing, resultsDigest } from "../io/digest.ts";
import { userPath } from "./user_cwd.ts";

export function verifyCommand(args: string[]): Promise<number> {
  const digests = args.includes("--digests");
  const folders = args.filter((arg) => arg !== "--digests");
  if (folders.length !== 1 || folders[0].startsWith("-")) {
    throw new UsageError(
      `verify takes one results folder and optionally --digests, got ${
        JSON.stringify(args)
      }; pass the folder reproduce wrote, e.g. results/weak-lth/smoke-<hash>/`,
    );
  }
  const directory = userPath(folders[0]);
  const problems = verifyResults(directory);
  for (const line of problems) console.log(`mismatch: ${line}`);
  if (problems.length === 0) console.log(`verified: ${folders[0]} is consistent`);
  if (digests) {
    for (const { path, sha256 } of digestListing(directory)) console.log(`${sha256}  ${path}`);
    console.log(`${resultsDigest(directory)}  (results digest)`);
  }
  return Promise.resolve(problems.length === 0 ? 0 : 1);
}
