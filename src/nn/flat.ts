/** Workgroup counts for kernels that walk a flat array with 256 lanes per workgroup. */
export function flatWorkgroups(n: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / 256));
  return [Math.min(groups, 65535), Math.ceil(groups / 65535), 1];
}

/**
 * Workgroups for an optimizer kernel that updates one vec4 (4 consecutive entries) per lane;
 * n must be a multiple of 4 (mlpLayout pads every run's parameter vector to one).
 */
export function vec4Workgroups(kernel: string, n: number): [number, number, number] {
  if (n % 4 !== 0) {
    throw new RangeError(
      `${kernel} updates vec4s: n must be a multiple of 4, got ${n}; pad the parameter vector`,
    );
  }
  return flatWorkgroups(n / 4);
}
