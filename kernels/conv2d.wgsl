// conv2d: y[r,b,o,oh,ow] = post(sum_{kh,kw,c} x[r,b,c,oh*s-p+kh,ow*s-p+kw] * (W*M)[r][o,c,kh,kw]),
//   post(v) = v (+ bias[r][o] if BIAS) -> max(v, 0) if RELU; x outside the image reads 0.
//   An implicit GEMM, computed as its transpose y^T = (W*M) . im2col(x)^T: rows are the output
//   channels o (rows = O), columns the output pixels q = (b, oh, ow) (cols = batch*OH*OW), the
//   reduction runs over (kh, kw, c) (C*k*k terms); im2col(x) is gathered from x, never stored.
// Bindings: 0 uniform Params (conv2dUniform in src/nn/conv2d_shape.ts), 1 X (read, [runs, batch,
//   C, H, W]), 2 P (read, flat parameters: W of run r, [O, C, k, k], at w_off + r*w_run, the bias
//   [O] at bias_off + r*w_run), 3 MASKS (read, P's layout, multiplied into W if MASK), 4 Y
//   (read_write, [runs, batch, O, OH, OW]). Unused ones may be any buffer.
// Dispatch: (min(T, G), row_tiles * ceil(T / G), runs), T = col_tiles = ceil(cols / (WG*4*VEC)),
//   row_tiles = ceil(rows / ROWS), G = groups_x (maxComputeWorkgroupsPerDimension, 65535, unless
//   a test lowers it). Workgroup g computes run g.z, rows (g.y % row_tiles)*ROWS + [0, ROWS) (from
//   the workgroup id: the row operand's loads are uniform across lanes) and column tile
//   g.x + (g.y / row_tiles)*G; lane l of it owns columns tile*WG*4*VEC + j*WG + l, j < 4*VEC
//   (adjacent lanes take adjacent columns).
//   The register tile, ROWS x 4*VEC per invocation, is written out as named vec4 values (CPU
//   adapters keep named values in registers or spill them cheaply, but turn indexed arrays into
//   memory; see matmul.wgsl); row blocks of 8 and vec4 column groups beyond ROWS and VEC are
//   removed when the pipeline is specialised (src/nn/conv2d_shape.ts picks ROWS, VEC and WG:
//   32 x 16 per lane at 8 lanes on a CPU adapter, where every load inside a loop costs one
//   scalar load per lane, so a large tile amortises them; a smaller tile at 64 lanes elsewhere).
// Bounds: a column tile >= col_tiles returns at once; loads clamp rows to O-1 and columns to the
//   last pixel, stores are skipped outside [0,O)x[0,cols). A tap in the zero padding reads the
//   pixel's own clamped address and selects 0.
// Each output sums kh, then kw, then c, in increasing order in one invocation: results do not
//   depend on WG, ROWS, VEC, the grid or the number of runs.

override WG: u32 = 8u;
override ROWS: u32 = 32u;
override VEC: u32 = 4u;
override MASK: bool = false;
override BIAS: bool = false;
override RELU: bool = false;

