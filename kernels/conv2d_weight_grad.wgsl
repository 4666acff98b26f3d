// conv2d_weight_grad: dW[r][o,c,kh,kw] = GM * sum_{b,oh,ow} dy[r,b,o,oh,ow] * x[r,b,c,ih,iw],
//   ih = oh*s-p+kh, iw = ow*s-p+kw (x outside the image reads 0), GM the gradient mask entry if
//   GRAD_MASK, applied as select(0, v*GM, GM != 0) so a masked entry is exactly +0. Written into
//   the flat gradient buffer.
//   An implicit GEMM: rows are the output channels o (rows = O), columns the weights of one
//   output channel n = (c, kh, kw) (cols = C*k*k), the reduction runs over the output pixels
//   (b, oh, ow) (batch*OH*OW terms) with x gathered at (oh*s-p+kh, ow*s-p+kw).
// Bindings: 0 uniform Params (conv2dUniform in src/nn/conv2d_shape.ts), 1 DY (read, [runs,
//   batch, O, OH, OW]), 2 X (read, [runs, batch, C, H, W]), 3 GM (read, G's layout), 4 G
//   (read_write, flat gradients: dW of run r, [O, C, k, k], at w_off + r*w_run). Unused ones may
//   be any buffer.
// Split over the batch (SPLIT): the examples are cut into consecutive slices of batch_per_split;
//   slice s sums its own examples into partial[(s*runs + r)*O*cols + o*cols + n] (no mask; the
//   whole partial buffer is bound as G), and conv2d_weight_grad_reduce.wgsl adds the slices in
//   increasing s. Without SPLIT there is one slice, written into G as above.
// Dispatch: (min(T, G), row_tiles * ceil(T / G) * slices, runs), T = col_tiles = ceil(cols / (WG*4*VEC)),
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
// Bounds: a column tile >= col_tiles returns at once; loads clamp rows to O-1 and columns to
//   C*k*k-1, stores are skipped outside [0,O)x[0,C*k*k). A tap in the zero padding reads the
//   image row's first element and selects 0.
// Each output sums b, then oh, then ow, in increasing order in one invocation (per slice): results
//   do not depend on WG, ROWS, VEC, the grid or the number of runs.

override WG: u32 = 8u;
override ROWS: u32 = 32u;
override VEC: u32 = 4u;
override GRAD_MASK: bool = false;
override SPLIT: bool = false;

