// topk_mask: M[m_off + r*m_run + i] = 1 for exactly k of the n entries i of each segment (the
//   k largest |S[s_off + r*s_run + i]|; among equal |S| the lower index wins), 0 for the rest.
//   |S| is compared through its bit pattern (bits & 0x7fffffff orders like |S| for non-NaN
//   f32; -0 == +0): a radix select over 4 digits of 8 bits (workgroup histograms of integer
//   counts, which do not depend on the order of the atomic adds) finds the key t of the k-th
//   largest and how many keys == t to take; those are the first by index (chunk counts and a
//   sequential prefix by lane 0, so the result is the same on every device). k >= n gives all
//   ones, k = 0 all zeros.
// Bindings: 0 uniform Params, 1 segments (read, [segments] of {s_off, m_off, n, k}),
//   2 S (read, scores as u32 bit patterns), 3 M (read_write, f32 0/1).
// Dispatch: (segments, 1, runs); one workgroup of 256 lanes per (segment, run).
// Bounds: workgroup x >= segments does nothing; lanes loop over the n entries of the segment.

struct Params {
  s_run: u32, m_run: u32, segments: u32, _pad0: u32,
}

struct Segment {
  s_off: u32, m_off: u32, n: u32, k: u32,
}

const LANES: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> segments: array<Segment>;
@group(0) @binding(2) var<storage, read> S: array<u32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;

var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> chunk_count: array<u32, 256>;
var<workgroup> prefix: u32;
var<workgroup> take: u32;
var<workgroup> equal: u32;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  if (wg.x >= p.segments) {
    return;
  }
  let seg = segments[wg.x];
  let s0 = seg.s_off + wg.z * p.s_run;
  let m0 = seg.m_off + wg.z * p.m_run;
  let n = seg.n;
  let k = min(seg.k, n);
  if (k == 0u || k == n) {
    let fill = select(0.0, 1.0, k == n);
    for (var i = lid; i < n; i += LANES) {
      M[m0 + i] = fill;
    }
    return;
  }

  // Radix select: after the digit at `shift`, `prefix` holds the top digits of t and `take`
  // how many of the keys matching them still belong to the top k.
  if (lid == 0u) {
    prefix = 0u;
    take = k;
  }
  var high = 0u; // the bits of prefix fixed so far
  for (var digit = 0u; digit < 4u; digit++) {
    let shift = 24u - 8u * digit;
    atomicStore(&hist[lid], 0u);
    workgroupBarrier();
    let pre = prefix;
    for (var i = lid; i < n; i += LANES) {
      let key = S[s0 + i] & 0x7fffffffu;
      if ((key & high) == pre) {
        atomicAdd(&hist[(key >> shift) & 255u], 1u);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      // Walk the bins from the largest digit down to the one holding the take-th key.
      var need = take;
      var b = 255u;
      loop {
        let c = atomicLoad(&hist[b]);
        if (need <= c || b == 0u) {
          break;
        }
        need -= c;
        b -= 1u;
      }
      prefix = pre | (b << shift);
      take = need;
      equal = atomicLoad(&hist[b]);
    }
    high |= 255u << shift;
    workgroupBarrier();
  }

  let t = prefix;
  let need = workgroupUniformLoad(&take);
  let equals = workgroupUniformLoad(&equal);
  if (need >= equals) {
    // Every key == t is kept: no prefix count needed.
    for (var i = lid; i < n; i += LANES) {
      M[m0 + i] = select(0.0, 1.0, (S[s0 + i] & 0x7fffffffu) >= t);
    }
    return;
  }

  // Ties at t: keep the first `need` of them by index. Lane l owns the contiguous chunk
  // [l*len, (l+1)*len); lane 0 turns the per-chunk counts into exclusive prefixes.
  let len = (n + LANES - 1u) / LANES;
  let lo = min(lid * len, n);
  let hi = min(lo + len, n);
  var count = 0u;
  for (var i = lo; i < hi; i++) {
    count += select(0u, 1u, (S[s0 + i] & 0x7fffffffu) == t);
  }
  chunk_count[lid] = count;
  workgroupBarrier();
  if (lid == 0u) {
    var sum = 0u;
    for (var l = 0u; l < LANES; l++) {
      let c = chunk_count[l];
      chunk_count[l] = sum;
      sum += c;
    }
  }
  workgroupBarrier();
  var before = chunk_count[lid];
  for (var i = lo; i < hi; i++) {
    let key = S[s0 + i] & 0x7fffffffu;
    var keep = key > t;
    if (key == t) {
      keep = before < need;
      before += 1u;
    }
    M[m0 + i] = select(0.0, 1.0, keep);
  }
}
