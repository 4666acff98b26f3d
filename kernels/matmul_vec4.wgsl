// matmul_vec4: the same product as matmul.wgsl, C[r](m,n) = post( sum_k A[r](m,k) * B[r](k,n) ),
//   post = (+ bias[r][n] if BIAS) -> max(., 0) if RELU -> (* MC[r](m,n) if MASK_C) -> (+ C's old
//   value if ACCUMULATE), for operands
//   whose contiguous dimensions allow vec4 loads. FORM picks the layout (strides as in matmul.wgsl):
//   0 "dot":   A k-contiguous, B k-contiguous (y = x.W^T): acc += dot(A(m,k..k+3), B(k..k+3,n));
//   1 "mixed": A k-contiguous, B n-contiguous (dX = dY.W, C = A.B): 4 k per A load;
//   2 "outer": A m-contiguous, B n-contiguous (dW = dY^T.X): rank-1 updates with vec4 on both.
//   Requires: the vec4 dimensions (k for dot; k and n for mixed; m and n for outer) multiples of 4,
//   and every offset and stride along them multiples of 4 (the wrapper checks, else matmul.wgsl).
// Bindings: 0 uniform Params, 1 A4 (read, vec4 view of A), 2 B4 (read, vec4 view of B),
//   3 bias (read), 4 MC (read, C's layout), 5 C (read_write).
// Dispatch: (ceil(N / (WG*8)), ceil(M / 16), runs). Invocation (lane l, group g) owns rows
//   g.y*16 + [0, 16) (from the workgroup id, so A loads are uniform across lanes) and 8 columns:
//   dot: g.x*WG*8 + j*WG + l, j in [0, 8); mixed/outer: 4*(g.x*WG*2 + q*WG + l) + [0, 4), q in {0,1}.
//   The 16x8 tile is written out as named vec4 values: CPU adapters (llvmpipe) keep those in
//   registers, and vec4 loads cut the load count per FMA by 4 against matmul.wgsl.
// Bounds: loads clamp to the last valid row/column (group), stores skip outside [0,M)x[0,N).
// Each output sums k in increasing order within one invocation (dot sums 4 k at a time):
//   results do not depend on WG or on the number of runs.

override WG: u32 = 8u;
override FORM: u32 = 0u;
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
@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> MC: array<f32>;
@group(0) @binding(5) var<storage, read_write> C: array<f32>;

