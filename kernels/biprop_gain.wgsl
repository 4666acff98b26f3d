// biprop_gain: A[a_off + r*a_run + s] = sum_i |W[w0 + i]| * M[m0 + i] / count over the n entries
//   i of segment s in run r (w0 = w_off + r*w_run, m0 = m_off + r*m_run), count = #{i: M[m0+i]
//   != 0} (= sum_i M for biprop's 0/1 top-k masks, and exact as a u32); A = 0 when count = 0.
//   Biprop's gain alpha = ||W * M||_1 / ||M||_0 (Diffenderfer & Kailkhura 2021; their
//   utils/conv_type.py line 75 divides by int(k * n), the count kept when k * n is an integer:
//   src/model/biprop.ts). Each sum: lane l of 256 adds i = l, l + 256, ... in increasing i, then
//   a fixed-shape tree over the lanes in workgroup memory; no atomics, so the bits depend on
//   neither the dispatch nor the number of segments or runs.
// Bindings: 0 uniform Params, 1 segments (read, [segments] of {w_off, m_off, n, _}),
//   2 W (read), 3 M (read, f32 0/1), 4 A (read_write).
// Dispatch: (segments, 1, runs); one workgroup of 256 lanes per (segment, run).
// Bounds: workgroup x >= segments does nothing; lanes loop over the n entries of the segment.

const LANES = 256u;

struct Params {
  w_run: u32, m_run: u32, a_off: u32, a_run: u32,
  segments: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

struct Segment {
  w_off: u32, m_off: u32, n: u32, _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> segments: array<Segment>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> M: array<f32>;
@group(0) @binding(4) var<storage, read_write> A: array<f32>;

var<workgroup> magnitude: array<f32, LANES>;
var<workgroup> kept: array<u32, LANES>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  // Uniform across the workgroup (a uniform field and the workgroup id), so every lane returns
  // or none does, and the barriers below stay in uniform control flow.
  if (wg.x >= p.segments) {
    return;
  }
  let seg = segments[wg.x];
  let w0 = seg.w_off + wg.z * p.w_run;
  let m0 = seg.m_off + wg.z * p.m_run;

  var sum = 0.0;
  var count = 0u;
  for (var i = lane; i < seg.n; i += LANES) {
    let m = M[m0 + i];
    sum += abs(W[w0 + i]) * m;
    count += select(0u, 1u, m != 0.0);
  }
  magnitude[lane] = sum;
  kept[lane] = count;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      magnitude[lane] += magnitude[lane + stride];
      kept[lane] += kept[lane + stride];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    let total = kept[0];
    A[p.a_off + wg.z * p.a_run + wg.x] = select(0.0, magnitude[0] / f32(total), total > 0u);
  }
}