struct Params {
  batch: u32, C: u32, H: u32, W: u32,
  O: u32, OH: u32, OW: u32, k: u32,
  stride: u32, pad: u32, x_run: u32, y_run: u32,
  w_off: u32, w_run: u32, bias_off: u32, cols: u32,
  col_tiles: u32, row_tiles: u32, groups_x: u32, _pad0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> P: array<f32>;
@group(0) @binding(3) var<storage, read> MASKS: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

fn weight(i: u32) -> f32 {
  if (MASK) {
    return P[i] * MASKS[i];
  }
  return P[i];
}

// Where this invocation's pixel columns go: Y at yb + o*OH*OW (yb holds all but the o term),
// and whether each column is a pixel (q < cols).
struct Columns {
  yb0: vec4<u32>, yb1: vec4<u32>, yb2: vec4<u32>, yb3: vec4<u32>,
  in0: vec4<bool>, in1: vec4<bool>, in2: vec4<bool>, in3: vec4<bool>,
}

fn store4(r: u32, o: u32, yb: vec4<u32>, inside: vec4<bool>, value: vec4<f32>) {
  var v = value;
  if (BIAS) {
    v += vec4<f32>(P[p.bias_off + r * p.w_run + o]);
  }
  if (RELU) {
    v = max(v, vec4<f32>(0.0));
  }
  let off = o * p.OH * p.OW;
  for (var j = 0u; j < 4u; j++) {
    if (inside[j]) {
      Y[yb[j] + off] = v[j];
    }
  }
}

// Output channel o (row) of the tile; rows >= O are not stored.
fn store_row(r: u32, o: u32, t: Columns, a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>,
             a3: vec4<f32>) {
  if (o >= p.O) {
    return;
  }
  store4(r, o, t.yb0, t.in0, a0);
  if (VEC > 1u) {
    store4(r, o, t.yb1, t.in1, a1);
  }
  if (VEC > 2u) {
    store4(r, o, t.yb2, t.in2, a2);
    store4(r, o, t.yb3, t.in3, a3);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let r = g.z;
  let chunk = g.y / p.row_tiles;
  let col_tile = g.x + chunk * p.groups_x;
  if (col_tile >= p.col_tiles) {
    return;
  }
  let row0 = (g.y - chunk * p.row_tiles) * ROWS;
  // Column j of this invocation (j < 4*VEC): col_tile*WG*4*VEC + j*WG + lane, as VEC vec4s.
  let first = vec4<u32>(col_tile * WG * 4u * VEC + lane) + vec4<u32>(0u, 1u, 2u, 3u) * WG;
  let q0 = first + vec4<u32>(0u * WG);
  let q1 = first + vec4<u32>(4u * WG);
  let q2 = first + vec4<u32>(8u * WG);
  let q3 = first + vec4<u32>(12u * WG);
  let hw = p.H * p.W;
  let ohw = p.OH * p.OW;
  let kk = p.k * p.k;
  let last = vec4<u32>(p.cols - 1u);
  let pad = vec4<i32>(i32(p.pad));
  let in0 = q0 < vec4<u32>(p.cols);
  let b0 = min(q0, last) / ohw;
  let pix0 = min(q0, last) - b0 * ohw;
  let oh0 = pix0 / p.OW;
  let xb0 = vec4<u32>(r * p.x_run) + b0 * (p.C * hw);
  let yb0 = vec4<u32>(r * p.y_run) + b0 * (p.O * ohw) + pix0;
  let top0 = vec4<i32>(oh0 * p.stride) - pad;
  let left0 = vec4<i32>((pix0 - oh0 * p.OW) * p.stride) - pad;
  let in1 = q1 < vec4<u32>(p.cols);
  let b1 = min(q1, last) / ohw;
  let pix1 = min(q1, last) - b1 * ohw;
  let oh1 = pix1 / p.OW;
  let xb1 = vec4<u32>(r * p.x_run) + b1 * (p.C * hw);
  let yb1 = vec4<u32>(r * p.y_run) + b1 * (p.O * ohw) + pix1;
  let top1 = vec4<i32>(oh1 * p.stride) - pad;
  let left1 = vec4<i32>((pix1 - oh1 * p.OW) * p.stride) - pad;
  let in2 = q2 < vec4<u32>(p.cols);
  let b2 = min(q2, last) / ohw;
  let pix2 = min(q2, last) - b2 * ohw;
  let oh2 = pix2 / p.OW;
  let xb2 = vec4<u32>(r * p.x_run) + b2 * (p.C * hw);
  let yb2 = vec4<u32>(r * p.y_run) + b2 * (p.O * ohw) + pix2;
  let top2 = vec4<i32>(oh2 * p.stride) - pad;
  let left2 = vec4<i32>((pix2 - oh2 * p.OW) * p.stride) - pad;
  let in3 = q3 < vec4<u32>(p.cols);
  let b3 = min(q3, last) / ohw;
  let pix3 = min(q3, last) - b3 * ohw;
  let oh3 = pix3 / p.OW;
  let xb3 = vec4<u32>(r * p.x_run) + b3 * (p.C * hw);
  let yb3 = vec4<u32>(r * p.y_run) + b3 * (p.O * ohw) + pix3;
  let top3 = vec4<i32>(oh3 * p.stride) - pad;
  let left3 = vec4<i32>((pix3 - oh3 * p.OW) * p.stride) - pad;
  let w_base = p.w_off + r * p.w_run;
  let w_row = p.C * kk;
  let w0 = w_base + min(row0 + 0u, p.O - 1u) * w_row;
  let w1 = w_base + min(row0 + 1u, p.O - 1u) * w_row;
  let w2 = w_base + min(row0 + 2u, p.O - 1u) * w_row;
  let w3 = w_base + min(row0 + 3u, p.O - 1u) * w_row;
  let w4 = w_base + min(row0 + 4u, p.O - 1u) * w_row;
  let w5 = w_base + min(row0 + 5u, p.O - 1u) * w_row;
  let w6 = w_base + min(row0 + 6u, p.O - 1u) * w_row;
  let w7 = w_base + min(row0 + 7u, p.O - 1u) * w_row;
  let w8 = w_base + min(row0 + 8u, p.O - 1u) * w_row;
  let w9 = w_base + min(row0 + 9u, p.O - 1u) * w_row;
  let w10 = w_base + min(row0 + 10u, p.O - 1u) * w_row;
  let w11 = w_base + min(row0 + 11u, p.O - 1u) * w_row;
  let w12 = w_base + min(row0 + 12u, p.O - 1u) * w_row;
  let w13 = w_base + min(row0 + 13u, p.O - 1u) * w_row;
  let w14 = w_base + min(row0 + 14u, p.O - 1u) * w_row;
  let w15 = w_base + min(row0 + 15u, p.O - 1u) * w_row;
  let w16 = w_base + min(row0 + 16u, p.O - 1u) * w_row;
  let w17 = w_base + min(row0 + 17u, p.O - 1u) * w_row;
  let w18 = w_base + min(row0 + 18u, p.O - 1u) * w_row;
  let w19 = w_base + min(row0 + 19u, p.O - 1u) * w_row;
  let w20 = w_base + min(row0 + 20u, p.O - 1u) * w_row;
  let w21 = w_base + min(row0 + 21u, p.O - 1u) * w_row;
  let w22 = w_base + min(row0 + 22u, p.O - 1u) * w_row;
  let w23 = w_base + min(row0 + 23u, p.O - 1u) * w_row;
  let w24 = w_base + min(row0 + 24u, p.O - 1u) * w_row;
  let w25 = w_base + min(row0 + 25u, p.O - 1u) * w_row;
  let w26 = w_base + min(row0 + 26u, p.O - 1u) * w_row;
  let w27 = w_base + min(row0 + 27u, p.O - 1u) * w_row;
  let w28 = w_base + min(row0 + 28u, p.O - 1u) * w_row;
  let w29 = w_base + min(row0 + 29u, p.O - 1u) * w_row;
  let w30 = w_base + min(row0 + 30u, p.O - 1u) * w_row;
  let w31 = w_base + min(row0 + 31u, p.O - 1u) * w_row;
  let zero = vec4<f32>(0.0);
  var acc0_0 = zero; var acc0_1 = zero; var acc0_2 = zero; var acc0_3 = zero;
  var acc1_0 = zero; var acc1_1 = zero; var acc1_2 = zero; var acc1_3 = zero;
  var acc2_0 = zero; var acc2_1 = zero; var acc2_2 = zero; var acc2_3 = zero;
  var acc3_0 = zero; var acc3_1 = zero; var acc3_2 = zero; var acc3_3 = zero;
  var acc4_0 = zero; var acc4_1 = zero; var acc4_2 = zero; var acc4_3 = zero;
  var acc5_0 = zero; var acc5_1 = zero; var acc5_2 = zero; var acc5_3 = zero;
  var acc6_0 = zero; var acc6_1 = zero; var acc6_2 = zero; var acc6_3 = zero;
  var acc7_0 = zero; var acc7_1 = zero; var acc7_2 = zero; var acc7_3 = zero;
  var acc8_0 = zero; var acc8_1 = zero; var acc8_2 = zero; var acc8_3 = zero;
  var acc9_0 = zero; var acc9_1 = zero; var acc9_2 = zero; var acc9_3 = zero;
  var acc10_0 = zero; var acc10_1 = zero; var acc10_2 = zero; var acc10_3 = zero;
  var acc11_0 = zero; var acc11_1 = zero; var acc11_2 = zero; var acc11_3 = zero;
  var acc12_0 = zero; var acc12_1 = zero; var acc12_2 = zero; var acc12_3 = zero;
  var acc13_0 = zero; var acc13_1 = zero; var acc13_2 = zero; var acc13_3 = zero;
  var acc14_0 = zero; var acc14_1 = zero; var acc14_2 = zero; var acc14_3 = zero;
  var acc15_0 = zero; var acc15_1 = zero; var acc15_2 = zero; var acc15_3 = zero;
  var acc16_0 = zero; var acc16_1 = zero; var acc16_2 = zero; var acc16_3 = zero;
  var acc17_0 = zero; var acc17_1 = zero; var acc17_2 = zero; var acc17_3 = zero;
  var acc18_0 = zero; var acc18_1 = zero; var acc18_2 = zero; var acc18_3 = zero;
  var acc19_0 = zero; var acc19_1 = zero; var acc19_2 = zero; var acc19_3 = zero;
  var acc20_0 = zero; var acc20_1 = zero; var acc20_2 = zero; var acc20_3 = zero;
  var acc21_0 = zero; var acc21_1 = zero; var acc21_2 = zero; var acc21_3 = zero;
  var acc22_0 = zero; var acc22_1 = zero; var acc22_2 = zero; var acc22_3 = zero;
  var acc23_0 = zero; var acc23_1 = zero; var acc23_2 = zero; var acc23_3 = zero;
  var acc24_0 = zero; var acc24_1 = zero; var acc24_2 = zero; var acc24_3 = zero;
  var acc25_0 = zero; var acc25_1 = zero; var acc25_2 = zero; var acc25_3 = zero;
  var acc26_0 = zero; var acc26_1 = zero; var acc26_2 = zero; var acc26_3 = zero;
  var acc27_0 = zero; var acc27_1 = zero; var acc27_2 = zero; var acc27_3 = zero;
  var acc28_0 = zero; var acc28_1 = zero; var acc28_2 = zero; var acc28_3 = zero;
  var acc29_0 = zero; var acc29_1 = zero; var acc29_2 = zero; var acc29_3 = zero;
  var acc30_0 = zero; var acc30_1 = zero; var acc30_2 = zero; var acc30_3 = zero;
  var acc31_0 = zero; var acc31_1 = zero; var acc31_2 = zero; var acc31_3 = zero;
  var x0 = vec4<f32>(0.0);
  var x1 = vec4<f32>(0.0);
  var x2 = vec4<f32>(0.0);
  var x3 = vec4<f32>(0.0);
  for (var kh = 0u; kh < p.k; kh++) {
    let ih0 = bitcast<vec4<u32>>(top0 + vec4<i32>(i32(kh)));
    let vh0 = ih0 < vec4<u32>(p.H);
    let ih1 = bitcast<vec4<u32>>(top1 + vec4<i32>(i32(kh)));
    let vh1 = ih1 < vec4<u32>(p.H);
    let ih2 = bitcast<vec4<u32>>(top2 + vec4<i32>(i32(kh)));
    let vh2 = ih2 < vec4<u32>(p.H);
    let ih3 = bitcast<vec4<u32>>(top3 + vec4<i32>(i32(kh)));
    let vh3 = ih3 < vec4<u32>(p.H);
    for (var kw = 0u; kw < p.k; kw++) {
      let iw0 = bitcast<vec4<u32>>(left0 + vec4<i32>(i32(kw)));
      let v0 = vh0 & (iw0 < vec4<u32>(p.W));
      var a0 = select(xb0, xb0 + ih0 * p.W + iw0, v0);
      let iw1 = bitcast<vec4<u32>>(left1 + vec4<i32>(i32(kw)));
      let v1 = vh1 & (iw1 < vec4<u32>(p.W));
      var a1 = select(xb1, xb1 + ih1 * p.W + iw1, v1);
      let iw2 = bitcast<vec4<u32>>(left2 + vec4<i32>(i32(kw)));
      let v2 = vh2 & (iw2 < vec4<u32>(p.W));
      var a2 = select(xb2, xb2 + ih2 * p.W + iw2, v2);
      let iw3 = bitcast<vec4<u32>>(left3 + vec4<i32>(i32(kw)));
      let v3 = vh3 & (iw3 < vec4<u32>(p.W));
      var a3 = select(xb3, xb3 + ih3 * p.W + iw3, v3);
      // Skip a tap no column of this invocation takes (all in the zero padding).
      var live = v0;
      if (VEC > 1u) {
        live |= v1;
      }
      if (VEC > 2u) {
        live |= v2 | v3;
      }
      if (!any(live)) {
        continue;
      }
      var wk = kh * p.k + kw;
      for (var c = 0u; c < p.C; c++) {
        x0 = select(vec4<f32>(0.0), vec4<f32>(X[a0.x], X[a0.y], X[a0.z], X[a0.w]), v0);
        a0 += vec4<u32>(hw);
        if (VEC > 1u) {
          x1 = select(vec4<f32>(0.0), vec4<f32>(X[a1.x], X[a1.y], X[a1.z], X[a1.w]), v1);
          a1 += vec4<u32>(hw);
        }
        if (VEC > 2u) {
          x2 = select(vec4<f32>(0.0), vec4<f32>(X[a2.x], X[a2.y], X[a2.z], X[a2.w]), v2);
          a2 += vec4<u32>(hw);
          x3 = select(vec4<f32>(0.0), vec4<f32>(X[a3.x], X[a3.y], X[a3.z], X[a3.w]), v3);
          a3 += vec4<u32>(hw);
        }
        let a0 = vec4<f32>(weight(w0 + wk));
        let a1 = vec4<f32>(weight(w1 + wk));
        let a2 = vec4<f32>(weight(w2 + wk));
        let a3 = vec4<f32>(weight(w3 + wk));
        let a4 = vec4<f32>(weight(w4 + wk));
        let a5 = vec4<f32>(weight(w5 + wk));
        let a6 = vec4<f32>(weight(w6 + wk));
        let a7 = vec4<f32>(weight(w7 + wk));
        acc0_0 = fma(a0, x0, acc0_0);
        acc1_0 = fma(a1, x0, acc1_0);
        acc2_0 = fma(a2, x0, acc2_0);
        acc3_0 = fma(a3, x0, acc3_0);
        acc4_0 = fma(a4, x0, acc4_0);
        acc5_0 = fma(a5, x0, acc5_0);
        acc6_0 = fma(a6, x0, acc6_0);
        acc7_0 = fma(a7, x0, acc7_0);
        if (VEC > 1u) {
          acc0_1 = fma(a0, x1, acc0_1);
          acc1_1 = fma(a1, x1, acc1_1);
          acc2_1 = fma(a2, x1, acc2_1);
          acc3_1 = fma(a3, x1, acc3_1);
          acc4_1 = fma(a4, x1, acc4_1);
          acc5_1 = fma(a5, x1, acc5_1);
          acc6_1 = fma(a6, x1, acc6_1);
          acc7_1 = fma(a7, x1, acc7_1);
        }
        if (VEC > 2u) {
          acc0_2 = fma(a0, x2, acc0_2);
          acc0_3 = fma(a0, x3, acc0_3);
          acc1_2 = fma(a1, x2, acc1_2);
          acc1_3 = fma(a1, x3, acc1_3);
          acc2_2 = fma(a2, x2, acc2_2);
          acc2_3 = fma(a2, x3, acc2_3);
          acc3_2 = fma(a3, x2, acc3_2);
          acc3_3 = fma(a3, x3, acc3_3);
          acc4_2 = fma(a4, x2, acc4_2);
          acc4_3 = fma(a4, x3, acc4_3);
          acc5_2 = fma(a5, x2, acc5_2);
          acc5_3 = fma(a5, x3, acc5_3);
          acc6_2 = fma(a6, x2, acc6_2);
          acc6_3 = fma(a6, x3, acc6_3);
          acc7_2 = fma(a7, x2, acc7_2);
          acc7_3 = fma(a7, x3, acc7_3);
        }
        if (ROWS > 8u) {
          let a8 = vec4<f32>(weight(w8 + wk));
          let a9 = vec4<f32>(weight(w9 + wk));
          let a10 = vec4<f32>(weight(w10 + wk));
          let a11 = vec4<f32>(weight(w11 + wk));
          let a12 = vec4<f32>(weight(w12 + wk));
          let a13 = vec4<f32>(weight(w13 + wk));
          let a14 = vec4<f32>(weight(w14 + wk));
          let a15 = vec4<f32>(weight(w15 + wk));
          acc8_0 = fma(a8, x0, acc8_0);
          acc9_0 = fma(a9, x0, acc9_0);
          acc10_0 = fma(a10, x0, acc10_0);
          acc11_0 = fma(a11, x0, acc11_0);
          acc12_0 = fma(a12, x0, acc12_0);
          acc13_0 = fma(a13, x0, acc13_0);
          acc14_0 = fma(a14, x0, acc14_0);
          acc15_0 = fma(a15, x0, acc15_0);
          if (VEC > 1u) {
            acc8_1 = fma(a8, x1, acc8_1);
            acc9_1 = fma(a9, x1, acc9_1);
            acc10_1 = fma(a10, x1, acc10_1);
            acc11_1 = fma(a11, x1, acc11_1);
            acc12_1 = fma(a12, x1, acc12_1);
            acc13_1 = fma(a13, x1, acc13_1);
            acc14_1 = fma(a14, x1, acc14_1);
            acc15_1 = fma(a15, x1, acc15_1);
          }
          if (VEC > 2u) {
            acc8_2 = fma(a8, x2, acc8_2);
            acc8_3 = fma(a8, x3, acc8_3);
            acc9_2 = fma(a9, x2, acc9_2);
            acc9_3 = fma(a9, x3, acc9_3);
            acc10_2 = fma(a10, x2, acc10_2);
            acc10_3 = fma(a10, x3, acc10_3);
            acc11_2 = fma(a11, x2, acc11_2);
            acc11_3 = fma(a11, x3, acc11_3);
            acc12_2 = fma(a12, x2, acc12_2);
            acc12_3 = fma(a12, x3, acc12_3);
            acc13_2 = fma(a13, x2, acc13_2);
            acc13_3 = fma(a13, x3, acc13_3);
            acc14_2 = fma(a14, x2, acc14_2);
            acc14_3 = fma(a14, x3, acc14_3);
            acc15_2 = fma(a15, x2, acc15_2);
            acc15_3 = fma(a15, x3, acc15_3);
          }
        }
        if (ROWS > 16u) {
          let a16 = vec4<f32>(weight(w16 + wk));
          let a17 = vec4<f32>(weight(w17 + wk));
          let a18 = vec4<f32>(weight(w18 + wk));
          let a19 = vec4<f32>(weight(w19 + wk));
          let a20 = vec4<f32>(weight(w20 + wk));
          let a21 = vec4<f32>(weight(w21 + wk));
          let a22 = vec4<f32>(weight(w22 + wk));
          let a23 = vec4<f32>(weight(w23 + wk));
          acc16_0 = fma(a16, x0, acc16_0);
          acc17_0 = fma(a17, x0, acc17_0);
          acc18_0 = fma(a18, x0, acc18_0);
          acc19_0 = fma(a19, x0, acc19_0);
          acc20_0 = fma(a20, x0, acc20_0);
          acc21_0 = fma(a21, x0, acc21_0);
          acc22_0 = fma(a22, x0, acc22_0);
          acc23_0 = fma(a23, x0, acc23_0);
          if (VEC > 1u) {
            acc16_1 = fma(a16, x1, acc16_1);
            acc17_1 = fma(a17, x1, acc17_1);
            acc18_1 = fma(a18, x1, acc18_1);
            acc19_1 = fma(a19, x1, acc19_1);
            acc20_1 = fma(a20, x1, acc20_1);
            acc21_1 = fma(a21, x1, acc21_1);
            acc22_1 = fma(a22, x1, acc22_1);
            acc23_1 = fma(a23, x1, acc23_1);
          }
          if (VEC > 2u) {
            acc16_2 = fma(a16, x2, acc16_2);
            acc16_3 = fma(a16, x3, acc16_3);
            acc17_2 = fma(a17, x2, acc17_2);
            acc17_3 = fma(a17, x3, acc17_3);
            acc18_2 = fma(a18, x2, acc18_2);
            acc18_3 = fma(a18, x3, acc18_3);
            acc19_2 = fma(a19, x2, acc19_2);
            acc19_3 = fma(a19, x3, acc19_3);
            acc20_2 = fma(a20, x2, acc20_2);
            acc20_3 = fma(a20, x3, acc20_3);
            acc21_2 = fma(a21, x2, acc21_2);
            acc21_3 = fma(a21, x3, acc21_3);
            acc22_2 = fma(a22, x2, acc22_2);
            acc22_3 = fma(a22, x3, acc22_3);
            acc23_2 = fma(a23, x2, acc23_2);
            acc23_3 = fma(a23, x3, acc23_3);
          }
        }
        if (ROWS > 24u) {
          let a24 = vec4<f32>(weight(w24 + wk));
          let a25 = vec4<f32>(weight(w25 + wk));
          let a26 = vec4<f32>(weight(w26 + wk));
          let a27 = vec4<f32>(weight(w27 + wk));
          let a28 = vec4<f32>(weight(w28 + wk));
          let a29 = vec4<f32>(weight(w29 + wk));
          let a30 = vec4<f32>(weight(w30 + wk));
          let a31 = vec4<f32>(weight(w31 + wk));
          acc24_0 = fma(a24, x0, acc24_0);
          acc25_0 = fma(a25, x0, acc25_0);
          acc26_0 = fma(a26, x0, acc26_0);
          acc27_0 = fma(a27, x0, acc27_0);
          acc28_0 = fma(a28, x0, acc28_0);
          acc29_0 = fma(a29, x0, acc29_0);
          acc30_0 = fma(a30, x0, acc30_0);
          acc31_0 = fma(a31, x0, acc31_0);
          if (VEC > 1u) {
            acc24_1 = fma(a24, x1, acc24_1);
            acc25_1 = fma(a25, x1, acc25_1);
            acc26_1 = fma(a26, x1, acc26_1);
            acc27_1 = fma(a27, x1, acc27_1);
            acc28_1 = fma(a28, x1, acc28_1);
            acc29_1 = fma(a29, x1, acc29_1);
            acc30_1 = fma(a30, x1, acc30_1);
            acc31_1 = fma(a31, x1, acc31_1);
          }
          if (VEC > 2u) {
            acc24_2 = fma(a24, x2, acc24_2);
            acc24_3 = fma(a24, x3, acc24_3);
            acc25_2 = fma(a25, x2, acc25_2);
            acc25_3 = fma(a25, x3, acc25_3);
            acc26_2 = fma(a26, x2, acc26_2);
            acc26_3 = fma(a26, x3, acc26_3);
            acc27_2 = fma(a27, x2, acc27_2);
            acc27_3 = fma(a27, x3, acc27_3);
            acc28_2 = fma(a28, x2, acc28_2);
            acc28_3 = fma(a28, x3, acc28_3);
            acc29_2 = fma(a29, x2, acc29_2);
            acc29_3 = fma(a29, x3, acc29_3);
            acc30_2 = fma(a30, x2, acc30_2);
            acc30_3 = fma(a30, x3, acc30_3);
            acc31_2 = fma(a31, x2, acc31_2);
            acc31_3 = fma(a31, x3, acc31_3);
          }
        }
        wk += kk;
      }
    }
  }
  let cols = Columns(yb0, yb1, yb2, yb3, in0, in1, in2, in3);
  store_row(r, row0 + 0u, cols, acc0_0, acc0_1, acc0_2, acc0_3);
  store_row(r, row0 + 1u, cols, acc1_0, acc1_1, acc1_2, acc1_3);
  store_row(r, row0 + 2u, cols, acc2_0, acc2_1, acc2_2, acc2_3);
  store_row(r, row0 + 3u, cols, acc3_0, acc3_1, acc3_2, acc3_3);
  store_row(r, row0 + 4u, cols, acc4_0, acc4_1, acc4_2, acc4_3);
  store_row(r, row0 + 5u, cols, acc5_0, acc5_1, acc5_2, acc5_3);
  store_row(r, row0 + 6u, cols, acc6_0, acc6_1, acc6_2, acc6_3);
  store_row(r, row0 + 7u, cols, acc7_0, acc7_1, acc7_2, acc7_3);
  if (ROWS > 8u) {
    store_row(r, row0 + 8u, cols, acc8_0, acc8_1, acc8_2, acc8_3);
    store_row(r, row0 + 9u, cols, acc9_0, acc9_1, acc9_2, acc9_3);
    store_row(r, row0 + 10u, cols, acc10_0, acc10_1, acc10_2, acc10_3);
    store_row(r, row0 + 11u, cols, acc11_0, acc11_1, acc11_2, acc11_3);
    store_row(r, row0 + 12u, cols, acc12_0, acc12_1, acc12_2, acc12_3);
    store_row(r, row0 + 13u, cols, acc13_0, acc13_1, acc13_2, acc13_3);
    store_row(r, row0 + 14u, cols, acc14_0, acc14_1, acc14_2, acc14_3);
    store_row(r, row0 + 15u, cols, acc15_0, acc15_1, acc15_2, acc15_3);
  }
  if (ROWS > 16u) {
    store_row(r, row0 + 16u, cols, acc16_0, acc16_1, acc16_2, acc16_3);
    store_row(r, row0 + 17u, cols, acc17_0, acc17_1, acc17_2, acc17_3);
    store_row(r, row0 + 18u, cols, acc18_0, acc18_1, acc18_2, acc18_3);
    store_row(r, row0 + 19u, cols, acc19_0, acc19_1, acc19_2, acc19_3);
    store_row(r, row0 + 20u, cols, acc20_0, acc20_1, acc20_2, acc20_3);
    store_row(r, row0 + 21u, cols, acc21_0, acc21_1, acc21_2, acc21_3);
    store_row(r, row0 + 22u, cols, acc22_0, acc22_1, acc22_2, acc22_3);
    store_row(r, row0 + 23u, cols, acc23_0, acc23_1, acc23_2, acc23_3);
  }
  if (ROWS > 24u) {
    store_row(r, row0 + 24u, cols, acc24_0, acc24_1, acc24_2, acc24_3);
    store_row(r, row0 + 25u, cols, acc25_0, acc25_1, acc25_2, acc25_3);
    store_row(r, row0 + 26u, cols, acc26_0, acc26_1, acc26_2, acc26_3);
    store_row(r, row0 + 27u, cols, acc27_0, acc27_1, acc27_2, acc27_3);
    store_row(r, row0 + 28u, cols, acc28_0, acc28_1, acc28_2, acc28_3);
    store_row(r, row0 + 29u, cols, acc29_0, acc29_1, acc29_2, acc29_3);
    store_row(r, row0 + 30u, cols, acc30_0, acc30_1, acc30_2, acc30_3);
    store_row(r, row0 + 31u, cols, acc31_0, acc31_1, acc31_2, acc31_3);
  }
}
