/**
 * Splits runs into groups that one trainer can hold: every per-run buffer of a group (parameters,
 * masks, moments, scores, activations) is one storage binding of runs * floatsPerRun floats (the
 * largest per-run buffer, train/trainer_options.ts), which must stay within
 * the device's maxStorageBufferBindingSize.
 */
export function runGroups<T>(runs: T[], floatsPerRun: number, bindingLimitBytes: number): T[][] {
  const perGroup = Math.floor(bindingLimitBytes / (4 * floatsPerRun));
  if (perGroup < 1) {
    throw new RangeError(
      `one run needs ${
        4 * floatsPerRun
      } bytes per buffer, more than the device's storage binding limit of ${bindingLimitBytes}; use a narrower network`,
    );
  }
  const groups: T[][] = [];
  for (let i = 0; i < runs.length; i += perGroup) groups.push(runs.slice(i, i + perGroup));
  return groups;
}
