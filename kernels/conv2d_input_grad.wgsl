// conv2d_input_grad: dx[r,b,c,ih,iw] = sum_{kh,kw,o} dy[r,b,o,oh,ow] * (W*M)[r][o,c,kh,kw] over the
//   (oh, ow) with oh*s-p+kh = ih and ow*s-p+kw = iw (conv_transpose(dy, W*M): the exact adjoint
//   of conv2d.wgsl with respect to x; no ReLU). Every dx element is written (0 where no term).
//   An implicit GEMM computed as its transpose dx^T = (W*M)^T . cols(dy): rows are the input
//   channels c (rows = C), columns the input pixels (b, ih, iw), the reduction runs over
//   (kh, kw, o) (O*k*k terms) with dy gathered at oh = (ih+p-kh)/s, ow = (iw+p-kw)/s when those
//   divide exactly and lie inside dy. Columns are ordered by stride phase: q = ((b*s + ih%s)*s +
//   iw%s)*Hs*Ws + (ih/s)*Ws + iw/s, Hs = ceil(H/s), Ws = ceil(W/s), cols = batch*s*s*Hs*Ws, so
//   neighbouring columns share which taps divide (for s = 1 this is the plain order).
// Bindings: 0 uniform Params (conv2dUniform in src/nn/conv2d_shape.ts), 1 DY (read, [runs, batch,
//   O, OH, OW]), 2 P (read, flat parameters: W of run r, [O, C, k, k], at w_off + r*w_run),
//   3 MASKS (read, P's layout, multiplied into W if MASK), 4 DX (read_write, [runs, batch, C, H,
//   W]). Unused ones may be any buffer.
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
// Bounds: a column tile >= col_tiles returns at once; loads clamp rows to C-1 and columns to the
//   last one; stores are skipped for rows >= C and for columns >= cols or outside the image
//   (phase padding when s does not divide H or W). A tap that hits no dy element reads the
//   column's own clamped address and selects 0.
// Each output sums kh, then kw, then o, in increasing order in one invocation: results do not
//   depend on WG, ROWS, VEC, the grid or the number of runs.

override WG: u32 = 8u;
override ROWS: u32 = 32u;
override VEC: u32 = 4u;
override MASK: bool = false;

