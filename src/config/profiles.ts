/**
 * The profiles every experiment file defines, and the one the command line runs when none is
 * named. A profile is a set of overrides deep-merged over the experiment's base config: smoke
 * (CI-size), quick (a CPU in minutes), paper (the paper's protocol).
 */

/** In the order the file format lists them and messages name them. */
export const PROFILE_NAMES = ["smoke", "quick", "paper"] as const;

export type ProfileName = typeof PROFILE_NAMES[number];

/** What `reproduce` runs without `--profile`: results in minutes, not the paper's hours. */
export const DEFAULT_PROFILE: ProfileName = "quick";
