// batchnorm_apply: Y[r, b, c, s] = (X[r, b, c, s] - mean) * invstd * gamma + beta, then
//   max(., 0) with RELU (a ReLU of exactly 0 gives +0). TRAINING: (mean, invstd) = saved[r, c]
//   from batchnorm_stats; otherwise the running estimates: mean = rm, invstd =
//   1 / sqrt(rv + eps). AFFINE: gamma, beta from P; otherwise gamma = 1, beta = 0.
// Bindings: 0 uniform Params, 1 X (read, [runs, B, C, S]), 2 saved (read, vec2 [runs, C]; read
//   only when TRAINING), 3 state (read; rm at mean_off + r*s_run + c, rv at var_off + r*s_run + c;
//   read only when not TRAINING), 4 P (read; gamma at gamma_off + r*p_run + c, beta at
//   beta_off + r*p_run + c; read only when AFFINE), 5 Y (read_write, [runs, B, C, S]).
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), n = runs * B * C * S;
//   element i = x + y * 65535 * 256. Bounds: i >= n does nothing.

override TRAINING: bool = true;
override AFFINE: bool = true;
override RELU: bool = false;

struct Params {
  n: u32, B: u32, C: u32, S: u32,
  gamma_off: u32, beta_off: u32, p_run: u32, mean_off: u32,
  var_off: u32, s_run: u32, eps: f32, _pad0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> saved: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> state: array<f32>;
@group(0) @binding(4) var<storage, read> P: array<f32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  let plane = i / p.S;
  let c = plane % p.C;
  let r = plane / (p.B * p.C);
  var mean: f32;
  var invstd: f32;
  if (TRAINING) {
    let st = saved[r * p.C + c];
    mean = st.x;
    invstd = st.y;
  } else {
    mean = state[p.mean_off + r * p.s_run + c];
    invstd = inverseSqrt(state[p.var_off + r * p.s_run + c] + p.eps);
  }
  var y = (X[i] - mean) * invstd;
  if (AFFINE) {
    y = y * P[p.gamma_off + r * p.p_run + c] + P[p.beta_off + r * p.p_run + c];
  }
  if (RELU) {
    y = select(0.0, y, y > 0.0);
  }
  Y[i] = y;
}
