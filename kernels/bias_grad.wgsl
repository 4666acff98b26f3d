// bias_grad: db[r, o] = sum_{b=0..B-1} sum_{s=0..S-1} dY[r, b, o, s], b outer and s inner, each in
//   increasing order (fixed order). S is the spatial size per channel: 1 for a dense layer
//   (dY [runs, B, O]), OH*OW for a convolution (dY [runs, B, O, OH, OW]).
// Bindings: 0 uniform Params, 1 dY (read, [runs, B, O, S]), 2 G (read_write; db at
//   g_off + r*g_run + o).
// Dispatch: (ceil(O / 64), 1, runs); invocation (o, r). Bounds: o >= O does nothing.

struct Params {
  B: u32, O: u32, S: u32, g_off: u32,
  g_run: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read_write> G: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let o = id.x;
  let r = id.z;
  if (o >= p.O) {
    return;
  }
  var sum = 0.0;
  for (var b = 0u; b < p.B; b++) {
    let base = ((r * p.B + b) * p.O + o) * p.S;
    for (var s = 0u; s < p.S; s++) {
      sum += dY[base + s];
    }
  }
  G[p.g_off + r * p.g_run + o] = sum;
}