struct Params {
  batch: u32, C: u32, H: u32, W: u32,
  O: u32, OH: u32, OW: u32, k: u32,
  stride: u32, pad: u32, x_run: u32, y_run: u32,
  w_off: u32, w_run: u32, bias_off: u32, cols: u32,
  col_tiles: u32, row_tiles: u32, groups_x: u32, _pad0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> DY: array<f32>;
@group(0) @binding(2) var<storage, read> P: array<f32>;
@group(0) @binding(3) var<storage, read> MASKS: array<f32>;
@group(0) @binding(4) var<storage, read_write> DX: array<f32>;

fn weight(i: u32) -> f32 {
  if (MASK) {
    return P[i] * MASKS[i];
  }
  return P[i];
}

// Where this invocation's pixel columns go: DX at xb + c*H*W (xb holds all but the c term),
// and whether each column is a pixel of the image.
struct Columns {
  xb0: vec4<u32>, xb1: vec4<u32>, xb2: vec4<u32>, xb3: vec4<u32>,
  in0: vec4<bool>, in1: vec4<bool>, in2: vec4<bool>, in3: vec4<bool>,
}

fn store4(off: u32, xb: vec4<u32>, inside: vec4<bool>, v: vec4<f32>) {
  for (var j = 0u; j < 4u; j++) {
    if (inside[j]) {
      DX[xb[j] + off] = v[j];
    }
  }
}

// Input channel c (row) of the tile; rows >= C are not stored.
fn store_row(c: u32, t: Columns, a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>) {
  if (c >= p.C) {
    return;
  }
  let off = c * p.H * p.W;
  store4(off, t.xb0, t.in0, a0);
  if (VEC > 1u) {
    store4(off, t.xb1, t.in1, a1);
  }
  if (VEC > 2u) {
    store4(off, t.xb2, t.in2, a2);
    store4(off, t.xb3, t.in3, a3);
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
  let s = p.stride;
  let hs = (p.H + s - 1u) / s;
  let ws = (p.W + s - 1u) / s;
  let phase_size = hs * ws;
  let image = s * s * phase_size;
  let hw = p.H * p.W;
  let ohw = p.OH * p.OW;
  let kk = p.k * p.k;
  let last = vec4<u32>(p.cols - 1u);
  let c0 = min(q0, last);
  let b0 = c0 / image;
  let phase0 = (c0 - b0 * image) / phase_size;
  let pos0 = c0 - b0 * image - phase0 * phase_size;
  let ih0 = (pos0 / ws) * s + phase0 / s;
  let iw0 = (pos0 % ws) * s + phase0 % s;
  let in0 = (q0 < vec4<u32>(p.cols)) & (ih0 < vec4<u32>(p.H)) & (iw0 < vec4<u32>(p.W));
  let xb0 = vec4<u32>(r * p.x_run) + b0 * (p.C * hw) + min(ih0, vec4<u32>(p.H - 1u)) * p.W +
    min(iw0, vec4<u32>(p.W - 1u));
  let dyb0 = vec4<u32>(r * p.y_run) + b0 * (p.O * ohw);
  let top0 = vec4<i32>(ih0) + vec4<i32>(i32(p.pad));
  let left0 = vec4<i32>(iw0) + vec4<i32>(i32(p.pad));
  let c1 = min(q1, last);
  let b1 = c1 / image;
  let phase1 = (c1 - b1 * image) / phase_size;
  let pos1 = c1 - b1 * image - phase1 * phase_size;
  let ih1 = (pos1 / ws) * s + phase1 / s;
  let iw1 = (pos1 % ws) * s + phase1 % s;
  let in1 = (q1 < vec4<u32>(p.cols)) & (ih1 < vec4<u32>(p.H)) & (iw1 < vec4<u32>(p.W));
  let xb1 = vec4<u32>(r * p.x_run) + b1 * (p.C * hw) + min(ih1, vec4<u32>(p.H - 1u)) * p.W +
    min(iw1, vec4<u32>(p.W - 1u));
  let dyb1 = vec4<u32>(r * p.y_run) + b1 * (p.O * ohw);
  let top1 = vec4<i32>(ih1) + vec4<i32>(i32(p.pad));
  let left1 = vec4<i32>(iw1) + vec4<i32>(i32(p.pad));
  let c2 = min(q2, last);
  let b2 = c2 / image;
  let phase2 = (c2 - b2 * image) / phase_size;
  let pos2 = c2 - b2 * image - phase2 * phase_size;
  let ih2 = (pos2 / ws) * s + phase2 / s;
  let iw2 = (pos2 % ws) * s + phase2 % s;
  let in2 = (q2 < vec4<u32>(p.cols)) & (ih2 < vec4<u32>(p.H)) & (iw2 < vec4<u32>(p.W));
  let xb2 = vec4<u32>(r * p.x_run) + b2 * (p.C * hw) + min(ih2, vec4<u32>(p.H - 1u)) * p.W +
    min(iw2, vec4<u32>(p.W - 1u));
  let dyb2 = vec4<u32>(r * p.y_run) + b2 * (p.O * ohw);
  let top2 = vec4<i32>(ih2) + vec4<i32>(i32(p.pad));
  let left2 = vec4<i32>(iw2) + vec4<i32>(i32(p.pad));
  let c3 = min(q3, last);
  let b3 = c3 / image;
  let phase3 = (c3 - b3 * image) / phase_size;
  let pos3 = c3 - b3 * image - phase3 * phase_size;
  let ih3 = (pos3 / ws) * s + phase3 / s;
  let iw3 = (pos3 % ws) * s + phase3 % s;
  let in3 = (q3 < vec4<u32>(p.cols)) & (ih3 < vec4<u32>(p.H)) & (iw3 < vec4<u32>(p.W));
  let xb3 = vec4<u32>(r * p.x_run) + b3 * (p.C * hw) + min(ih3, vec4<u32>(p.H - 1u)) * p.W +
    min(iw3, vec4<u32>(p.W - 1u));
  let dyb3 = vec4<u32>(r * p.y_run) + b3 * (p.O * ohw);
  let top3 = vec4<i32>(ih3) + vec4<i32>(i32(p.pad));
  let left3 = vec4<i32>(iw3) + vec4<i32>(i32(p.pad));
  let w_base = p.w_off + r * p.w_run;
  let w0 = w_base + min(row0 + 0u, p.C - 1u) * kk;
  let w1 = w_base + min(row0 + 1u, p.C - 1u) * kk;
  let w2 = w_base + min(row0 + 2u, p.C - 1u) * kk;
  let w3 = w_base + min(row0 + 3u, p.C - 1u) * kk;
  let w4 = w_base + min(row0 + 4u, p.C - 1u) * kk;
  let w5 = w_base + min(row0 + 5u, p.C - 1u) * kk;
  let w6 = w_base + min(row0 + 6u, p.C - 1u) * kk;
  let w7 = w_base + min(row0 + 7u, p.C - 1u) * kk;
  let w8 = w_base + min(row0 + 8u, p.C - 1u) * kk;
  let w9 = w_base + min(row0 + 9u, p.C - 1u) * kk;
  let w10 = w_base + min(row0 + 10u, p.C - 1u) * kk;
  let w11 = w_base + min(row0 + 11u, p.C - 1u) * kk;
  let w12 = w_base + min(row0 + 12u, p.C - 1u) * kk;
  let w13 = w_base + min(row0 + 13u, p.C - 1u) * kk;
  let w14 = w_base + min(row0 + 14u, p.C - 1u) * kk;
  let w15 = w_base + min(row0 + 15u, p.C - 1u) * kk;
  let w16 = w_base + min(row0 + 16u, p.C - 1u) * kk;
  let w17 = w_base + min(row0 + 17u, p.C - 1u) * kk;
  let w18 = w_base + min(row0 + 18u, p.C - 1u) * kk;
  let w19 = w_base + min(row0 + 19u, p.C - 1u) * kk;
  let w20 = w_base + min(row0 + 20u, p.C - 1u) * kk;
  let w21 = w_base + min(row0 + 21u, p.C - 1u) * kk;
  let w22 = w_base + min(row0 + 22u, p.C - 1u) * kk;
  let w23 = w_base + min(row0 + 23u, p.C - 1u) * kk;
  let w24 = w_base + min(row0 + 24u, p.C - 1u) * kk;
  let w25 = w_base + min(row0 + 25u, p.C - 1u) * kk;
  let w26 = w_base + min(row0 + 26u, p.C - 1u) * kk;
  let w27 = w_base + min(row0 + 27u, p.C - 1u) * kk;
  let w28 = w_base + min(row0 + 28u, p.C - 1u) * kk;
  let w29 = w_base + min(row0 + 29u, p.C - 1u) * kk;
  let w30 = w_base + min(row0 + 30u, p.C - 1u) * kk;
  let w31 = w_base + min(row0 + 31u, p.C - 1u) * kk;
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
  let w_o = p.C * kk;
  for (var kh = 0u; kh < p.k; kh++) {
    // oh = (ih + p - kh) / s where that divides exactly and lies in [0, OH).
    let th0 = top0 - vec4<i32>(i32(kh));
    let oh0 = bitcast<vec4<u32>>(th0) / s;
    let vh0 = (th0 >= vec4<i32>(0)) & (oh0 * s == bitcast<vec4<u32>>(th0)) &
      (oh0 < vec4<u32>(p.OH));
    let th1 = top1 - vec4<i32>(i32(kh));
    let oh1 = bitcast<vec4<u32>>(th1) / s;
    let vh1 = (th1 >= vec4<i32>(0)) & (oh1 * s == bitcast<vec4<u32>>(th1)) &
      (oh1 < vec4<u32>(p.OH));
    let th2 = top2 - vec4<i32>(i32(kh));
    let oh2 = bitcast<vec4<u32>>(th2) / s;
    let vh2 = (th2 >= vec4<i32>(0)) & (oh2 * s == bitcast<vec4<u32>>(th2)) &
      (oh2 < vec4<u32>(p.OH));
    let th3 = top3 - vec4<i32>(i32(kh));
    let oh3 = bitcast<vec4<u32>>(th3) / s;
    let vh3 = (th3 >= vec4<i32>(0)) & (oh3 * s == bitcast<vec4<u32>>(th3)) &
      (oh3 < vec4<u32>(p.OH));
    for (var kw = 0u; kw < p.k; kw++) {
      let tw0 = left0 - vec4<i32>(i32(kw));
      let ow0 = bitcast<vec4<u32>>(tw0) / s;
      let v0 = vh0 & (tw0 >= vec4<i32>(0)) & (ow0 * s == bitcast<vec4<u32>>(tw0)) &
        (ow0 < vec4<u32>(p.OW));
      var a0 = select(dyb0, dyb0 + oh0 * p.OW + ow0, v0);
      let tw1 = left1 - vec4<i32>(i32(kw));
      let ow1 = bitcast<vec4<u32>>(tw1) / s;
      let v1 = vh1 & (tw1 >= vec4<i32>(0)) & (ow1 * s == bitcast<vec4<u32>>(tw1)) &
        (ow1 < vec4<u32>(p.OW));
      var a1 = select(dyb1, dyb1 + oh1 * p.OW + ow1, v1);
      let tw2 = left2 - vec4<i32>(i32(kw));
      let ow2 = bitcast<vec4<u32>>(tw2) / s;
      let v2 = vh2 & (tw2 >= vec4<i32>(0)) & (ow2 * s == bitcast<vec4<u32>>(tw2)) &
        (ow2 < vec4<u32>(p.OW));
      var a2 = select(dyb2, dyb2 + oh2 * p.OW + ow2, v2);
      let tw3 = left3 - vec4<i32>(i32(kw));
      let ow3 = bitcast<vec4<u32>>(tw3) / s;
      let v3 = vh3 & (tw3 >= vec4<i32>(0)) & (ow3 * s == bitcast<vec4<u32>>(tw3)) &
        (ow3 < vec4<u32>(p.OW));
      var a3 = select(dyb3, dyb3 + oh3 * p.OW + ow3, v3);
      // Skip a tap no column of this invocation takes (with stride > 1, whole phases).
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
      for (var o = 0u; o < p.O; o++) {
        x0 = select(vec4<f32>(0.0), vec4<f32>(DY[a0.x], DY[a0.y], DY[a0.z], DY[a0.w]), v0);
        a0 += vec4<u32>(ohw);
        if (VEC > 1u) {
          x1 = select(vec4<f32>(0.0), vec4<f32>(DY[a1.x], DY[a1.y], DY[a1.z], DY[a1.w]), v1);
          a1 += vec4<u32>(ohw);
        }
        if (VEC > 2u) {
          x2 = select(vec4<f32>(0.0), vec4<f32>(DY[a2.x], DY[a2.y], DY[a2.z], DY[a2.w]), v2);
          a2 += vec4<u32>(ohw);
          x3 = select(vec4<f32>(0.0), vec4<f32>(DY[a3.x], DY[a3.y], DY[a3.z], DY[a3.w]), v3);
          a3 += vec4<u32>(ohw);
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
        wk += w_o;
      }
    }
  }
  let cols = Columns(xb0, xb1, xb2, xb3, in0, in1, in2, in3);
  store_row(row0 + 0u, cols, acc0_0, acc0_1, acc0_2, acc0_3);
  store_row(row0 + 1u, cols, acc1_0, acc1_1, acc1_2, acc1_3);
  store_row(row0 + 2u, cols, acc2_0, acc2_1, acc2_2, acc2_3);
  store_row(row0 + 3u, cols, acc3_0, acc3_1, acc3_2, acc3_3);
  store_row(row0 + 4u, cols, acc4_0, acc4_1, acc4_2, acc4_3);
  store_row(row0 + 5u, cols, acc5_0, acc5_1, acc5_2, acc5_3);
  store_row(row0 + 6u, cols, acc6_0, acc6_1, acc6_2, acc6_3);
  store_row(row0 + 7u, cols, acc7_0, acc7_1, acc7_2, acc7_3);
  if (ROWS > 8u) {
    store_row(row0 + 8u, cols, acc8_0, acc8_1, acc8_2, acc8_3);
    store_row(row0 + 9u, cols, acc9_0, acc9_1, acc9_2, acc9_3);
    store_row(row0 + 10u, cols, acc10_0, acc10_1, acc10_2, acc10_3);
    store_row(row0 + 11u, cols, acc11_0, acc11_1, acc11_2, acc11_3);
    store_row(row0 + 12u, cols, acc12_0, acc12_1, acc12_2, acc12_3);
    store_row(row0 + 13u, cols, acc13_0, acc13_1, acc13_2, acc13_3);
    store_row(row0 + 14u, cols, acc14_0, acc14_1, acc14_2, acc14_3);
    store_row(row0 + 15u, cols, acc15_0, acc15_1, acc15_2, acc15_3);
  }
  if (ROWS > 16u) {
    store_row(row0 + 16u, cols, acc16_0, acc16_1, acc16_2, acc16_3);
    store_row(row0 + 17u, cols, acc17_0, acc17_1, acc17_2, acc17_3);
    store_row(row0 + 18u, cols, acc18_0, acc18_1, acc18_2, acc18_3);
    store_row(row0 + 19u, cols, acc19_0, acc19_1, acc19_2, acc19_3);
    store_row(row0 + 20u, cols, acc20_0, acc20_1, acc20_2, acc20_3);
    store_row(row0 + 21u, cols, acc21_0, acc21_1, acc21_2, acc21_3);
    store_row(row0 + 22u, cols, acc22_0, acc22_1, acc22_2, acc22_3);
    store_row(row0 + 23u, cols, acc23_0, acc23_1, acc23_2, acc23_3);
  }
  if (ROWS > 24u) {
    store_row(row0 + 24u, cols, acc24_0, acc24_1, acc24_2, acc24_3);
    store_row(row0 + 25u, cols, acc25_0, acc25_1, acc25_2, acc25_3);
    store_row(row0 + 26u, cols, acc26_0, acc26_1, acc26_2, acc26_3);
    store_row(row0 + 27u, cols, acc27_0, acc27_1, acc27_2, acc27_3);
    store_row(row0 + 28u, cols, acc28_0, acc28_1, acc28_2, acc28_3);
    store_row(row0 + 29u, cols, acc29_0, acc29_1, acc29_2, acc29_3);
    store_row(row0 + 30u, cols, acc30_0, acc30_1, acc30_2, acc30_3);
    store_row(row0 + 31u, cols, acc31_0, acc31_1, acc31_2, acc31_3);
  }
}
