/**
 * Shapes shared by the pooling kernels: activations of S runs side by side are
 * [runs, batch, channels, height, width] contiguous f32 (NCHW per example; run r starts at
 * r * batch * channels * height * width), so a pooling kernel sees runs * batch * channels
 * planes of height * width values.
 */

export interface Pool2dShape {
  runs: number;
  batch: number;
  channels: number;
  height: number;
  width: number;
}

/** runs * batch * channels: the planes a pooling kernel walks. */
export function planeCount(shape: Pool2dShape): number {
  return shape.runs * shape.batch * shape.channels;
}

/** Output height and width of a K x K window with stride K, no padding: floor(H / K), floor(W / K). */
export function pooledSize(shape: Pool2dShape, window = 2): { height: number; width: number } {
  return { height: Math.floor(shape.height / window), width: Math.floor(shape.width / window) };
}

/** Throws a RangeError unless every named value is an integer >= 1 (and a u32). */
export function requireCounts(kernel: string, counts: Record<string, number>): void {
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
      throw new RangeError(`${kernel}: ${name} must be an integer >= 1, got ${value}`);
    }
  }
}

/** The shape's five counts, checked; the element count must also fit a u32 index. */
export function requirePool2dShape(kernel: string, shape: Pool2dShape): void {
  const { runs, batch, channels, height, width } = shape;
  requireCounts(kernel, { runs, batch, channels, height, width });
  const n = planeCount(shape) * height * width;
  if (n > 0xffffffff) throw new RangeError(`${kernel}: ${n} elements do not fit a u32 index`);
}
