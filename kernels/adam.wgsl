// adam (PyTorch's Adam, L2 weight decay added to the gradient): with t = counters[1] + 1 and
//   (c1, c2, lr) = table[t - 1] = (1 / (1 - b1^t), 1 / (1 - b2^t), the step's learning rate)
//   precomputed in f64 on the CPU (a pow per element is the most expensive instruction here on
//   CPU adapters; the rate follows the schedule, src/train/lr_schedule.ts):
//   g = G[i] + (wd * decay[i]) * w (g = G[i] when wd = 0);
//   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
//   w = w - lr * (m * c1) / (sqrt(v * c2) + eps);  then w, m, v = 0 where mask[i] = 0.
//   Masking the update keeps pruned weights and both moments exactly 0 whatever the gradient.
// Bindings: 0 uniform Params, 1 G (read), 2 mask (read), 3 counters (read, u32),
//   4 table (read, vec4 [steps]: c1, c2, lr, unused), 5 W (read_write), 6 Mom (read_write, first
//   moment), 7 Vel (read_write, second moment), 8 decay (read, 0/1: which entries weight decay
//   applies to; not read when wd = 0). G, mask, W, Mom, Vel, decay are flat [n] over all runs.
//   A step beyond the table uses its last entry (both corrections tend to 1).
//   Each invocation updates 4 consecutive entries as one vec4 (n must be a multiple of 4).
// Dispatch: (min(ceil(n / 1024), 65535), ceil(n / (1024*65535)), 1). Bounds: i >= n/4 does nothing.

struct Params {
  n: u32, _pad0: u32, _pad1: u32, _pad2: u32,
  weight_decay: f32, beta1: f32, beta2: f32, eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> G: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> mask: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> counters: array<u32>;
@group(0) @binding(4) var<storage, read> table: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> W: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> Mom: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> Vel: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> decay: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  if (i >= p.n / 4u) {
    return;
  }
  let step = table[min(counters[1], arrayLength(&table) - 1u)];
  let w = W[i];
  var g = G[i];
  // Without weight decay the gradient is used as it is (no + 0 * w), as PyTorch does.
  if (p.weight_decay != 0.0) {
    g = g + (p.weight_decay * decay[i]) * w;
  }
  // select, not a multiply: a pruned entry becomes +0 exactly (x * 0 would keep x's sign).
  let keep = mask[i] > vec4<f32>(0.5);
  let zero = vec4<f32>(0.0);
  let m = select(zero, p.beta1 * Mom[i] + (1.0 - p.beta1) * g, keep);
  let v = select(zero, p.beta2 * Vel[i] + (1.0 - p.beta2) * g * g, keep);
  let m_hat = m * step.x;
  let v_hat = v * step.y;
  W[i] = select(zero, w - step.z * m_hat / (sqrt(v_hat) + p.eps), keep);
  Mom[i] = m;
  Vel[i] = v;
}
