// gather_batch: X[r, b, f] = (byte(pixels, idx[r, s, b] * F + src(f)) / 255 - mean[c]) / std[c]
//   and Y[r, b] = byte(labels, idx[r, s, b]), with s = counters[0] (the step within the chunk)
//   when FROM_COUNTER, else s = 0, and c = f / plane the channel of feature f (images are
//   channel-major, F = channels * plane, plane = rows * cols; one channel: c = 0, so a grey data
//   set's scalar mean and 1/std give the bits they gave before channels existed). Pixels and
//   labels are uint8 packed 4 to a u32 word, little-endian, so 70,000 MNIST images take 55 MB
//   instead of 220 MB as f32.
//   Without AUGMENT, src(f) = f. With AUGMENT (training only), torchvision's
//   RandomCrop(size = (rows, cols), padding = P) then RandomHorizontalFlip(): output pixel
//   (c, y, x) reads padded pixel (c, y + dy, x' + dx) with x' = cols - 1 - x when flipped, else
//   x, where the padded image is the raw byte image with P zero bytes on every side. A pixel of
//   the padding is byte 0, so it gathers as (0 - mean[c]) / std[c] exactly as torchvision
//   (which pads the raw image before ToTensor and Normalize), not as 0.
//   The draws: t = counters[1] (the optimizer step since reset, the global step), key = keys[r]
//   (the run's augmentation stream key), k = rng(key, t) and u_j = rng(k, 3 * b + j) with
//   rng(key, c) = mix32(mix32(c) ^ key) (src/base/rng.ts's counterU32), so the draws depend on
//   (key, step, slot b) only, not on the dispatch shape, and need no upload per step.
//   dy = floor(u_0 * (2P + 1) / 2^32), dx = floor(u_1 * (2P + 1) / 2^32) (offsets 0..2P, as
//   torch's randint(0, h - th + 1)), flipped = FLIP and u_2 >= 2^31 (probability 1/2).
// Bindings: 0 uniform Params, 1 pixels (read, u32 words), 2 labels (read, u32 words),
//   3 indices (read, u32 [runs, steps, B]), 4 counters (read, u32), 5 X (read_write, f32
//   [runs, B, F] at x_off), 6 Y (read_write, u32 [runs, B]), 7 keys (read, u32 [runs]; read
//   only with AUGMENT).
// Dispatch: (ceil(F / 64), B, runs); invocation (f, b, r). Lane f == 0 also writes the label.
// Bounds: f >= F does nothing.

override FROM_COUNTER: bool = true;
// More than one channel: c = f / plane; one channel: c = 0 without the division.
override PER_CHANNEL: bool = false;
override AUGMENT: bool = false;
override FLIP: bool = false;

struct Params {
  F: u32, B: u32, steps: u32, x_off: u32,
  plane: u32, rows: u32, cols: u32, padding: u32,
  // One entry per channel (at most 4); a grey data set uses entry 0.
  mean: vec4<f32>,
  inv_std: vec4<f32>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> indices: array<u32>;
@group(0) @binding(4) var<storage, read> counters: array<u32>;
@group(0) @binding(5) var<storage, read_write> X: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<u32>;
@group(0) @binding(7) var<storage, read> keys: array<u32>;

fn byte_at(word: u32, byte_index: u32) -> u32 {
  return (word >> (8u * (byte_index & 3u))) & 0xffu;
}

// Wellons' triple32, as mix32 in src/base/rng.ts (u32 products wrap like Math.imul).
fn mix32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 17u;
  x *= 0xed5ad4bbu;
  x ^= x >> 11u;
  x *= 0xac4c1b51u;
  x ^= x >> 15u;
  x *= 0x31848babu;
  x ^= x >> 14u;
  return x;
}

fn rng_u32(key: u32, counter: u32) -> u32 {
  return mix32(mix32(counter) ^ key);
}

// floor(u * n / 2^32) exactly for n < 2^16, in 32-bit arithmetic: the high half of u times n
// plus the carry of the low half.
fn below(u: u32, n: u32) -> u32 {
  return ((u >> 16u) * n + (((u & 0xffffu) * n) >> 16u)) >> 16u;
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
  var c = 0u;
  if (PER_CHANNEL) {
    c = f / p.plane;
  }
  var byte = 0u;
  if (AUGMENT) {
    let within = f - c * p.plane;
    let y = within / p.cols;
    var x = within - y * p.cols;
    let k = rng_u32(keys[r], counters[1]);
    let span = 2u * p.padding + 1u;
    let dy = below(rng_u32(k, 3u * b), span);
    let dx = below(rng_u32(k, 3u * b + 1u), span);
    if (FLIP && rng_u32(k, 3u * b + 2u) >= 0x80000000u) {
      x = p.cols - 1u - x;
    }
    // Coordinates in the unpadded image; outside it the padded byte is 0.
    let sy = i32(y + dy) - i32(p.padding);
    let sx = i32(x + dx) - i32(p.padding);
    if (sy >= 0 && sy < i32(p.rows) && sx >= 0 && sx < i32(p.cols)) {
      let pixel = example * p.F + c * p.plane + u32(sy) * p.cols + u32(sx);
      byte = byte_at(pixels[pixel / 4u], pixel);
    }
  } else {
    let pixel = example * p.F + f;
    byte = byte_at(pixels[pixel / 4u], pixel);
  }
  let value = f32(byte) / 255.0;
  X[p.x_off + (r * p.B + b) * p.F + f] = (value - p.mean[c]) * p.inv_std[c];
  if (f == 0u) {
    Y[r * p.B + b] = byte_at(labels[example / 4u], example);
  }
}
