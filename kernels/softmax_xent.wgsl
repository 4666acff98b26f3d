// softmax_xent: for row (r, b) with logits z[0..C) and label y:
//   loss = log(sum_c exp(z_c - max z)) + max z - z_y;  dZ[c] = (softmax(z)_c - [c == y]) * scale;
//   correct = (argmax z == y), the lowest index winning ties. Max is subtracted for stability.
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
  for (var c = 1u; c < p.C; c++) {
    let z = Z[base + c];
    if (z > best) {
      best = z;
      best_index = c;
    }
  }
  var total = 0.0;
  for (var c = 0u; c < p.C; c++) {
    total += exp(Z[base + c] - best);
  }
  let log_total = log(total);
  for (var c = 0u; c < p.C; c++) {
    let probability = exp(Z[base + c] - best - log_total);
    dZ[base + c] = (probability - select(0.0, 1.0, c == label)) * p.scale;
  }
  let loss = log_total + best - Z[base + min(label, p.C - 1u)];
  rows[row] = vec2<f32>(loss, select(0.0, 1.0, best_index == label));
}
