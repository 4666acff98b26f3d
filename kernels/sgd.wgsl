// sgd: d = G[i] + wd*w;  v = mu*v + d;  w = w - lr*v;  then w, v = 0 where mask[i] = 0 (pruned weights and
//   their momentum stay exactly 0).
// Bindings: 0 uniform Params, 1 G (read), 2 mask (read), 3 W (read_write), 4 Vel (read_write).
//   All flat [n] over every run's parameters.
//   Each invocation updates 4 consecutive entries as one vec4 (n must be a multiple of 4).
// Dispatch: (min(ceil(n / 1024), 65535), ceil(n / (1024*65535)), 1). Bounds: i >= n/4 does nothing.

struct Params {
  n: u32, _pad0: u32, _pad1: u32, _pad2: u32,
  lr: f32, momentum: f32, weight_decay: f32, _pad3: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> G: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> mask: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> W: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> Vel: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n / 4u) {
    return;
  }
  // select, not a multiply: a pruned entry becomes +0 exactly (x * 0 would keep x's sign).
  let keep = mask[i] > vec4<f32>(0.5);
  let zero = vec4<f32>(0.0);
  let w = W[i];
  let v = select(zero, p.momentum * Vel[i] + G[i] + p.weight_decay * w, keep);
  W[i] = select(zero, w - p.lr * v, keep);
  Vel[i] = v;
}
