// maxpool2d: Y[p, oh, ow] = max_{kh, kw < K} X[p, oh*K + kh, ow*K + kw] for every plane
//   p = (r, b, c); window K = stride K, no padding, OH = floor(H / K), OW = floor(W / K) (the
//   last H - OH*K rows and W - OW*K columns are never read). The scan keeps the first maximum
//   in (kh, kw) order, as maxpool2d_backward does. NaN is not propagated.
// Bindings: 0 uniform Params, 1 X (read, [planes, H, W]), 2 Y (read_write, [planes, OH, OW]).
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), n = planes * OH * OW;
//   output i = x + y * 65535 * 256. Bounds: i >= n does nothing.

struct Params {
  n: u32, H: u32, W: u32, K: u32,
  OH: u32, OW: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  let ow = i % p.OW;
  let t = i / p.OW;
  let oh = t % p.OH;
  let plane = t / p.OH;
  let corner = (plane * p.H + oh * p.K) * p.W + ow * p.K;
  var best = X[corner];
  for (var kh = 0u; kh < p.K; kh++) {
    for (var kw = 0u; kw < p.K; kw++) {
      let v = X[corner + kh * p.W + kw];
      if (v > best) {
        best = v;
      }
    }
  }
  Y[i] = best;
}
