// sign_activation: Y[i] = sign(X[i]) = (X[i] > 0 ? 1 : (X[i] < 0 ? -1 : 0)), torch.sign's values
//   (sign(+-0) = 0), the forward of biprop's binary activation (MPT-1/1: F_BinAct.forward in
//   chrundle/biprop models/frankle.py, line 19, `return torch.sign(inp)`).
// Bindings: 0 uniform Params, 1 X (read), 2 Y (read_write). Both [n] at offset 0; Y is another
//   buffer than X (WebGPU forbids binding one buffer as both read and read_write in a dispatch).
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), over all runs at once;
//   element i = x + y * 65535 * 256. Bounds: i >= n does nothing.

struct Params {
  n: u32, _pad0: u32, _pad1: u32, _pad2: u32,
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
  let x = X[i];
  // Explicit selects rather than WGSL's sign(): +0 for both zeros on every backend.
  Y[i] = select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);
}
