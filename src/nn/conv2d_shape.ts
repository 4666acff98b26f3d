/**
 * The shape shared by the three 2-D convolution kernels (kernels/conv2d*.wgsl): NCHW activations
 * of S runs side by side, square kernels, one stride and one zero padding for both axes, and the
 * uniform block and workgroup grid the three wrappers share.
 */
import { type BufferPool, type Gpu, packParams } from "../gpu/mod.ts";
import { matmulLanes } from "./matmul.ts";

/**
 * x is [runs, batch, inChannels, height, width] (run r at r*batch*C*H*W), W of each run is
 * [outChannels, inChannels, kernel, kernel] (PyTorch's layout), y is [runs, batch, outChannels,
 * outHeight, outWidth] with the sizes of `conv2dOutputSize`.
 */
export interface Conv2dShape {
  runs: number;
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
}

/** floor((size + 2*padding - kernel) / stride) + 1; a RangeError when that is below 1. */
export function conv2dOutputSize(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
): number {
  const out = Math.floor((size + 2 * padding - kernel) / stride) + 1;
  if (!(out >= 1)) {
    throw new RangeError(
      `conv2d output size floor((size ${size} + 2*padding ${padding} - kernel ${kernel}) / stride ${stride}) + 1 = ${out} is below 1`,
    );
  }
  return out;
}

/** The shape with its output size, checked: every size a positive integer, padding >= 0. */
export interface Conv2dGeometry extends Conv2dShape {
  outHeight: number;
  outWidth: number;
  /** Elements per run: batch*C*H*W and batch*O*OH*OW. */
  inputsPerRun: number;
  outputsPerRun: number;
  /** Weights per run: O*C*k*k. */
  weightsPerRun: number;
}

export function conv2dGeometry(shape: Conv2dShape): Conv2dGeometry {
  const positive = ["runs", "batch", "inChannels", "height", "width", "outChannels", "kernel"];
  for (const name of [...positive, "stride"] as const) {
    const value = shape[name as keyof Conv2dShape];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`conv2d ${name} must be a positive integer, got ${value}`);
    }
  }
  if (!Number.isInteger(shape.padding) || shape.padding < 0) {
    throw new RangeError(`conv2d padding must be an integer >= 0, got ${shape.padding}`);
  }
  const { batch, inChannels, height, width, outChannels, kernel, stride, padding } = shape;
  const outHeight = conv2dOutputSize(height, kernel, stride, padding);
  const outWidth = conv2dOutputSize(width, kernel, stride, padding);
  return {
    ...shape,
    outHeight,
    outWidth,
    inputsPerRun: batch * inChannels * height * width,
    outputsPerRun: batch * outChannels * outHeight * outWidth,
    weightsPerRun: outChannels * inChannels * kernel * kernel,
  };
}

/**
 * The register tile of the three kernels' specialisation: WG lanes per workgroup, each lane
 * computing `rows` GEMM rows by 4*`vec` columns (kernels/conv2d.wgsl, the tile note).
 */
export interface Conv2dTile {
  lanes: number;
  rows: 8 | 16 | 32;
  vec: 1 | 2 | 4;
}

/**
 * On a CPU adapter (8 lanes, one SIMD row) every load inside a loop costs one scalar load per
 * lane, whatever its address, so the tile is as large as pays: 32 rows x 16 columns per lane
 * (16 rows when the GEMM has at most 16). On a discrete GPU (64 lanes) loads broadcast or
 * coalesce and registers are few: 16 x 4 per lane when the columns are pixels (forward, input
 * gradient), 8 x 4 when they are weights (the weight gradient, whose GEMM is small, O x C*k*k,
 * and needs many invocations).
 */
export function conv2dTile(
  gpu: Gpu,
  gemmRows: number,
  columns: "pixels" | "weights",
): Conv2dTile {
  const lanes = matmulLanes(gpu);
  if (lanes === 8) return { lanes, rows: gemmRows <= 16 ? 16 : 32, vec: 4 };
  return { lanes, rows: columns === "weights" ? 8 : 16, vec: 1 };
}

/** Test hook: fewer workgroups along x than the device allows, so the grid continues in y. */
export interface Conv2dOptions {
  maxWorkgroupsX?: number;
  /**
   * Test and bench hook of the weight gradient: examples per slice of the batch instead of
   * conv2dWeightGradSlice(shape) (the batch: one pass, no reduction).
   */
  batchPerSlice?: number;
}

/**
 * Where the weights of run r live in the flat parameter buffer, [O, C, k, k] at
 * weightOffset + r*paramsPerRun; the mask and gradient buffers share that layout.
 */
export interface Conv2dParamsLayout {
  paramsPerRun: number;
  weightOffset: number;
}

export interface Conv2dGrid {
  /** GEMM columns and the tiles along each GEMM dimension. */
  cols: number;
  colTiles: number;
  rowTiles: number;
  /** Workgroups along x; column tile t runs at x = t % groupsX, y block t / groupsX. */
  groupsX: number;
  workgroups: [number, number, number];
}

/**
 * The workgroup grid of a kernel with `rows` GEMM rows (tiles of tile.rows, along y) and `cols`
 * GEMM columns (tiles of lanes*4*vec, along x) for each run (along z): column tiles beyond the
 * device's limit per dimension (65535) continue in further blocks of y.
 */
export function conv2dGrid(
  gpu: Gpu,
  tile: Conv2dTile,
  rows: number,
  cols: number,
  runs: number,
  options: Conv2dOptions = {},
): Conv2dGrid {
  const limit = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const colTiles = Math.ceil(cols / (tile.lanes * 4 * tile.vec));
  const rowTiles = Math.ceil(rows / tile.rows);
  const groupsX = Math.min(colTiles, options.maxWorkgroupsX ?? limit, limit);
  const blocks = Math.ceil(colTiles / groupsX);
  if (rowTiles * blocks > limit || runs > limit) {
    throw new RangeError(
      `conv2d grid of ${rowTiles} row tiles x ${colTiles} column tiles x ${runs} runs exceeds ${limit} workgroups per dimension`,
    );
  }
  return { cols, colTiles, rowTiles, groupsX, workgroups: [groupsX, rowTiles * blocks, runs] };
}

/**
 * The uniform block of kernels/conv2d*.wgsl (struct Params, the same in all three); the weight
 * gradient reads its batch slice length from the last word (the others ignore it).
 */
export function conv2dUniform(
  pool: BufferPool,
  label: string,
  g: Conv2dGeometry,
  layout: Conv2dParamsLayout & { biasOffset?: number },
  grid: Conv2dGrid,
  batchPerSplit = g.batch,
): GPUBuffer {
  return pool.uniform(
    label,
    packParams([
      ["u32", g.batch],
      ["u32", g.inChannels],
      ["u32", g.height],
      ["u32", g.width],
      ["u32", g.outChannels],
      ["u32", g.outHeight],
      ["u32", g.outWidth],
      ["u32", g.kernel],
      ["u32", g.stride],
      ["u32", g.padding],
      ["u32", g.inputsPerRun],
      ["u32", g.outputsPerRun],
      ["u32", layout.weightOffset],
      ["u32", layout.paramsPerRun],
      ["u32", layout.biasOffset ?? 0],
      ["u32", grid.cols],
      ["u32", grid.colTiles],
      ["u32", grid.rowTiles],
      ["u32", grid.groupsX],
      ["u32", batchPerSplit],
    ]),
  );
}
