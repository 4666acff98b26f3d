/** Workgroup counts for kernels that walk a flat array with 256 lanes per workgroup. */
export function flatWorkgroups(n: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / 256));
  return [Math.min(groups, 65535), Math.ceil(groups / 65535), 1];
}
