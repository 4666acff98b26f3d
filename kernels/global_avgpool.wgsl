// global_avgpool: Y[p] = (sum_{s=0..S-1} X[p, s]) / S for every plane p = (r, b, c), S = H * W,
//   summed in increasing s (fixed order) by one invocation.
// Bindings: 0 uniform Params, 1 X (read, [planes, S]), 2 Y (read_write, [planes]).
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(planes / 256); plane
//   i = x + y * 65535 * 256. Bounds: i >= planes does nothing.

struct Params {
  planes: u32, S: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.planes) {
    return;
  }
  var sum = 0.0;
  for (var s = 0u; s < p.S; s++) {
    sum += X[i * p.S + s];
  }
  Y[i] = sum / f32(p.S);
}
