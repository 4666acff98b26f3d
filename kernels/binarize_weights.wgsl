// binarize_weights: Y[y_off + r*y_run + i] = A[a_off + r*a_run + s] * sign(W[w_off + r*w_run + i])
//   when start_s <= i < start_s + n_s for a segment s, else W[w_off + r*w_run + i] (biases, batch
//   norms' parameters and padding are copied). sign(0) = sign(-0) = 0, as torch.sign; the product
//   is exact (+-A or 0). Biprop's binarised weights alpha * sign(W), which the products then
//   multiply by the top-k mask (Diffenderfer & Kailkhura 2021, utils/conv_type.py).
//   Segments are sorted by start and do not overlap; i finds its segment by a binary search for
//   the last start <= i.
// Bindings: 0 uniform Params, 1 segments (read, [segments] of vec2 {start, n}), 2 W (read),
//   3 A (read), 4 Y (read_write).
// Dispatch: (min(g, 65535), ceil(g / 65535), runs) with g = ceil(n / 256); element
//   i = x + y * 65535 * 256 of run z. Bounds: i >= n does nothing.

struct Params {
  n: u32, w_off: u32, w_run: u32, y_off: u32,
  y_run: u32, a_off: u32, a_run: u32, segments: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> segments: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> A: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  let r = id.z;
  if (i >= p.n) {
    return;
  }
  // Invariant: segments[lo].start <= i or lo = 0; segments[hi].start > i or hi = segments.
  var lo = 0u;
  var hi = p.segments;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (segments[mid].x <= i) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  let seg = segments[lo];
  let w = W[p.w_off + r * p.w_run + i];
  var y = w;
  if (i >= seg.x && i - seg.x < seg.y) {
    let s = select(select(0.0, -1.0, w < 0.0), 1.0, w > 0.0);
    y = A[p.a_off + r * p.a_run + lo] * s;
  }
  Y[p.y_off + r * p.y_run + i] = y;
}
