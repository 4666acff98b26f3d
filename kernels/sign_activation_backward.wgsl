// sign_activation_backward: DX[i] = DY[i] * 2 * max(1 - |X[i]|, 0), the straight-through
//   gradient of biprop's binary activation (F_BinAct.backward in chrundle/biprop
//   models/frankle.py, lines 26-31: grad_out * 2 * (1 - |clamp(inp, -1, 1)|)), i.e. the derivative
//   of Bi-Real Net's quadratic spline (-1 below -1, 2x + x^2 on [-1, 0), 2x - x^2 on [0, 1), 1
//   above): 2 at X = 0, 0 at and beyond |X| = 1. X is the activation's input (pre-sign).
// Bindings: 0 uniform Params, 1 X (read), 2 DY (read), 3 DX (read_write). All [n] at offset 0; DX
//   aliases neither input.
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), over all runs at once;
//   element i = x + y * 65535 * 256. Bounds: i >= n does nothing.

struct Params {
  n: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  // 1 - |x| is exact for |x| in [0.5, 1] (Sterbenz) and one rounding below; * 2 is exact.
  let slope = 2.0 * max(1.0 - abs(X[i]), 0.0);
  DX[i] = DY[i] * slope;
}
