// bias_grad: db[r, o] = sum_{b=0..B-1} dY[r, b, o], summed in increasing b (fixed order).
// Bindings: 0 uniform Params, 1 dY (read, [runs, B, O]), 2 G (read_write; db at
//   g_off + r*g_run + o).
// Dispatch: (ceil(O / 64), 1, runs); invocation (o, r). Bounds: o >= O does nothing.

struct Params {
  B: u32, O: u32, g_off: u32, g_run: u32,
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
    sum += dY[(r * p.B + b) * p.O + o];
  }
  G[p.g_off + r * p.g_run + o] = sum;
}
