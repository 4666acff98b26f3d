// maxpool2d_backward: dX[p, h, w] = dY[p, h / K, w / K] if (h, w) is the argmax of its window
//   (the first maximum in (kh, kw) scan order, PyTorch's tie rule, recomputed from X), else 0;
//   inputs outside every window (h >= OH*K or w >= OW*K, floor pooling) get 0. Window K =
//   stride K, so each input lies in at most one window; dX is written in full, no atomics.
// Bindings: 0 uniform Params, 1 X (read, [planes, H, W]), 2 dY (read, [planes, OH, OW]),
//   3 dX (read_write, [planes, H, W]).
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), n = planes * H * W;
//   input i = x + y * 65535 * 256. Bounds: i >= n does nothing.

struct Params {
  n: u32, H: u32, W: u32, K: u32,
  OH: u32, OW: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  let w = i % p.W;
  let t = i / p.W;
  let h = t % p.H;
  let plane = t / p.H;
  let oh = h / p.K;
  let ow = w / p.K;
  if (oh >= p.OH || ow >= p.OW) {
    dX[i] = 0.0;
    return;
  }
  let corner = (plane * p.H + oh * p.K) * p.W + ow * p.K;
  var best = X[corner];
  var best_at = corner;
  for (var kh = 0u; kh < p.K; kh++) {
    for (var kw = 0u; kw < p.K; kw++) {
      let at = corner + kh * p.W + kw;
      let v = X[at];
      if (v > best) {
        best = v;
        best_at = at;
      }
    }
  }
  dX[i] = select(0.0, dY[(plane * p.OH + oh) * p.OW + ow], best_at == i);
}