struct Params {
  batch: u32, C: u32, H: u32, W: u32,
  O: u32, OH: u32, OW: u32, k: u32,
  stride: u32, pad: u32, x_run: u32, y_run: u32,
  w_off: u32, w_run: u32, bias_off: u32, cols: u32,
  col_tiles: u32, row_tiles: u32, groups_x: u32, batch_per_split: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> DY: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> GM: array<f32>;
@group(0) @binding(4) var<storage, read_write> G: array<f32>;

fn store4(base: u32, n: vec4<u32>, value: vec4<f32>) {
  for (var j = 0u; j < 4u; j++) {
    if (n[j] < p.cols) {
      let i = base + n[j];
      var v = value[j];
      if (GRAD_MASK) {
        v = select(0.0, v * GM[i], GM[i] != 0.0);
      }
      G[i] = v;
    }
  }
}

// Output channel o (row) of the tile; rows >= O are not stored.
fn store_row(run_base: u32, o: u32, n0: vec4<u32>, n1: vec4<u32>, n2: vec4<u32>, n3: vec4<u32>,
             a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>) {
  if (o >= p.O) {
    return;
  }
  let base = run_base + o * p.cols;
  store4(base, n0, a0);
  if (VEC > 1u) {
    store4(base, n1, a1);
  }
  if (VEC > 2u) {
    store4(base, n2, a2);
    store4(base, n3, a3);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) lane: u32,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let r = g.z;
  let per_slice = p.row_tiles * ((p.col_tiles + p.groups_x - 1u) / p.groups_x);
  let slice = g.y / per_slice;
  let gy = g.y - slice * per_slice;
  let chunk = gy / p.row_tiles;
  let col_tile = g.x + chunk * p.groups_x;
  if (col_tile >= p.col_tiles) {
    return;
  }
  let row0 = (gy - chunk * p.row_tiles) * ROWS;
  let b_begin = slice * p.batch_per_split;
  let b_end = min(p.batch, b_begin + p.batch_per_split);
  let run_base = select(p.w_off + r * p.w_run, (slice * groups.z + r) * p.O * p.cols, SPLIT);
  // Column j of this invocation (j < 4*VEC): col_tile*WG*4*VEC + j*WG + lane, as VEC vec4s.
  let first = vec4<u32>(col_tile * WG * 4u * VEC + lane) + vec4<u32>(0u, 1u, 2u, 3u) * WG;
  let q0 = first + vec4<u32>(0u * WG);
  let q1 = first + vec4<u32>(4u * WG);
  let q2 = first + vec4<u32>(8u * WG);
  let q3 = first + vec4<u32>(12u * WG);
  let s = p.stride;
  let hw = p.H * p.W;
  let ohw = p.OH * p.OW;
  let kk = p.k * p.k;
  let last = vec4<u32>(p.cols - 1u);
  let pad = vec4<i32>(i32(p.pad));
  let n0 = min(q0, last);
  let c0 = n0 / kk;
  let kh0 = (n0 - c0 * kk) / p.k;
  let xc0 = c0 * hw;
  let top0 = vec4<i32>(kh0) - pad;
  let left0 = vec4<i32>(n0 - c0 * kk - kh0 * p.k) - pad;
  let n1 = min(q1, last);
  let c1 = n1 / kk;
  let kh1 = (n1 - c1 * kk) / p.k;
  let xc1 = c1 * hw;
  let top1 = vec4<i32>(kh1) - pad;
  let left1 = vec4<i32>(n1 - c1 * kk - kh1 * p.k) - pad;
  let n2 = min(q2, last);
  let c2 = n2 / kk;
  let kh2 = (n2 - c2 * kk) / p.k;
  let xc2 = c2 * hw;
  let top2 = vec4<i32>(kh2) - pad;
  let left2 = vec4<i32>(n2 - c2 * kk - kh2 * p.k) - pad;
  let n3 = min(q3, last);
  let c3 = n3 / kk;
  let kh3 = (n3 - c3 * kk) / p.k;
  let xc3 = c3 * hw;
  let top3 = vec4<i32>(kh3) - pad;
  let left3 = vec4<i32>(n3 - c3 * kk - kh3 * p.k) - pad;
  let dy_base = r * p.y_run;
  let d0 = dy_base + min(row0 + 0u, p.O - 1u) * ohw;
  let d1 = dy_base + min(row0 + 1u, p.O - 1u) * ohw;
  let d2 = dy_base + min(row0 + 2u, p.O - 1u) * ohw;
  let d3 = dy_base + min(row0 + 3u, p.O - 1u) * ohw;
  let d4 = dy_base + min(row0 + 4u, p.O - 1u) * ohw;
  let d5 = dy_base + min(row0 + 5u, p.O - 1u) * ohw;
  let d6 = dy_base + min(row0 + 6u, p.O - 1u) * ohw;
  let d7 = dy_base + min(row0 + 7u, p.O - 1u) * ohw;
  let d8 = dy_base + min(row0 + 8u, p.O - 1u) * ohw;
  let d9 = dy_base + min(row0 + 9u, p.O - 1u) * ohw;
  let d10 = dy_base + min(row0 + 10u, p.O - 1u) * ohw;
  let d11 = dy_base + min(row0 + 11u, p.O - 1u) * ohw;
  let d12 = dy_base + min(row0 + 12u, p.O - 1u) * ohw;
  let d13 = dy_base + min(row0 + 13u, p.O - 1u) * ohw;
  let d14 = dy_base + min(row0 + 14u, p.O - 1u) * ohw;
  let d15 = dy_base + min(row0 + 15u, p.O - 1u) * ohw;
  let d16 = dy_base + min(row0 + 16u, p.O - 1u) * ohw;
  let d17 = dy_base + min(row0 + 17u, p.O - 1u) * ohw;
  let d18 = dy_base + min(row0 + 18u, p.O - 1u) * ohw;
  let d19 = dy_base + min(row0 + 19u, p.O - 1u) * ohw;
  let d20 = dy_base + min(row0 + 20u, p.O - 1u) * ohw;
  let d21 = dy_base + min(row0 + 21u, p.O - 1u) * ohw;
  let d22 = dy_base + min(row0 + 22u, p.O - 1u) * ohw;
  let d23 = dy_base + min(row0 + 23u, p.O - 1u) * ohw;
  let d24 = dy_base + min(row0 + 24u, p.O - 1u) * ohw;
  let d25 = dy_base + min(row0 + 25u, p.O - 1u) * ohw;
  let d26 = dy_base + min(row0 + 26u, p.O - 1u) * ohw;
  let d27 = dy_base + min(row0 + 27u, p.O - 1u) * ohw;
  let d28 = dy_base + min(row0 + 28u, p.O - 1u) * ohw;
  let d29 = dy_base + min(row0 + 29u, p.O - 1u) * ohw;
  let d30 = dy_base + min(row0 + 30u, p.O - 1u) * ohw;
  let d31 = dy_base + min(row0 + 31u, p.O - 1u) * ohw;
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
  var dp = b_begin * p.O * ohw; // dy offset of (b, oh, ow) within a channel row: b*O*OH*OW + oh*OW + ow
  for (var b = b_begin; b < b_end; b++) {
    let xr = vec4<u32>(r * p.x_run + b * p.C * hw);
    for (var oh = 0u; oh < p.OH; oh++) {
      let ih0 = bitcast<vec4<u32>>(top0 + vec4<i32>(i32(oh * s)));
      let vh0 = ih0 < vec4<u32>(p.H);
      let row0 = xr + xc0 + select(vec4<u32>(0u), ih0 * p.W, vh0);
      var iw0 = left0;
      let ih1 = bitcast<vec4<u32>>(top1 + vec4<i32>(i32(oh * s)));
      let vh1 = ih1 < vec4<u32>(p.H);
      let row1 = xr + xc1 + select(vec4<u32>(0u), ih1 * p.W, vh1);
      var iw1 = left1;
      let ih2 = bitcast<vec4<u32>>(top2 + vec4<i32>(i32(oh * s)));
      let vh2 = ih2 < vec4<u32>(p.H);
      let row2 = xr + xc2 + select(vec4<u32>(0u), ih2 * p.W, vh2);
      var iw2 = left2;
      let ih3 = bitcast<vec4<u32>>(top3 + vec4<i32>(i32(oh * s)));
      let vh3 = ih3 < vec4<u32>(p.H);
      let row3 = xr + xc3 + select(vec4<u32>(0u), ih3 * p.W, vh3);
      var iw3 = left3;
      for (var ow = 0u; ow < p.OW; ow++) {
        let v0 = vh0 & (bitcast<vec4<u32>>(iw0) < vec4<u32>(p.W));
        let at0 = select(row0, row0 + bitcast<vec4<u32>>(iw0), v0);
        x0 = select(vec4<f32>(0.0), vec4<f32>(X[at0.x], X[at0.y], X[at0.z], X[at0.w]), v0);
        iw0 += vec4<i32>(i32(s));
        if (VEC > 1u) {
          let v1 = vh1 & (bitcast<vec4<u32>>(iw1) < vec4<u32>(p.W));
          let at1 = select(row1, row1 + bitcast<vec4<u32>>(iw1), v1);
          x1 = select(vec4<f32>(0.0), vec4<f32>(X[at1.x], X[at1.y], X[at1.z], X[at1.w]), v1);
          iw1 += vec4<i32>(i32(s));
        }
        if (VEC > 2u) {
          let v2 = vh2 & (bitcast<vec4<u32>>(iw2) < vec4<u32>(p.W));
          let at2 = select(row2, row2 + bitcast<vec4<u32>>(iw2), v2);
          x2 = select(vec4<f32>(0.0), vec4<f32>(X[at2.x], X[at2.y], X[at2.z], X[at2.w]), v2);
          iw2 += vec4<i32>(i32(s));
          let v3 = vh3 & (bitcast<vec4<u32>>(iw3) < vec4<u32>(p.W));
          let at3 = select(row3, row3 + bitcast<vec4<u32>>(iw3), v3);
          x3 = select(vec4<f32>(0.0), vec4<f32>(X[at3.x], X[at3.y], X[at3.z], X[at3.w]), v3);
          iw3 += vec4<i32>(i32(s));
        }
        let a0 = vec4<f32>(DY[d0 + dp]);
        let a1 = vec4<f32>(DY[d1 + dp]);
        let a2 = vec4<f32>(DY[d2 + dp]);
        let a3 = vec4<f32>(DY[d3 + dp]);
        let a4 = vec4<f32>(DY[d4 + dp]);
        let a5 = vec4<f32>(DY[d5 + dp]);
        let a6 = vec4<f32>(DY[d6 + dp]);
        let a7 = vec4<f32>(DY[d7 + dp]);
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
          let a8 = vec4<f32>(DY[d8 + dp]);
          let a9 = vec4<f32>(DY[d9 + dp]);
          let a10 = vec4<f32>(DY[d10 + dp]);
          let a11 = vec4<f32>(DY[d11 + dp]);
          let a12 = vec4<f32>(DY[d12 + dp]);
          let a13 = vec4<f32>(DY[d13 + dp]);
          let a14 = vec4<f32>(DY[d14 + dp]);
          let a15 = vec4<f32>(DY[d15 + dp]);
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
          let a16 = vec4<f32>(DY[d16 + dp]);
          let a17 = vec4<f32>(DY[d17 + dp]);
          let a18 = vec4<f32>(DY[d18 + dp]);
          let a19 = vec4<f32>(DY[d19 + dp]);
          let a20 = vec4<f32>(DY[d20 + dp]);
          let a21 = vec4<f32>(DY[d21 + dp]);
          let a22 = vec4<f32>(DY[d22 + dp]);
          let a23 = vec4<f32>(DY[d23 + dp]);
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
          let a24 = vec4<f32>(DY[d24 + dp]);
          let a25 = vec4<f32>(DY[d25 + dp]);
          let a26 = vec4<f32>(DY[d26 + dp]);
          let a27 = vec4<f32>(DY[d27 + dp]);
          let a28 = vec4<f32>(DY[d28 + dp]);
          let a29 = vec4<f32>(DY[d29 + dp]);
          let a30 = vec4<f32>(DY[d30 + dp]);
          let a31 = vec4<f32>(DY[d31 + dp]);
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
        dp += 1u;
      }
    }
    dp += (p.O - 1u) * ohw;
  }
  store_row(run_base, row0 + 0u, q0, q1, q2, q3, acc0_0, acc0_1, acc0_2, acc0_3);
  store_row(run_base, row0 + 1u, q0, q1, q2, q3, acc1_0, acc1_1, acc1_2, acc1_3);
  store_row(run_base, row0 + 2u, q0, q1, q2, q3, acc2_0, acc2_1, acc2_2, acc2_3);
  store_row(run_base, row0 + 3u, q0, q1, q2, q3, acc3_0, acc3_1, acc3_2, acc3_3);
  store_row(run_base, row0 + 4u, q0, q1, q2, q3, acc4_0, acc4_1, acc4_2, acc4_3);
  store_row(run_base, row0 + 5u, q0, q1, q2, q3, acc5_0, acc5_1, acc5_2, acc5_3);
  store_row(run_base, row0 + 6u, q0, q1, q2, q3, acc6_0, acc6_1, acc6_2, acc6_3);
  store_row(run_base, row0 + 7u, q0, q1, q2, q3, acc7_0, acc7_1, acc7_2, acc7_3);
  if (ROWS > 8u) {
    store_row(run_base, row0 + 8u, q0, q1, q2, q3, acc8_0, acc8_1, acc8_2, acc8_3);
    store_row(run_base, row0 + 9u, q0, q1, q2, q3, acc9_0, acc9_1, acc9_2, acc9_3);
    store_row(run_base, row0 + 10u, q0, q1, q2, q3, acc10_0, acc10_1, acc10_2, acc10_3);
    store_row(run_base, row0 + 11u, q0, q1, q2, q3, acc11_0, acc11_1, acc11_2, acc11_3);
    store_row(run_base, row0 + 12u, q0, q1, q2, q3, acc12_0, acc12_1, acc12_2, acc12_3);
    store_row(run_base, row0 + 13u, q0, q1, q2, q3, acc13_0, acc13_1, acc13_2, acc13_3);
    store_row(run_base, row0 + 14u, q0, q1, q2, q3, acc14_0, acc14_1, acc14_2, acc14_3);
    store_row(run_base, row0 + 15u, q0, q1, q2, q3, acc15_0, acc15_1, acc15_2, acc15_3);
  }
  if (ROWS > 16u) {
    store_row(run_base, row0 + 16u, q0, q1, q2, q3, acc16_0, acc16_1, acc16_2, acc16_3);
    store_row(run_base, row0 + 17u, q0, q1, q2, q3, acc17_0, acc17_1, acc17_2, acc17_3);
    store_row(run_base, row0 + 18u, q0, q1, q2, q3, acc18_0, acc18_1, acc18_2, acc18_3);
    store_row(run_base, row0 + 19u, q0, q1, q2, q3, acc19_0, acc19_1, acc19_2, acc19_3);
    store_row(run_base, row0 + 20u, q0, q1, q2, q3, acc20_0, acc20_1, acc20_2, acc20_3);
    store_row(run_base, row0 + 21u, q0, q1, q2, q3, acc21_0, acc21_1, acc21_2, acc21_3);
    store_row(run_base, row0 + 22u, q0, q1, q2, q3, acc22_0, acc22_1, acc22_2, acc22_3);
    store_row(run_base, row0 + 23u, q0, q1, q2, q3, acc23_0, acc23_1, acc23_2, acc23_3);
  }
  if (ROWS > 24u) {
    store_row(run_base, row0 + 24u, q0, q1, q2, q3, acc24_0, acc24_1, acc24_2, acc24_3);
    store_row(run_base, row0 + 25u, q0, q1, q2, q3, acc25_0, acc25_1, acc25_2, acc25_3);
    store_row(run_base, row0 + 26u, q0, q1, q2, q3, acc26_0, acc26_1, acc26_2, acc26_3);
    store_row(run_base, row0 + 27u, q0, q1, q2, q3, acc27_0, acc27_1, acc27_2, acc27_3);
    store_row(run_base, row0 + 28u, q0, q1, q2, q3, acc28_0, acc28_1, acc28_2, acc28_3);
    store_row(run_base, row0 + 29u, q0, q1, q2, q3, acc29_0, acc29_1, acc29_2, acc29_3);
    store_row(run_base, row0 + 30u, q0, q1, q2, q3, acc30_0, acc30_1, acc30_2, acc30_3);
    store_row(run_base, row0 + 31u, q0, q1, q2, q3, acc31_0, acc31_1, acc31_2, acc31_3);
  }
}
