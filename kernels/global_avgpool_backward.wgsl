// global_avgpool_backward: dX[p, s] = dY[p] / S for every plane p = (r, b, c), S = H * W.
// Bindings: 0 uniform Params, 1 dY (read, [planes]), 2 dX (read_write, [planes, S]).
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), n = planes * S;
//   element i = x + y * 65535 * 256. Bounds: i >= n does nothing.

struct Params {
  n: u32, S: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  dX[i] = dY[i / p.S] / f32(p.S);
}
