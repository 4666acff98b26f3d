// matmul: C[r](m,n) = post( sum_k A[r](m,k) * B[r](k,n) * (MASK_B ? MB[r](k,n) : 1) ),
//   post(x) = x (+ bias[r][n] if BIAS) -> max(x, 0) if RELU -> (* MC[r](m,n) if MASK_C)
//   -> (+ C's old value if ACCUMULATE: C += A.B, a linearized layer's second tangent product).
//   Operand X(i,j) means X[x_off + r*x_run + i*x_s0 + j*x_s1], so one kernel serves
//   y = x.W^T (+b), dX = dY.(W*M) and dW = (dY^T.X)*M through strides alone.
// Bindings: 0 uniform Params, 1 A (read), 2 B (read), 3 MB (read, B's layout),
//   4 bias (read), 5 MC (read, C's layout), 6 C (read_write). Unused ones may be any buffer.
// Dispatch: (ceil(N / (WG*8)), ceil(M / 16), runs). Invocation (lane l, group g) owns
//   rows g.y*16 + [0, 16) and columns g.x*WG*8 + j*WG + l, j in [0, 8). Rows come from
//   the workgroup id, so every A load is uniform across lanes (one scalar load, broadcast);
//   adjacent lanes read adjacent columns. The register tile is written out as named vec4
//   accumulators: CPU adapters (llvmpipe) keep named values in registers but spill indexed
//   arrays to memory, and a tall tile amortises each per-lane B load over 16 rows.
// Bounds: loads clamp to the last valid row/column, stores are skipped outside [0,M)x[0,N).
// Each output sums k in increasing order in one invocation: results do not depend on WG.

override WG: u32 = 8u;
override MASK_B: bool = false;
override BIAS: bool = false;
override RELU: bool = false;
override MASK_C: bool = false;
override ACCUMULATE: bool = false;

