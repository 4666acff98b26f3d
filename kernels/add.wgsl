// add: Y[i] = A[i] + B[i], or relu(A[i] + B[i]) = (A[i] + B[i] > 0 ? A[i] + B[i] : 0) with RELU
//   (a residual block's relu(main + shortcut)), or A[i] - B[i] with SUBTRACT (a linearized
//   network's step theta - theta0); Y aliases neither input (WebGPU forbids binding one buffer as
//   both read and read_write in a dispatch).
// Bindings: 0 uniform Params, 1 A (read), 2 B (read), 3 Y (read_write). All [n] at offset 0.
// Dispatch: (min(g, 65535), ceil(g / 65535), 1) with g = ceil(n / 256), over all runs at once;
//   element i = x + y * 65535 * 256. Bounds: i >= n does nothing.

override RELU: bool = false;
override SUBTRACT: bool = false;

struct Params {
  n: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n) {
    return;
  }
  let sum = select(A[i] + B[i], A[i] - B[i], SUBTRACT);
  if (RELU) {
    Y[i] = select(0.0, sum, sum > 0.0);
  } else {
    Y[i] = sum;
  }
}
