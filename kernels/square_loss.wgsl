// square_loss: for row (r, b) with logits z[0..C) and label y:
//   loss = 1/2 sum_c (z_c - [c == y])^2;  dZ[c] = (z_c - [c == y]) * scale;
//   correct = (argmax z == y), the lowest index winning ties (as softmax_xent).
// Bindings: 0 uniform Params, 1 Z (read, [runs, B, C]), 2 Y (read, u32 [runs, B]),
//   3 dZ (read_write, [runs, B, C]), 4 rows (read_write, vec2 [runs, B]: loss, correct).
// Dispatch: (ceil(B / 64), 1, runs); invocation (b, r). Bounds: b >= B does nothing.

struct Params {
  B: u32, C: u32, _pad0: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<u32>;
@group(0) @binding(3) var<storage, read_write> dZ: array<f32>;
@group(0) @binding(4) var<storage, read_write> rows: array<vec2<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let b = id.x;
  let r = id.z;
  if (b >= p.B) {
    return;
  }
  let row = r * p.B + b;
  let base = row * p.C;
  let label = Y[row];
  var best = Z[base];
  var best_index = 0u;
  var loss = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let z = Z[base + c];
    if (z > best) {
      best = z;
      best_index = c;
    }
    let error = z - select(0.0, 1.0, c == label);
    loss += 0.5 * error * error;
    dZ[base + c] = error * p.scale;
  }
  rows[row] = vec2<f32>(loss, select(0.0, 1.0, best_index == label));
}