struct Params {
  M: u32, N: u32, K: u32, runs: u32,
  a_off: u32, a_sm: u32, a_sk: u32, a_run: u32,
  b_off: u32, b_sk: u32, b_sn: u32, b_run: u32,
  c_off: u32, c_sm: u32, c_sn: u32, c_run: u32,
  bias_off: u32, bias_run: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> MB: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> MC: array<f32>;
@group(0) @binding(6) var<storage, read_write> C: array<f32>;

fn store_one(r: u32, m: u32, n: u32, value: f32) {
  if (n >= p.N) {
    return;
  }
  var v = value;
  if (BIAS) {
    v += bias[p.bias_off + r * p.bias_run + n];
  }
  if (RELU) {
    v = max(v, 0.0);
  }
  let c_index = p.c_off + r * p.c_run + m * p.c_sm + n * p.c_sn;
  if (MASK_C) {
    v *= MC[c_index];
  }
  if (ACCUMULATE) {
    v += C[c_index];
  }
  C[c_index] = v;
}

fn store_row(r: u32, m: u32, col0: u32, q0: vec4<f32>, q1: vec4<f32>) {
  if (m >= p.M) {
    return;
  }
  let tile = array<vec4<f32>, 2>(q0, q1);
  for (var j = 0u; j < 8u; j++) {
    store_one(r, m, col0 + j * WG, tile[j / 4u][j % 4u]);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let r = g.z;
  let row0 = g.y * 16u;
  let col0 = g.x * WG * 8u + lane;
  let a_base = p.a_off + r * p.a_run;
  let b_base = p.b_off + r * p.b_run;
  let a_row0 = a_base + min(row0 + 0u, p.M - 1u) * p.a_sm;
  let a_row1 = a_base + min(row0 + 1u, p.M - 1u) * p.a_sm;
  let a_row2 = a_base + min(row0 + 2u, p.M - 1u) * p.a_sm;
  let a_row3 = a_base + min(row0 + 3u, p.M - 1u) * p.a_sm;
  let a_row4 = a_base + min(row0 + 4u, p.M - 1u) * p.a_sm;
  let a_row5 = a_base + min(row0 + 5u, p.M - 1u) * p.a_sm;
  let a_row6 = a_base + min(row0 + 6u, p.M - 1u) * p.a_sm;
  let a_row7 = a_base + min(row0 + 7u, p.M - 1u) * p.a_sm;
  let a_row8 = a_base + min(row0 + 8u, p.M - 1u) * p.a_sm;
  let a_row9 = a_base + min(row0 + 9u, p.M - 1u) * p.a_sm;
  let a_row10 = a_base + min(row0 + 10u, p.M - 1u) * p.a_sm;
  let a_row11 = a_base + min(row0 + 11u, p.M - 1u) * p.a_sm;
  let a_row12 = a_base + min(row0 + 12u, p.M - 1u) * p.a_sm;
  let a_row13 = a_base + min(row0 + 13u, p.M - 1u) * p.a_sm;
  let a_row14 = a_base + min(row0 + 14u, p.M - 1u) * p.a_sm;
  let a_row15 = a_base + min(row0 + 15u, p.M - 1u) * p.a_sm;
  var b_col: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) {
    b_col[j] = b_base + min(col0 + j * WG, p.N - 1u) * p.b_sn;
  }
  var acc0_0 = vec4<f32>(0.0);
  var acc0_1 = vec4<f32>(0.0);
  var acc1_0 = vec4<f32>(0.0);
  var acc1_1 = vec4<f32>(0.0);
  var acc2_0 = vec4<f32>(0.0);
  var acc2_1 = vec4<f32>(0.0);
  var acc3_0 = vec4<f32>(0.0);
  var acc3_1 = vec4<f32>(0.0);
  var acc4_0 = vec4<f32>(0.0);
  var acc4_1 = vec4<f32>(0.0);
  var acc5_0 = vec4<f32>(0.0);
  var acc5_1 = vec4<f32>(0.0);
  var acc6_0 = vec4<f32>(0.0);
  var acc6_1 = vec4<f32>(0.0);
  var acc7_0 = vec4<f32>(0.0);
  var acc7_1 = vec4<f32>(0.0);
  var acc8_0 = vec4<f32>(0.0);
  var acc8_1 = vec4<f32>(0.0);
  var acc9_0 = vec4<f32>(0.0);
  var acc9_1 = vec4<f32>(0.0);
  var acc10_0 = vec4<f32>(0.0);
  var acc10_1 = vec4<f32>(0.0);
  var acc11_0 = vec4<f32>(0.0);
  var acc11_1 = vec4<f32>(0.0);
  var acc12_0 = vec4<f32>(0.0);
  var acc12_1 = vec4<f32>(0.0);
  var acc13_0 = vec4<f32>(0.0);
  var acc13_1 = vec4<f32>(0.0);
  var acc14_0 = vec4<f32>(0.0);
  var acc14_1 = vec4<f32>(0.0);
  var acc15_0 = vec4<f32>(0.0);
  var acc15_1 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let ka = k * p.a_sk;
    let kb = k * p.b_sk;
    let a0 = vec4<f32>(A[a_row0 + ka]);
    let a1 = vec4<f32>(A[a_row1 + ka]);
    let a2 = vec4<f32>(A[a_row2 + ka]);
    let a3 = vec4<f32>(A[a_row3 + ka]);
    let a4 = vec4<f32>(A[a_row4 + ka]);
    let a5 = vec4<f32>(A[a_row5 + ka]);
    let a6 = vec4<f32>(A[a_row6 + ka]);
    let a7 = vec4<f32>(A[a_row7 + ka]);
    let a8 = vec4<f32>(A[a_row8 + ka]);
    let a9 = vec4<f32>(A[a_row9 + ka]);
    let a10 = vec4<f32>(A[a_row10 + ka]);
    let a11 = vec4<f32>(A[a_row11 + ka]);
    let a12 = vec4<f32>(A[a_row12 + ka]);
    let a13 = vec4<f32>(A[a_row13 + ka]);
    let a14 = vec4<f32>(A[a_row14 + ka]);
    let a15 = vec4<f32>(A[a_row15 + ka]);
    var b0 = vec4<f32>(B[b_col[0] + kb], B[b_col[1] + kb], B[b_col[2] + kb], B[b_col[3] + kb]);
    var b1 = vec4<f32>(B[b_col[4] + kb], B[b_col[5] + kb], B[b_col[6] + kb], B[b_col[7] + kb]);
    if (MASK_B) {
      b0 *= vec4<f32>(MB[b_col[0] + kb], MB[b_col[1] + kb], MB[b_col[2] + kb], MB[b_col[3] + kb]);
      b1 *= vec4<f32>(MB[b_col[4] + kb], MB[b_col[5] + kb], MB[b_col[6] + kb], MB[b_col[7] + kb]);
    }
    acc0_0 = fma(a0, b0, acc0_0);
    acc0_1 = fma(a0, b1, acc0_1);
    acc1_0 = fma(a1, b0, acc1_0);
    acc1_1 = fma(a1, b1, acc1_1);
    acc2_0 = fma(a2, b0, acc2_0);
    acc2_1 = fma(a2, b1, acc2_1);
    acc3_0 = fma(a3, b0, acc3_0);
    acc3_1 = fma(a3, b1, acc3_1);
    acc4_0 = fma(a4, b0, acc4_0);
    acc4_1 = fma(a4, b1, acc4_1);
    acc5_0 = fma(a5, b0, acc5_0);
    acc5_1 = fma(a5, b1, acc5_1);
    acc6_0 = fma(a6, b0, acc6_0);
    acc6_1 = fma(a6, b1, acc6_1);
    acc7_0 = fma(a7, b0, acc7_0);
    acc7_1 = fma(a7, b1, acc7_1);
    acc8_0 = fma(a8, b0, acc8_0);
    acc8_1 = fma(a8, b1, acc8_1);
    acc9_0 = fma(a9, b0, acc9_0);
    acc9_1 = fma(a9, b1, acc9_1);
    acc10_0 = fma(a10, b0, acc10_0);
    acc10_1 = fma(a10, b1, acc10_1);
    acc11_0 = fma(a11, b0, acc11_0);
    acc11_1 = fma(a11, b1, acc11_1);
    acc12_0 = fma(a12, b0, acc12_0);
    acc12_1 = fma(a12, b1, acc12_1);
    acc13_0 = fma(a13, b0, acc13_0);
    acc13_1 = fma(a13, b1, acc13_1);
    acc14_0 = fma(a14, b0, acc14_0);
    acc14_1 = fma(a14, b1, acc14_1);
    acc15_0 = fma(a15, b0, acc15_0);
    acc15_1 = fma(a15, b1, acc15_1);
  }
  store_row(r, row0 + 0u, col0, acc0_0, acc0_1);
  store_row(r, row0 + 1u, col0, acc1_0, acc1_1);
  store_row(r, row0 + 2u, col0, acc2_0, acc2_1);
  store_row(r, row0 + 3u, col0, acc3_0, acc3_1);
  store_row(r, row0 + 4u, col0, acc4_0, acc4_1);
  store_row(r, row0 + 5u, col0, acc5_0, acc5_1);
  store_row(r, row0 + 6u, col0, acc6_0, acc6_1);
  store_row(r, row0 + 7u, col0, acc7_0, acc7_1);
  store_row(r, row0 + 8u, col0, acc8_0, acc8_1);
  store_row(r, row0 + 9u, col0, acc9_0, acc9_1);
  store_row(r, row0 + 10u, col0, acc10_0, acc10_1);
  store_row(r, row0 + 11u, col0, acc11_0, acc11_1);
  store_row(r, row0 + 12u, col0, acc12_0, acc12_1);
  store_row(r, row0 + 13u, col0, acc13_0, acc13_1);
  store_row(r, row0 + 14u, col0, acc14_0, acc14_1);
  store_row(r, row0 + 15u, col0, acc15_0, acc15_1);
}
