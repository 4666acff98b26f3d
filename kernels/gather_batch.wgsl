// gather_batch: X[r, b, f] = (byte(pixels, idx[r, s, b] * F + f) / 255 - mean) / std and
//   Y[r, b] = byte(labels, idx[r, s, b]), with s = counters[0] (the step within the chunk)
//   when FROM_COUNTER, else s = 0. Pixels and labels are uint8 packed 4 to a u32 word,
//   little-endian, so 70,000 MNIST images take 55 MB instead of 220 MB as f32.
// Bindings: 0 uniform Params, 1 pixels (read, u32 words), 2 labels (read, u32 words),
//   3 indices (read, u32 [runs, steps, B]), 4 counters (read, u32), 5 X (read_write, f32
//   [runs, B, F] at x_off), 6 Y (read_write, u32 [runs, B]).
// Dispatch: (ceil(F / 64), B, runs); invocation (f, b, r). Lane f == 0 also writes the label.
// Bounds: f >= F does nothing.

override FROM_COUNTER: bool = true;

struct Params {
  F: u32, B: u32, steps: u32, x_off: u32,
  mean: f32, inv_std: f32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> indices: array<u32>;
@group(0) @binding(4) var<storage, read> counters: array<u32>;
@group(0) @binding(5) var<storage, read_write> X: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<u32>;

fn byte_at(word: u32, byte_index: u32) -> u32 {
  return (word >> (8u * (byte_index & 3u))) & 0xffu;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let f = id.x;
  let b = id.y;
  let r = id.z;
  if (f >= p.F) {
    return;
  }
  var step = 0u;
  if (FROM_COUNTER) {
    step = counters[0];
  }
  let example = indices[(r * p.steps + step) * p.B + b];
  let pixel = example * p.F + f;
  let value = f32(byte_at(pixels[pixel / 4u], pixel)) / 255.0;
  X[p.x_off + (r * p.B + b) * p.F + f] = (value - p.mean) * p.inv_std;
  if (f == 0u) {
    Y[r * p.B + b] = byte_at(labels[example / 4u], example);
  }
}
