// sgd (PyTorch's SGD): with lr = rates[counters[1]] (the schedule, src/train/lr_schedule.ts),
//   d = G[i] + (wd * decay[i]) * w (d = G[i] when wd = 0);  v = mu*v + d;  u = nesterov ? d + mu*v : v;  w = w - lr*u;
//   then w, v = 0 where mask[i] = 0 (pruned weights and their momentum stay exactly +0).
// Bindings: 0 uniform Params, 1 G (read), 2 mask (read), 3 decay (read, 0/1: which entries weight
//   decay applies to; not read when wd = 0), 4 counters (read, u32), 5 rates (read, f32 [steps]), 6 W (read_write),
//   7 Vel (read_write). G, mask, decay, W, Vel are flat [n] over every run's parameters.
//   A step beyond the rate table uses its last entry.
//   Each invocation updates 4 consecutive entries as one vec4 (n must be a multiple of 4).
// Dispatch: (min(ceil(n / 1024), 65535), ceil(n / (1024*65535)), 1). Bounds: i >= n/4 does nothing.

struct Params {
  n: u32, nesterov: u32, _pad0: u32, _pad1: u32,
  momentum: f32, weight_decay: f32, _pad2: f32, _pad3: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> G: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> mask: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> decay: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> counters: array<u32>;
@group(0) @binding(5) var<storage, read> rates: array<f32>;
@group(0) @binding(6) var<storage, read_write> W: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> Vel: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n / 4u) {
    return;
  }
  let lr = rates[min(counters[1], arrayLength(&rates) - 1u)];
  // select, not a multiply: a pruned entry becomes +0 exactly (x * 0 would keep x's sign).
  let keep = mask[i] > vec4<f32>(0.5);
  let zero = vec4<f32>(0.0);
  let w = W[i];
  var d = G[i];
  // Without weight decay the gradient is used as it is (no + 0 * w), as PyTorch does.
  if (p.weight_decay != 0.0) {
    d = d + (p.weight_decay * decay[i]) * w;
  }
  let v = select(zero, p.momentum * Vel[i] + d, keep);
  let u = select(v, d + p.momentum * v, p.nesterov != 0u);
  W[i] = select(zero, w - lr * u, keep);
  Vel[i] = v;
}
