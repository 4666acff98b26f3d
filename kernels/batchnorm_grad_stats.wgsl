// batchnorm_grad_stats (training backward, first half): for each run r and channel c, over its
//   N = B * S values, with xhat = (x - mean) * invstd from saved[r, c]:
//   sums[r, c] = (sum dy, sum dy * xhat); with AFFINE also dbeta = sum dy and dgamma =
//   sum dy * xhat, written (not added) into G at the parameters' offsets. dy is the gradient
//   w.r.t. the batch norm's output (a fused ReLU's backward already applied). Each sum: lane l
//   of 256 adds elements j = l, l + 256, ... (j = b * S + s) in increasing j, then a fixed-shape
//   tree over the lanes in workgroup memory; no atomics.
// Bindings: 0 uniform Params, 1 X (read, [runs, B, C, S]), 2 dY (read, [runs, B, C, S]),
//   3 saved (read, vec2 [runs, C]: mean, invstd), 4 sums (read_write, vec2 [runs, C]),
//   5 G (read_write; dgamma at gamma_off + r*p_run + c, dbeta at beta_off + r*p_run + c;
//   written only when AFFINE).
// Dispatch: (C, 1, runs); workgroup (c, r), 256 lanes. Bounds: none needed (one workgroup
//   per (c, r); lanes past N add nothing).

override AFFINE: bool = true;

const LANES = 256u;

struct Params {
  B: u32, C: u32, S: u32, N: u32,
  gamma_off: u32, beta_off: u32, p_run: u32, _pad0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read> saved: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> sums: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> G: array<f32>;

var<workgroup> part: array<vec2<f32>, LANES>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid.x;
  let c = wid.x;
  let r = wid.z;
  let st = saved[r * p.C + c];

  var acc = vec2<f32>(0.0, 0.0);
  for (var j = lane; j < p.N; j += LANES) {
    let b = j / p.S;
    let i = ((r * p.B + b) * p.C + c) * p.S + (j - b * p.S);
    let dy = dY[i];
    acc += vec2<f32>(dy, dy * ((X[i] - st.x) * st.y));
  }
  part[lane] = acc;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      part[lane] += part[lane + stride];
    }
    workgroupBarrier();
  }

  if (lane == 0u) {
    let total = part[0];
    sums[r * p.C + c] = total;
    if (AFFINE) {
      G[p.gamma_off + r * p.p_run + c] = total.y;
      G[p.beta_off + r * p.p_run + c] = total.x;
    }
  }
}
