// tangent_relu: the ReLU of a (primal, tangent) pair, row by row: each row holds [z | dz], 2n wide,
//   Y[row, j] = X[row, j] * [P[row, j mod n] > 0] for j in [0, 2n): forward (P = X) gives
//   [relu(z) | dz * [z > 0]] (the JVP of ReLU, ReLU'(0) = 0); backward (P = the forward input,
//   X = the output gradient) gives the input gradient of both halves under the same pattern.
// Bindings: 0 uniform Params, 1 P (read, [rows, 2n]), 2 X (read, [rows, 2n]; may be P's buffer),
//   3 Y (read_write, [rows, 2n]; aliases neither). Rows are every run's examples together.
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(rows * 2n / 256); element
//   i = x + y * 65535 * 256. Bounds: i >= rows * 2n does nothing.

struct Params {
  total: u32, n: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.total) {
    return;
  }
  let width = 2u * p.n;
  let row = i / width;
  let primal = row * width + (i - row * width) % p.n;
  Y[i] = select(0.0, X[i], P[primal] > 0.0);
}
