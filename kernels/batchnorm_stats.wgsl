// batchnorm_stats (training): for each run r and channel c, over its N = B * S values
//   x[r, b, c, s]: mean = sum x / N; var = sum (x - mean)^2 / N (biased, second pass, for
//   accuracy); saved[r, c] = (mean, 1 / sqrt(var + eps)); running stats updated in place:
//   rm = (1 - m) * rm + m * mean, rv = (1 - m) * rv + m * sum (x - mean)^2 / (N - 1) (unbiased).
//   Each sum: lane l of 256 adds elements j = l, l + 256, ... (j = b * S + s) in increasing j,
//   then a fixed-shape tree over the lanes in workgroup memory; no atomics, so the bits depend
//   on neither the dispatch nor the number of runs. The wrapper requires N >= 2.
// Bindings: 0 uniform Params, 1 X (read, [runs, B, C, S]), 2 saved (read_write, vec2
//   [runs, C]), 3 state (read_write; rm at mean_off + r*s_run + c, rv at var_off + r*s_run + c).
// Dispatch: (C, 1, runs); workgroup (c, r), 256 lanes. Bounds: none needed (one workgroup
//   per (c, r); lanes past N add nothing).

const LANES = 256u;

struct Params {
  B: u32, C: u32, S: u32, N: u32,
  mean_off: u32, var_off: u32, s_run: u32, _pad0: u32,
  eps: f32, momentum: f32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> saved: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> state: array<f32>;

var<workgroup> part: array<f32, LANES>;

/** Element j = b * S + s of channel c in run r. */
fn at(r: u32, c: u32, j: u32) -> u32 {
  let b = j / p.S;
  return ((r * p.B + b) * p.C + c) * p.S + (j - b * p.S);
}

/** Sums part[0..LANES) into part[0] in a fixed tree; every lane must call it. */
fn tree(lane: u32) {
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      part[lane] += part[lane + stride];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid.x;
  let c = wid.x;
  let r = wid.z;
  let n = f32(p.N);

  var sum = 0.0;
  for (var j = lane; j < p.N; j += LANES) {
    sum += X[at(r, c, j)];
  }
  part[lane] = sum;
  tree(lane);
  let mean = part[0] / n;
  workgroupBarrier();

  var squares = 0.0;
  for (var j = lane; j < p.N; j += LANES) {
    let d = X[at(r, c, j)] - mean;
    squares += d * d;
  }
  part[lane] = squares;
  tree(lane);

  if (lane == 0u) {
    let total = part[0];
    saved[r * p.C + c] = vec2<f32>(mean, inverseSqrt(total / n + p.eps));
    let m = p.momentum;
    let rm = p.mean_off + r * p.s_run + c;
    let rv = p.var_off + r * p.s_run + c;
    state[rm] = (1.0 - m) * state[rm] + m * mean;
    state[rv] = (1.0 - m) * state[rv] + m * (total / (n - 1.0));
  }
}