fn store(r: u32, m: u32, n: u32, value: f32) {
  if (m >= p.M || n >= p.N) {
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

fn store4(r: u32, m: u32, n0: u32, v: vec4<f32>) {
  store(r, m, n0, v.x);
  store(r, m, n0 + 1u, v.y);
  store(r, m, n0 + 2u, v.z);
  store(r, m, n0 + 3u, v.w);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let r = g.z;
  let row0 = g.y * 16u;
  let a_base = p.a_off + r * p.a_run;
  let b_base = p.b_off + r * p.b_run;
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
  if (FORM == 0u) {
    // Column j of this lane: n = g.x*WG*8 + j*WG + lane; A rows and B columns are k-contiguous.
    let col0 = g.x * WG * 8u + lane;
    let a_row0 = (a_base + min(row0 + 0u, p.M - 1u) * p.a_sm) / 4u;
    let a_row1 = (a_base + min(row0 + 1u, p.M - 1u) * p.a_sm) / 4u;
    let a_row2 = (a_base + min(row0 + 2u, p.M - 1u) * p.a_sm) / 4u;
    let a_row3 = (a_base + min(row0 + 3u, p.M - 1u) * p.a_sm) / 4u;
    let a_row4 = (a_base + min(row0 + 4u, p.M - 1u) * p.a_sm) / 4u;
    let a_row5 = (a_base + min(row0 + 5u, p.M - 1u) * p.a_sm) / 4u;
    let a_row6 = (a_base + min(row0 + 6u, p.M - 1u) * p.a_sm) / 4u;
    let a_row7 = (a_base + min(row0 + 7u, p.M - 1u) * p.a_sm) / 4u;
    let a_row8 = (a_base + min(row0 + 8u, p.M - 1u) * p.a_sm) / 4u;
    let a_row9 = (a_base + min(row0 + 9u, p.M - 1u) * p.a_sm) / 4u;
    let a_row10 = (a_base + min(row0 + 10u, p.M - 1u) * p.a_sm) / 4u;
    let a_row11 = (a_base + min(row0 + 11u, p.M - 1u) * p.a_sm) / 4u;
    let a_row12 = (a_base + min(row0 + 12u, p.M - 1u) * p.a_sm) / 4u;
    let a_row13 = (a_base + min(row0 + 13u, p.M - 1u) * p.a_sm) / 4u;
    let a_row14 = (a_base + min(row0 + 14u, p.M - 1u) * p.a_sm) / 4u;
    let a_row15 = (a_base + min(row0 + 15u, p.M - 1u) * p.a_sm) / 4u;
    let b_col0 = (b_base + min(col0 + 0u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col1 = (b_base + min(col0 + 1u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col2 = (b_base + min(col0 + 2u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col3 = (b_base + min(col0 + 3u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col4 = (b_base + min(col0 + 4u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col5 = (b_base + min(col0 + 5u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col6 = (b_base + min(col0 + 6u * WG, p.N - 1u) * p.b_sn) / 4u;
    let b_col7 = (b_base + min(col0 + 7u * WG, p.N - 1u) * p.b_sn) / 4u;
    for (var k4 = 0u; k4 < p.K / 4u; k4++) {
      let b0 = B4[b_col0 + k4];
      let b1 = B4[b_col1 + k4];
      let b2 = B4[b_col2 + k4];
      let b3 = B4[b_col3 + k4];
      let b4 = B4[b_col4 + k4];
      let b5 = B4[b_col5 + k4];
      let b6 = B4[b_col6 + k4];
      let b7 = B4[b_col7 + k4];
      let a0 = A4[a_row0 + k4];
      acc0_0 += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
      acc0_1 += vec4<f32>(dot(a0, b4), dot(a0, b5), dot(a0, b6), dot(a0, b7));
      let a1 = A4[a_row1 + k4];
      acc1_0 += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
      acc1_1 += vec4<f32>(dot(a1, b4), dot(a1, b5), dot(a1, b6), dot(a1, b7));
      let a2 = A4[a_row2 + k4];
      acc2_0 += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
      acc2_1 += vec4<f32>(dot(a2, b4), dot(a2, b5), dot(a2, b6), dot(a2, b7));
      let a3 = A4[a_row3 + k4];
      acc3_0 += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
      acc3_1 += vec4<f32>(dot(a3, b4), dot(a3, b5), dot(a3, b6), dot(a3, b7));
      let a4 = A4[a_row4 + k4];
      acc4_0 += vec4<f32>(dot(a4, b0), dot(a4, b1), dot(a4, b2), dot(a4, b3));
      acc4_1 += vec4<f32>(dot(a4, b4), dot(a4, b5), dot(a4, b6), dot(a4, b7));
      let a5 = A4[a_row5 + k4];
      acc5_0 += vec4<f32>(dot(a5, b0), dot(a5, b1), dot(a5, b2), dot(a5, b3));
      acc5_1 += vec4<f32>(dot(a5, b4), dot(a5, b5), dot(a5, b6), dot(a5, b7));
      let a6 = A4[a_row6 + k4];
      acc6_0 += vec4<f32>(dot(a6, b0), dot(a6, b1), dot(a6, b2), dot(a6, b3));
      acc6_1 += vec4<f32>(dot(a6, b4), dot(a6, b5), dot(a6, b6), dot(a6, b7));
      let a7 = A4[a_row7 + k4];
      acc7_0 += vec4<f32>(dot(a7, b0), dot(a7, b1), dot(a7, b2), dot(a7, b3));
      acc7_1 += vec4<f32>(dot(a7, b4), dot(a7, b5), dot(a7, b6), dot(a7, b7));
      let a8 = A4[a_row8 + k4];
      acc8_0 += vec4<f32>(dot(a8, b0), dot(a8, b1), dot(a8, b2), dot(a8, b3));
      acc8_1 += vec4<f32>(dot(a8, b4), dot(a8, b5), dot(a8, b6), dot(a8, b7));
      let a9 = A4[a_row9 + k4];
      acc9_0 += vec4<f32>(dot(a9, b0), dot(a9, b1), dot(a9, b2), dot(a9, b3));
      acc9_1 += vec4<f32>(dot(a9, b4), dot(a9, b5), dot(a9, b6), dot(a9, b7));
      let a10 = A4[a_row10 + k4];
      acc10_0 += vec4<f32>(dot(a10, b0), dot(a10, b1), dot(a10, b2), dot(a10, b3));
      acc10_1 += vec4<f32>(dot(a10, b4), dot(a10, b5), dot(a10, b6), dot(a10, b7));
      let a11 = A4[a_row11 + k4];
      acc11_0 += vec4<f32>(dot(a11, b0), dot(a11, b1), dot(a11, b2), dot(a11, b3));
      acc11_1 += vec4<f32>(dot(a11, b4), dot(a11, b5), dot(a11, b6), dot(a11, b7));
      let a12 = A4[a_row12 + k4];
      acc12_0 += vec4<f32>(dot(a12, b0), dot(a12, b1), dot(a12, b2), dot(a12, b3));
      acc12_1 += vec4<f32>(dot(a12, b4), dot(a12, b5), dot(a12, b6), dot(a12, b7));
      let a13 = A4[a_row13 + k4];
      acc13_0 += vec4<f32>(dot(a13, b0), dot(a13, b1), dot(a13, b2), dot(a13, b3));
      acc13_1 += vec4<f32>(dot(a13, b4), dot(a13, b5), dot(a13, b6), dot(a13, b7));
      let a14 = A4[a_row14 + k4];
      acc14_0 += vec4<f32>(dot(a14, b0), dot(a14, b1), dot(a14, b2), dot(a14, b3));
      acc14_1 += vec4<f32>(dot(a14, b4), dot(a14, b5), dot(a14, b6), dot(a14, b7));
      let a15 = A4[a_row15 + k4];
      acc15_0 += vec4<f32>(dot(a15, b0), dot(a15, b1), dot(a15, b2), dot(a15, b3));
      acc15_1 += vec4<f32>(dot(a15, b4), dot(a15, b5), dot(a15, b6), dot(a15, b7));
    }
    store(r, row0 + 0u, col0 + 0u * WG, acc0_0.x);
    store(r, row0 + 0u, col0 + 1u * WG, acc0_0.y);
    store(r, row0 + 0u, col0 + 2u * WG, acc0_0.z);
    store(r, row0 + 0u, col0 + 3u * WG, acc0_0.w);
    store(r, row0 + 0u, col0 + 4u * WG, acc0_1.x);
    store(r, row0 + 0u, col0 + 5u * WG, acc0_1.y);
    store(r, row0 + 0u, col0 + 6u * WG, acc0_1.z);
    store(r, row0 + 0u, col0 + 7u * WG, acc0_1.w);
    store(r, row0 + 1u, col0 + 0u * WG, acc1_0.x);
    store(r, row0 + 1u, col0 + 1u * WG, acc1_0.y);
    store(r, row0 + 1u, col0 + 2u * WG, acc1_0.z);
    store(r, row0 + 1u, col0 + 3u * WG, acc1_0.w);
    store(r, row0 + 1u, col0 + 4u * WG, acc1_1.x);
    store(r, row0 + 1u, col0 + 5u * WG, acc1_1.y);
    store(r, row0 + 1u, col0 + 6u * WG, acc1_1.z);
    store(r, row0 + 1u, col0 + 7u * WG, acc1_1.w);
    store(r, row0 + 2u, col0 + 0u * WG, acc2_0.x);
    store(r, row0 + 2u, col0 + 1u * WG, acc2_0.y);
    store(r, row0 + 2u, col0 + 2u * WG, acc2_0.z);
    store(r, row0 + 2u, col0 + 3u * WG, acc2_0.w);
    store(r, row0 + 2u, col0 + 4u * WG, acc2_1.x);
    store(r, row0 + 2u, col0 + 5u * WG, acc2_1.y);
    store(r, row0 + 2u, col0 + 6u * WG, acc2_1.z);
    store(r, row0 + 2u, col0 + 7u * WG, acc2_1.w);
    store(r, row0 + 3u, col0 + 0u * WG, acc3_0.x);
    store(r, row0 + 3u, col0 + 1u * WG, acc3_0.y);
    store(r, row0 + 3u, col0 + 2u * WG, acc3_0.z);
    store(r, row0 + 3u, col0 + 3u * WG, acc3_0.w);
    store(r, row0 + 3u, col0 + 4u * WG, acc3_1.x);
    store(r, row0 + 3u, col0 + 5u * WG, acc3_1.y);
    store(r, row0 + 3u, col0 + 6u * WG, acc3_1.z);
    store(r, row0 + 3u, col0 + 7u * WG, acc3_1.w);
    store(r, row0 + 4u, col0 + 0u * WG, acc4_0.x);
    store(r, row0 + 4u, col0 + 1u * WG, acc4_0.y);
    store(r, row0 + 4u, col0 + 2u * WG, acc4_0.z);
    store(r, row0 + 4u, col0 + 3u * WG, acc4_0.w);
    store(r, row0 + 4u, col0 + 4u * WG, acc4_1.x);
    store(r, row0 + 4u, col0 + 5u * WG, acc4_1.y);
    store(r, row0 + 4u, col0 + 6u * WG, acc4_1.z);
    store(r, row0 + 4u, col0 + 7u * WG, acc4_1.w);
    store(r, row0 + 5u, col0 + 0u * WG, acc5_0.x);
    store(r, row0 + 5u, col0 + 1u * WG, acc5_0.y);
    store(r, row0 + 5u, col0 + 2u * WG, acc5_0.z);
    store(r, row0 + 5u, col0 + 3u * WG, acc5_0.w);
    store(r, row0 + 5u, col0 + 4u * WG, acc5_1.x);
    store(r, row0 + 5u, col0 + 5u * WG, acc5_1.y);
    store(r, row0 + 5u, col0 + 6u * WG, acc5_1.z);
    store(r, row0 + 5u, col0 + 7u * WG, acc5_1.w);
    store(r, row0 + 6u, col0 + 0u * WG, acc6_0.x);
    store(r, row0 + 6u, col0 + 1u * WG, acc6_0.y);
    store(r, row0 + 6u, col0 + 2u * WG, acc6_0.z);
    store(r, row0 + 6u, col0 + 3u * WG, acc6_0.w);
    store(r, row0 + 6u, col0 + 4u * WG, acc6_1.x);
    store(r, row0 + 6u, col0 + 5u * WG, acc6_1.y);
    store(r, row0 + 6u, col0 + 6u * WG, acc6_1.z);
    store(r, row0 + 6u, col0 + 7u * WG, acc6_1.w);
    store(r, row0 + 7u, col0 + 0u * WG, acc7_0.x);
    store(r, row0 + 7u, col0 + 1u * WG, acc7_0.y);
    store(r, row0 + 7u, col0 + 2u * WG, acc7_0.z);
    store(r, row0 + 7u, col0 + 3u * WG, acc7_0.w);
    store(r, row0 + 7u, col0 + 4u * WG, acc7_1.x);
    store(r, row0 + 7u, col0 + 5u * WG, acc7_1.y);
    store(r, row0 + 7u, col0 + 6u * WG, acc7_1.z);
    store(r, row0 + 7u, col0 + 7u * WG, acc7_1.w);
    store(r, row0 + 8u, col0 + 0u * WG, acc8_0.x);
    store(r, row0 + 8u, col0 + 1u * WG, acc8_0.y);
    store(r, row0 + 8u, col0 + 2u * WG, acc8_0.z);
    store(r, row0 + 8u, col0 + 3u * WG, acc8_0.w);
    store(r, row0 + 8u, col0 + 4u * WG, acc8_1.x);
    store(r, row0 + 8u, col0 + 5u * WG, acc8_1.y);
    store(r, row0 + 8u, col0 + 6u * WG, acc8_1.z);
    store(r, row0 + 8u, col0 + 7u * WG, acc8_1.w);
    store(r, row0 + 9u, col0 + 0u * WG, acc9_0.x);
    store(r, row0 + 9u, col0 + 1u * WG, acc9_0.y);
    store(r, row0 + 9u, col0 + 2u * WG, acc9_0.z);
    store(r, row0 + 9u, col0 + 3u * WG, acc9_0.w);
    store(r, row0 + 9u, col0 + 4u * WG, acc9_1.x);
    store(r, row0 + 9u, col0 + 5u * WG, acc9_1.y);
    store(r, row0 + 9u, col0 + 6u * WG, acc9_1.z);
    store(r, row0 + 9u, col0 + 7u * WG, acc9_1.w);
    store(r, row0 + 10u, col0 + 0u * WG, acc10_0.x);
    store(r, row0 + 10u, col0 + 1u * WG, acc10_0.y);
    store(r, row0 + 10u, col0 + 2u * WG, acc10_0.z);
    store(r, row0 + 10u, col0 + 3u * WG, acc10_0.w);
    store(r, row0 + 10u, col0 + 4u * WG, acc10_1.x);
    store(r, row0 + 10u, col0 + 5u * WG, acc10_1.y);
    store(r, row0 + 10u, col0 + 6u * WG, acc10_1.z);
    store(r, row0 + 10u, col0 + 7u * WG, acc10_1.w);
    store(r, row0 + 11u, col0 + 0u * WG, acc11_0.x);
    store(r, row0 + 11u, col0 + 1u * WG, acc11_0.y);
    store(r, row0 + 11u, col0 + 2u * WG, acc11_0.z);
    store(r, row0 + 11u, col0 + 3u * WG, acc11_0.w);
    store(r, row0 + 11u, col0 + 4u * WG, acc11_1.x);
    store(r, row0 + 11u, col0 + 5u * WG, acc11_1.y);
    store(r, row0 + 11u, col0 + 6u * WG, acc11_1.z);
    store(r, row0 + 11u, col0 + 7u * WG, acc11_1.w);
    store(r, row0 + 12u, col0 + 0u * WG, acc12_0.x);
    store(r, row0 + 12u, col0 + 1u * WG, acc12_0.y);
    store(r, row0 + 12u, col0 + 2u * WG, acc12_0.z);
    store(r, row0 + 12u, col0 + 3u * WG, acc12_0.w);
    store(r, row0 + 12u, col0 + 4u * WG, acc12_1.x);
    store(r, row0 + 12u, col0 + 5u * WG, acc12_1.y);
    store(r, row0 + 12u, col0 + 6u * WG, acc12_1.z);
    store(r, row0 + 12u, col0 + 7u * WG, acc12_1.w);
    store(r, row0 + 13u, col0 + 0u * WG, acc13_0.x);
    store(r, row0 + 13u, col0 + 1u * WG, acc13_0.y);
    store(r, row0 + 13u, col0 + 2u * WG, acc13_0.z);
    store(r, row0 + 13u, col0 + 3u * WG, acc13_0.w);
    store(r, row0 + 13u, col0 + 4u * WG, acc13_1.x);
    store(r, row0 + 13u, col0 + 5u * WG, acc13_1.y);
    store(r, row0 + 13u, col0 + 6u * WG, acc13_1.z);
    store(r, row0 + 13u, col0 + 7u * WG, acc13_1.w);
    store(r, row0 + 14u, col0 + 0u * WG, acc14_0.x);
    store(r, row0 + 14u, col0 + 1u * WG, acc14_0.y);
    store(r, row0 + 14u, col0 + 2u * WG, acc14_0.z);
    store(r, row0 + 14u, col0 + 3u * WG, acc14_0.w);
    store(r, row0 + 14u, col0 + 4u * WG, acc14_1.x);
    store(r, row0 + 14u, col0 + 5u * WG, acc14_1.y);
    store(r, row0 + 14u, col0 + 6u * WG, acc14_1.z);
    store(r, row0 + 14u, col0 + 7u * WG, acc14_1.w);
    store(r, row0 + 15u, col0 + 0u * WG, acc15_0.x);
    store(r, row0 + 15u, col0 + 1u * WG, acc15_0.y);
    store(r, row0 + 15u, col0 + 2u * WG, acc15_0.z);
    store(r, row0 + 15u, col0 + 3u * WG, acc15_0.w);
    store(r, row0 + 15u, col0 + 4u * WG, acc15_1.x);
    store(r, row0 + 15u, col0 + 5u * WG, acc15_1.y);
    store(r, row0 + 15u, col0 + 6u * WG, acc15_1.z);
    store(r, row0 + 15u, col0 + 7u * WG, acc15_1.w);
    return;
  }
  // mixed and outer: this lane's column groups start at n = 4 * (g.x*WG*2 + q*WG + lane).
  let group0 = g.x * WG * 2u + lane;
  let last_group = p.N / 4u - 1u;
  let n0 = min(group0 + 0u * WG, last_group) * 4u;
  let n1 = min(group0 + 1u * WG, last_group) * 4u;
  if (FORM == 1u) {
    // A(m, k..k+3) is one uniform vec4; B(k+c, n..n+3) one per-lane vec4 per c.
    let a_row0 = (a_base + min(row0 + 0u, p.M - 1u) * p.a_sm) / 4u;
    let a_row1 = (a_base + min(row0 + 1u, p.M - 1u) * p.a_sm) / 4u;
    let a_row2 = (a_base + min(row0 + 2u, p.M - 1u) * p.a_sm) / 4u;
    let a_row3 = (a_base + min(row0 + 3u, p.M - 1u) * p.a_sm) / 4u;
    let a_row4 = (a_base + min(row0 + 4u, p.M - 1u) * p.a_sm) / 4u;
    let a_row5 = (a_base + min(row0 + 5u, p.M - 1u) * p.a_sm) / 4u;
    let a_row6 = (a_base + min(row0 + 6u, p.M - 1u) * p.a_sm) / 4u;
    let a_row7 = (a_base + min(row0 + 7u, p.M - 1u) * p.a_sm) / 4u;
    let a_row8 = (a_base + min(row0 + 8u, p.M - 1u) * p.a_sm) / 4u;
    let a_row9 = (a_base + min(row0 + 9u, p.M - 1u) * p.a_sm) / 4u;
    let a_row10 = (a_base + min(row0 + 10u, p.M - 1u) * p.a_sm) / 4u;
    let a_row11 = (a_base + min(row0 + 11u, p.M - 1u) * p.a_sm) / 4u;
    let a_row12 = (a_base + min(row0 + 12u, p.M - 1u) * p.a_sm) / 4u;
    let a_row13 = (a_base + min(row0 + 13u, p.M - 1u) * p.a_sm) / 4u;
    let a_row14 = (a_base + min(row0 + 14u, p.M - 1u) * p.a_sm) / 4u;
    let a_row15 = (a_base + min(row0 + 15u, p.M - 1u) * p.a_sm) / 4u;
    for (var k4 = 0u; k4 < p.K / 4u; k4++) {
      let kb = b_base + k4 * 4u * p.b_sk;
      let b0_0 = B4[(kb + 0u * p.b_sk + n0) / 4u];
      let b0_1 = B4[(kb + 0u * p.b_sk + n1) / 4u];
      let b1_0 = B4[(kb + 1u * p.b_sk + n0) / 4u];
      let b1_1 = B4[(kb + 1u * p.b_sk + n1) / 4u];
      let b2_0 = B4[(kb + 2u * p.b_sk + n0) / 4u];
      let b2_1 = B4[(kb + 2u * p.b_sk + n1) / 4u];
      let b3_0 = B4[(kb + 3u * p.b_sk + n0) / 4u];
      let b3_1 = B4[(kb + 3u * p.b_sk + n1) / 4u];
      let a0 = A4[a_row0 + k4];
      acc0_0 += a0.x * b0_0 + a0.y * b1_0 + a0.z * b2_0 + a0.w * b3_0;
      acc0_1 += a0.x * b0_1 + a0.y * b1_1 + a0.z * b2_1 + a0.w * b3_1;
      let a1 = A4[a_row1 + k4];
      acc1_0 += a1.x * b0_0 + a1.y * b1_0 + a1.z * b2_0 + a1.w * b3_0;
      acc1_1 += a1.x * b0_1 + a1.y * b1_1 + a1.z * b2_1 + a1.w * b3_1;
      let a2 = A4[a_row2 + k4];
      acc2_0 += a2.x * b0_0 + a2.y * b1_0 + a2.z * b2_0 + a2.w * b3_0;
      acc2_1 += a2.x * b0_1 + a2.y * b1_1 + a2.z * b2_1 + a2.w * b3_1;
      let a3 = A4[a_row3 + k4];
      acc3_0 += a3.x * b0_0 + a3.y * b1_0 + a3.z * b2_0 + a3.w * b3_0;
      acc3_1 += a3.x * b0_1 + a3.y * b1_1 + a3.z * b2_1 + a3.w * b3_1;
      let a4 = A4[a_row4 + k4];
      acc4_0 += a4.x * b0_0 + a4.y * b1_0 + a4.z * b2_0 + a4.w * b3_0;
      acc4_1 += a4.x * b0_1 + a4.y * b1_1 + a4.z * b2_1 + a4.w * b3_1;
      let a5 = A4[a_row5 + k4];
      acc5_0 += a5.x * b0_0 + a5.y * b1_0 + a5.z * b2_0 + a5.w * b3_0;
      acc5_1 += a5.x * b0_1 + a5.y * b1_1 + a5.z * b2_1 + a5.w * b3_1;
      let a6 = A4[a_row6 + k4];
      acc6_0 += a6.x * b0_0 + a6.y * b1_0 + a6.z * b2_0 + a6.w * b3_0;
      acc6_1 += a6.x * b0_1 + a6.y * b1_1 + a6.z * b2_1 + a6.w * b3_1;
      let a7 = A4[a_row7 + k4];
      acc7_0 += a7.x * b0_0 + a7.y * b1_0 + a7.z * b2_0 + a7.w * b3_0;
      acc7_1 += a7.x * b0_1 + a7.y * b1_1 + a7.z * b2_1 + a7.w * b3_1;
      let a8 = A4[a_row8 + k4];
      acc8_0 += a8.x * b0_0 + a8.y * b1_0 + a8.z * b2_0 + a8.w * b3_0;
      acc8_1 += a8.x * b0_1 + a8.y * b1_1 + a8.z * b2_1 + a8.w * b3_1;
      let a9 = A4[a_row9 + k4];
      acc9_0 += a9.x * b0_0 + a9.y * b1_0 + a9.z * b2_0 + a9.w * b3_0;
      acc9_1 += a9.x * b0_1 + a9.y * b1_1 + a9.z * b2_1 + a9.w * b3_1;
      let a10 = A4[a_row10 + k4];
      acc10_0 += a10.x * b0_0 + a10.y * b1_0 + a10.z * b2_0 + a10.w * b3_0;
      acc10_1 += a10.x * b0_1 + a10.y * b1_1 + a10.z * b2_1 + a10.w * b3_1;
      let a11 = A4[a_row11 + k4];
      acc11_0 += a11.x * b0_0 + a11.y * b1_0 + a11.z * b2_0 + a11.w * b3_0;
      acc11_1 += a11.x * b0_1 + a11.y * b1_1 + a11.z * b2_1 + a11.w * b3_1;
      let a12 = A4[a_row12 + k4];
      acc12_0 += a12.x * b0_0 + a12.y * b1_0 + a12.z * b2_0 + a12.w * b3_0;
      acc12_1 += a12.x * b0_1 + a12.y * b1_1 + a12.z * b2_1 + a12.w * b3_1;
      let a13 = A4[a_row13 + k4];
      acc13_0 += a13.x * b0_0 + a13.y * b1_0 + a13.z * b2_0 + a13.w * b3_0;
      acc13_1 += a13.x * b0_1 + a13.y * b1_1 + a13.z * b2_1 + a13.w * b3_1;
      let a14 = A4[a_row14 + k4];
      acc14_0 += a14.x * b0_0 + a14.y * b1_0 + a14.z * b2_0 + a14.w * b3_0;
      acc14_1 += a14.x * b0_1 + a14.y * b1_1 + a14.z * b2_1 + a14.w * b3_1;
      let a15 = A4[a_row15 + k4];
      acc15_0 += a15.x * b0_0 + a15.y * b1_0 + a15.z * b2_0 + a15.w * b3_0;
      acc15_1 += a15.x * b0_1 + a15.y * b1_1 + a15.z * b2_1 + a15.w * b3_1;
    }
  } else {
    // A(m..m+3, k) is one uniform vec4 per 4 rows; B(k, n..n+3) one per-lane vec4. Four k per
    // iteration, each accumulator written once per iteration (CPU adapters store every value
    // written in a loop through the exec mask), then the k left over one at a time.
    let k_main = p.K / 4u * 4u;
    for (var k = 0u; k < k_main; k += 4u) {
      let ka0 = a_base + (k + 0u) * p.a_sk;
      let kb0 = b_base + (k + 0u) * p.b_sk;
      let ka1 = a_base + (k + 1u) * p.a_sk;
      let kb1 = b_base + (k + 1u) * p.b_sk;
      let ka2 = a_base + (k + 2u) * p.a_sk;
      let kb2 = b_base + (k + 2u) * p.b_sk;
      let ka3 = a_base + (k + 3u) * p.a_sk;
      let kb3 = b_base + (k + 3u) * p.b_sk;
      let b0_0 = B4[(kb0 + n0) / 4u];
      let b0_1 = B4[(kb0 + n1) / 4u];
      let b1_0 = B4[(kb1 + n0) / 4u];
      let b1_1 = B4[(kb1 + n1) / 4u];
      let b2_0 = B4[(kb2 + n0) / 4u];
      let b2_1 = B4[(kb2 + n1) / 4u];
      let b3_0 = B4[(kb3 + n0) / 4u];
      let b3_1 = B4[(kb3 + n1) / 4u];
      let a0_0 = A4[(ka0 + min(row0 + 0u, p.M - 4u) * p.a_sm) / 4u];
      let a1_0 = A4[(ka1 + min(row0 + 0u, p.M - 4u) * p.a_sm) / 4u];
      let a2_0 = A4[(ka2 + min(row0 + 0u, p.M - 4u) * p.a_sm) / 4u];
      let a3_0 = A4[(ka3 + min(row0 + 0u, p.M - 4u) * p.a_sm) / 4u];
      acc0_0 = fma(vec4<f32>(a3_0.x), b3_0, fma(vec4<f32>(a2_0.x), b2_0,
        fma(vec4<f32>(a1_0.x), b1_0, fma(vec4<f32>(a0_0.x), b0_0, acc0_0))));
      acc0_1 = fma(vec4<f32>(a3_0.x), b3_1, fma(vec4<f32>(a2_0.x), b2_1,
        fma(vec4<f32>(a1_0.x), b1_1, fma(vec4<f32>(a0_0.x), b0_1, acc0_1))));
      acc1_0 = fma(vec4<f32>(a3_0.y), b3_0, fma(vec4<f32>(a2_0.y), b2_0,
        fma(vec4<f32>(a1_0.y), b1_0, fma(vec4<f32>(a0_0.y), b0_0, acc1_0))));
      acc1_1 = fma(vec4<f32>(a3_0.y), b3_1, fma(vec4<f32>(a2_0.y), b2_1,
        fma(vec4<f32>(a1_0.y), b1_1, fma(vec4<f32>(a0_0.y), b0_1, acc1_1))));
      acc2_0 = fma(vec4<f32>(a3_0.z), b3_0, fma(vec4<f32>(a2_0.z), b2_0,
        fma(vec4<f32>(a1_0.z), b1_0, fma(vec4<f32>(a0_0.z), b0_0, acc2_0))));
      acc2_1 = fma(vec4<f32>(a3_0.z), b3_1, fma(vec4<f32>(a2_0.z), b2_1,
        fma(vec4<f32>(a1_0.z), b1_1, fma(vec4<f32>(a0_0.z), b0_1, acc2_1))));
      acc3_0 = fma(vec4<f32>(a3_0.w), b3_0, fma(vec4<f32>(a2_0.w), b2_0,
        fma(vec4<f32>(a1_0.w), b1_0, fma(vec4<f32>(a0_0.w), b0_0, acc3_0))));
      acc3_1 = fma(vec4<f32>(a3_0.w), b3_1, fma(vec4<f32>(a2_0.w), b2_1,
        fma(vec4<f32>(a1_0.w), b1_1, fma(vec4<f32>(a0_0.w), b0_1, acc3_1))));
      let a0_1 = A4[(ka0 + min(row0 + 4u, p.M - 4u) * p.a_sm) / 4u];
      let a1_1 = A4[(ka1 + min(row0 + 4u, p.M - 4u) * p.a_sm) / 4u];
      let a2_1 = A4[(ka2 + min(row0 + 4u, p.M - 4u) * p.a_sm) / 4u];
      let a3_1 = A4[(ka3 + min(row0 + 4u, p.M - 4u) * p.a_sm) / 4u];
      acc4_0 = fma(vec4<f32>(a3_1.x), b3_0, fma(vec4<f32>(a2_1.x), b2_0,
        fma(vec4<f32>(a1_1.x), b1_0, fma(vec4<f32>(a0_1.x), b0_0, acc4_0))));
      acc4_1 = fma(vec4<f32>(a3_1.x), b3_1, fma(vec4<f32>(a2_1.x), b2_1,
        fma(vec4<f32>(a1_1.x), b1_1, fma(vec4<f32>(a0_1.x), b0_1, acc4_1))));
      acc5_0 = fma(vec4<f32>(a3_1.y), b3_0, fma(vec4<f32>(a2_1.y), b2_0,
        fma(vec4<f32>(a1_1.y), b1_0, fma(vec4<f32>(a0_1.y), b0_0, acc5_0))));
      acc5_1 = fma(vec4<f32>(a3_1.y), b3_1, fma(vec4<f32>(a2_1.y), b2_1,
        fma(vec4<f32>(a1_1.y), b1_1, fma(vec4<f32>(a0_1.y), b0_1, acc5_1))));
      acc6_0 = fma(vec4<f32>(a3_1.z), b3_0, fma(vec4<f32>(a2_1.z), b2_0,
        fma(vec4<f32>(a1_1.z), b1_0, fma(vec4<f32>(a0_1.z), b0_0, acc6_0))));
      acc6_1 = fma(vec4<f32>(a3_1.z), b3_1, fma(vec4<f32>(a2_1.z), b2_1,
        fma(vec4<f32>(a1_1.z), b1_1, fma(vec4<f32>(a0_1.z), b0_1, acc6_1))));
      acc7_0 = fma(vec4<f32>(a3_1.w), b3_0, fma(vec4<f32>(a2_1.w), b2_0,
        fma(vec4<f32>(a1_1.w), b1_0, fma(vec4<f32>(a0_1.w), b0_0, acc7_0))));
      acc7_1 = fma(vec4<f32>(a3_1.w), b3_1, fma(vec4<f32>(a2_1.w), b2_1,
        fma(vec4<f32>(a1_1.w), b1_1, fma(vec4<f32>(a0_1.w), b0_1, acc7_1))));
      let a0_2 = A4[(ka0 + min(row0 + 8u, p.M - 4u) * p.a_sm) / 4u];
      let a1_2 = A4[(ka1 + min(row0 + 8u, p.M - 4u) * p.a_sm) / 4u];
      let a2_2 = A4[(ka2 + min(row0 + 8u, p.M - 4u) * p.a_sm) / 4u];
      let a3_2 = A4[(ka3 + min(row0 + 8u, p.M - 4u) * p.a_sm) / 4u];
      acc8_0 = fma(vec4<f32>(a3_2.x), b3_0, fma(vec4<f32>(a2_2.x), b2_0,
        fma(vec4<f32>(a1_2.x), b1_0, fma(vec4<f32>(a0_2.x), b0_0, acc8_0))));
      acc8_1 = fma(vec4<f32>(a3_2.x), b3_1, fma(vec4<f32>(a2_2.x), b2_1,
        fma(vec4<f32>(a1_2.x), b1_1, fma(vec4<f32>(a0_2.x), b0_1, acc8_1))));
      acc9_0 = fma(vec4<f32>(a3_2.y), b3_0, fma(vec4<f32>(a2_2.y), b2_0,
        fma(vec4<f32>(a1_2.y), b1_0, fma(vec4<f32>(a0_2.y), b0_0, acc9_0))));
      acc9_1 = fma(vec4<f32>(a3_2.y), b3_1, fma(vec4<f32>(a2_2.y), b2_1,
        fma(vec4<f32>(a1_2.y), b1_1, fma(vec4<f32>(a0_2.y), b0_1, acc9_1))));
      acc10_0 = fma(vec4<f32>(a3_2.z), b3_0, fma(vec4<f32>(a2_2.z), b2_0,
        fma(vec4<f32>(a1_2.z), b1_0, fma(vec4<f32>(a0_2.z), b0_0, acc10_0))));
      acc10_1 = fma(vec4<f32>(a3_2.z), b3_1, fma(vec4<f32>(a2_2.z), b2_1,
        fma(vec4<f32>(a1_2.z), b1_1, fma(vec4<f32>(a0_2.z), b0_1, acc10_1))));
      acc11_0 = fma(vec4<f32>(a3_2.w), b3_0, fma(vec4<f32>(a2_2.w), b2_0,
        fma(vec4<f32>(a1_2.w), b1_0, fma(vec4<f32>(a0_2.w), b0_0, acc11_0))));
      acc11_1 = fma(vec4<f32>(a3_2.w), b3_1, fma(vec4<f32>(a2_2.w), b2_1,
        fma(vec4<f32>(a1_2.w), b1_1, fma(vec4<f32>(a0_2.w), b0_1, acc11_1))));
      let a0_3 = A4[(ka0 + min(row0 + 12u, p.M - 4u) * p.a_sm) / 4u];
      let a1_3 = A4[(ka1 + min(row0 + 12u, p.M - 4u) * p.a_sm) / 4u];
      let a2_3 = A4[(ka2 + min(row0 + 12u, p.M - 4u) * p.a_sm) / 4u];
      let a3_3 = A4[(ka3 + min(row0 + 12u, p.M - 4u) * p.a_sm) / 4u];
      acc12_0 = fma(vec4<f32>(a3_3.x), b3_0, fma(vec4<f32>(a2_3.x), b2_0,
        fma(vec4<f32>(a1_3.x), b1_0, fma(vec4<f32>(a0_3.x), b0_0, acc12_0))));
      acc12_1 = fma(vec4<f32>(a3_3.x), b3_1, fma(vec4<f32>(a2_3.x), b2_1,
        fma(vec4<f32>(a1_3.x), b1_1, fma(vec4<f32>(a0_3.x), b0_1, acc12_1))));
      acc13_0 = fma(vec4<f32>(a3_3.y), b3_0, fma(vec4<f32>(a2_3.y), b2_0,
        fma(vec4<f32>(a1_3.y), b1_0, fma(vec4<f32>(a0_3.y), b0_0, acc13_0))));
      acc13_1 = fma(vec4<f32>(a3_3.y), b3_1, fma(vec4<f32>(a2_3.y), b2_1,
        fma(vec4<f32>(a1_3.y), b1_1, fma(vec4<f32>(a0_3.y), b0_1, acc13_1))));
      acc14_0 = fma(vec4<f32>(a3_3.z), b3_0, fma(vec4<f32>(a2_3.z), b2_0,
        fma(vec4<f32>(a1_3.z), b1_0, fma(vec4<f32>(a0_3.z), b0_0, acc14_0))));
      acc14_1 = fma(vec4<f32>(a3_3.z), b3_1, fma(vec4<f32>(a2_3.z), b2_1,
        fma(vec4<f32>(a1_3.z), b1_1, fma(vec4<f32>(a0_3.z), b0_1, acc14_1))));
      acc15_0 = fma(vec4<f32>(a3_3.w), b3_0, fma(vec4<f32>(a2_3.w), b2_0,
        fma(vec4<f32>(a1_3.w), b1_0, fma(vec4<f32>(a0_3.w), b0_0, acc15_0))));
      acc15_1 = fma(vec4<f32>(a3_3.w), b3_1, fma(vec4<f32>(a2_3.w), b2_1,
        fma(vec4<f32>(a1_3.w), b1_1, fma(vec4<f32>(a0_3.w), b0_1, acc15_1))));
    }
    for (var k = k_main; k < p.K; k++) {
      let ka = a_base + k * p.a_sk;
      let kb = b_base + k * p.b_sk;
      let b0 = B4[(kb + n0) / 4u];
      let b1 = B4[(kb + n1) / 4u];
      let a0 = A4[(ka + min(row0 + 0u, p.M - 4u) * p.a_sm) / 4u];
      acc0_0 = fma(vec4<f32>(a0.x), b0, acc0_0);
      acc0_1 = fma(vec4<f32>(a0.x), b1, acc0_1);
      acc1_0 = fma(vec4<f32>(a0.y), b0, acc1_0);
      acc1_1 = fma(vec4<f32>(a0.y), b1, acc1_1);
      acc2_0 = fma(vec4<f32>(a0.z), b0, acc2_0);
      acc2_1 = fma(vec4<f32>(a0.z), b1, acc2_1);
      acc3_0 = fma(vec4<f32>(a0.w), b0, acc3_0);
      acc3_1 = fma(vec4<f32>(a0.w), b1, acc3_1);
      let a1 = A4[(ka + min(row0 + 4u, p.M - 4u) * p.a_sm) / 4u];
      acc4_0 = fma(vec4<f32>(a1.x), b0, acc4_0);
      acc4_1 = fma(vec4<f32>(a1.x), b1, acc4_1);
      acc5_0 = fma(vec4<f32>(a1.y), b0, acc5_0);
      acc5_1 = fma(vec4<f32>(a1.y), b1, acc5_1);
      acc6_0 = fma(vec4<f32>(a1.z), b0, acc6_0);
      acc6_1 = fma(vec4<f32>(a1.z), b1, acc6_1);
      acc7_0 = fma(vec4<f32>(a1.w), b0, acc7_0);
      acc7_1 = fma(vec4<f32>(a1.w), b1, acc7_1);
      let a2 = A4[(ka + min(row0 + 8u, p.M - 4u) * p.a_sm) / 4u];
      acc8_0 = fma(vec4<f32>(a2.x), b0, acc8_0);
      acc8_1 = fma(vec4<f32>(a2.x), b1, acc8_1);
      acc9_0 = fma(vec4<f32>(a2.y), b0, acc9_0);
      acc9_1 = fma(vec4<f32>(a2.y), b1, acc9_1);
      acc10_0 = fma(vec4<f32>(a2.z), b0, acc10_0);
      acc10_1 = fma(vec4<f32>(a2.z), b1, acc10_1);
      acc11_0 = fma(vec4<f32>(a2.w), b0, acc11_0);
      acc11_1 = fma(vec4<f32>(a2.w), b1, acc11_1);
      let a3 = A4[(ka + min(row0 + 12u, p.M - 4u) * p.a_sm) / 4u];
      acc12_0 = fma(vec4<f32>(a3.x), b0, acc12_0);
      acc12_1 = fma(vec4<f32>(a3.x), b1, acc12_1);
      acc13_0 = fma(vec4<f32>(a3.y), b0, acc13_0);
      acc13_1 = fma(vec4<f32>(a3.y), b1, acc13_1);
      acc14_0 = fma(vec4<f32>(a3.z), b0, acc14_0);
      acc14_1 = fma(vec4<f32>(a3.z), b1, acc14_1);
      acc15_0 = fma(vec4<f32>(a3.w), b0, acc15_0);
      acc15_1 = fma(vec4<f32>(a3.w), b1, acc15_1);
    }
  }
  store4(r, row0 + 0u, group0 * 4u + 0u * WG * 4u, acc0_0);
  store4(r, row0 + 0u, group0 * 4u + 1u * WG * 4u, acc0_1);
  store4(r, row0 + 1u, group0 * 4u + 0u * WG * 4u, acc1_0);
  store4(r, row0 + 1u, group0 * 4u + 1u * WG * 4u, acc1_1);
  store4(r, row0 + 2u, group0 * 4u + 0u * WG * 4u, acc2_0);
  store4(r, row0 + 2u, group0 * 4u + 1u * WG * 4u, acc2_1);
  store4(r, row0 + 3u, group0 * 4u + 0u * WG * 4u, acc3_0);
  store4(r, row0 + 3u, group0 * 4u + 1u * WG * 4u, acc3_1);
  store4(r, row0 + 4u, group0 * 4u + 0u * WG * 4u, acc4_0);
  store4(r, row0 + 4u, group0 * 4u + 1u * WG * 4u, acc4_1);
  store4(r, row0 + 5u, group0 * 4u + 0u * WG * 4u, acc5_0);
  store4(r, row0 + 5u, group0 * 4u + 1u * WG * 4u, acc5_1);
  store4(r, row0 + 6u, group0 * 4u + 0u * WG * 4u, acc6_0);
  store4(r, row0 + 6u, group0 * 4u + 1u * WG * 4u, acc6_1);
  store4(r, row0 + 7u, group0 * 4u + 0u * WG * 4u, acc7_0);
  store4(r, row0 + 7u, group0 * 4u + 1u * WG * 4u, acc7_1);
  store4(r, row0 + 8u, group0 * 4u + 0u * WG * 4u, acc8_0);
  store4(r, row0 + 8u, group0 * 4u + 1u * WG * 4u, acc8_1);
  store4(r, row0 + 9u, group0 * 4u + 0u * WG * 4u, acc9_0);
  store4(r, row0 + 9u, group0 * 4u + 1u * WG * 4u, acc9_1);
  store4(r, row0 + 10u, group0 * 4u + 0u * WG * 4u, acc10_0);
  store4(r, row0 + 10u, group0 * 4u + 1u * WG * 4u, acc10_1);
  store4(r, row0 + 11u, group0 * 4u + 0u * WG * 4u, acc11_0);
  store4(r, row0 + 11u, group0 * 4u + 1u * WG * 4u, acc11_1);
  store4(r, row0 + 12u, group0 * 4u + 0u * WG * 4u, acc12_0);
  store4(r, row0 + 12u, group0 * 4u + 1u * WG * 4u, acc12_1);
  store4(r, row0 + 13u, group0 * 4u + 0u * WG * 4u, acc13_0);
  store4(r, row0 + 13u, group0 * 4u + 1u * WG * 4u, acc13_1);
  store4(r, row0 + 14u, group0 * 4u + 0u * WG * 4u, acc14_0);
  store4(r, row0 + 14u, group0 * 4u + 1u * WG * 4u, acc14_1);
  store4(r, row0 + 15u, group0 * 4u + 0u * WG * 4u, acc15_0);
  store4(r, row0 + 15u, group0 * 4u + 1u * WG * 4u, acc15_1);
}
