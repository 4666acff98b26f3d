// relu_backward: G[i] = G[i] * (H[i] > 0 ? 1 : 0), in place; H is the ReLU output, which is
//   positive exactly where the pre-activation is, so ReLU'(0) = 0.
// Bindings: 0 uniform Params, 1 H (read), 2 G (read_write). Both [n] at offset 0.
// Dispatch: (ceil(n / 256), 1, 1) over all runs at once. Bounds: i >= n does nothing.

struct Params {
  n: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> H: array<f32>;
@group(0) @binding(2) var<storage, read_write> G: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  G[i] = select(0.0, G[i], H[i] > 0.0);
}
