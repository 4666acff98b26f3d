// score_grad: dS[d_off + r*d_run + i] = G[g_off + r*g_run + i] * W[w_off + r*w_run + i] * f(s),
//   s = S[w_off + r*w_run + i]. Edge-popup (SIGMOID off): f(s) = sign(s), because the mask is the
//   top-k of |s|: the gradient passes straight through the top-k to |s|, then through |.|.
//   Without the sign a negative score would move against its gradient and training diverges.
//   Biprop (G w.r.t. alpha*sign(W)*mask) takes the same mode: its authors' backward returns
//   g * |W| for alpha*mask with g = G * sign(W), then sign(s) through |s|: G * W * sign(s).
//   Bernoulli supermask (SIGMOID on): f(s) = sigmoid(s) * (1 - sigmoid(s)), straight through the
//   sample and through the sigmoid. G is the unmasked gradient w.r.t. the effective weight
//   W*mask; scores share the weights' layout.
// Bindings: 0 uniform Params, 1 G (read), 2 W (read), 3 S (read), 4 dS (read_write).
// Dispatch: (min(g, 65535), ceil(g / 65535), runs) with g = ceil(n / 256); element
//   i = x + y * 65535 * 256 of run z. Bounds: i >= n does nothing.

override SIGMOID: bool = false;

struct Params {
  n: u32, g_off: u32, g_run: u32, w_off: u32,
  w_run: u32, d_off: u32, d_run: u32, _pad0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> S: array<f32>;
@group(0) @binding(4) var<storage, read_write> dS: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  let r = id.z;
  if (i >= p.n) {
    return;
  }
  let w = p.w_off + r * p.w_run + i;
  var d = G[p.g_off + r * p.g_run + i] * W[w];
  if (SIGMOID) {
    // sigmoid'(s) = e / (1 + e)^2 with e = exp(-|s|): no cancellation in 1 - sigmoid(s).
    let e = exp(-abs(S[w]));
    d *= e / ((1.0 + e) * (1.0 + e));
  } else {
    d *= sign(S[w]);
  }
  dS[p.d_off + r * p.d_run + i] = d;
}
