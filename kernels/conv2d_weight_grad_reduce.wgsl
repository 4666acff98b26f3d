// conv2d_weight_grad_reduce: G[w_off + r*w_run + i] = GM * sum_{s=0..S-1} P[(s*runs + r)*n + i],
//   the slices added in increasing s (fixed order); GM the gradient mask entry at the same index
//   as G if GRAD_MASK, applied as select(0, v*GM, GM != 0) so a masked entry is exactly +0.
//   P holds one partial weight gradient per slice of the batch (kernels/conv2d_weight_grad.wgsl
//   with SPLIT), n = O*C*k*k weights per run.
// Bindings: 0 uniform Params, 1 P (read, [S, runs, n]), 2 GM (read, G's layout; any buffer
//   without GRAD_MASK), 3 G (read_write, flat gradients).
// Dispatch: (min(ceil(runs*n / 256), 65535), ceil(ceil(runs*n / 256) / 65535), 1); invocation
//   index t = id.x + id.y * 65535 * 256 covers (r, i) = (t / n, t % n). Bounds: t >= runs*n
//   does nothing.

override GRAD_MASK: bool = false;

struct Params {
  n: u32, runs: u32, slices: u32, w_off: u32,
  w_run: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read> GM: array<f32>;
@group(0) @binding(3) var<storage, read_write> G: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let t = id.x + id.y * 65535u * 256u;
  if (t >= p.runs * p.n) {
    return;
  }
  let r = t / p.n;
  let i = t - r * p.n;
  var sum = 0.0;
  for (var s = 0u; s < p.slices; s++) {
    sum += P[(s * p.runs + r) * p.n + i];
  }
  let at = p.w_off + r * p.w_run + i;
  if (GRAD_MASK) {
    sum = select(0.0, sum * GM[at], GM[at] != 0.0);
  }
  G[at] = sum;
}
