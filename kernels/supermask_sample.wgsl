// supermask_sample: M[m_off + r*m_run + i] = (u < sigmoid(S[s_off + r*s_run + i])) ? 1 : 0,
//   u = rng_unit(key, c) with counter c = base + step*step_stride + r*c_run + i (u32, wrapping)
//   and step = counters[1] (the optimizer step) when FROM_COUNTER, else 0. rng_unit is
//   src/base/rng.ts's u32ToUnit(counterU32(key, c)) bit for bit, so the mask depends only on
//   (key, counter) and not on the dispatch shape.
//   With EXPECTED, no draw: M = (S > 0) ? 1 : 0, the most probable mask (sigmoid(S) > 1/2), which
//   evaluation of a learned supermask uses.
// Bindings: 0 uniform Params, 1 counters (read, u32), 2 S (read, f32 scores),
//   3 M (read_write, f32 0/1).
// Dispatch: (min(g, 65535), ceil(g / 65535), runs) with g = ceil(n / 256); element
//   i = x + y * 65535 * 256 of run z. Bounds: i >= n does nothing.

override FROM_COUNTER: bool = true;
override EXPECTED: bool = false;

struct Params {
  n: u32, s_off: u32, s_run: u32, m_off: u32,
  m_run: u32, key: u32, base: u32, c_run: u32,
  step_stride: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> counters: array<u32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;

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

fn rng_unit(key: u32, counter: u32) -> f32 {
  return f32(mix32(mix32(counter) ^ key) >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 256u;
  let r = id.z;
  if (i >= p.n) {
    return;
  }
  if (EXPECTED) {
    M[p.m_off + r * p.m_run + i] = select(0.0, 1.0, S[p.s_off + r * p.s_run + i] > 0.0);
    return;
  }
  var step = 0u;
  if (FROM_COUNTER) {
    step = counters[1];
  }
  let c = p.base + step * p.step_stride + r * p.c_run + i;
  let prob = 1.0 / (1.0 + exp(-S[p.s_off + r * p.s_run + i]));
  M[p.m_off + r * p.m_run + i] = select(0.0, 1.0, rng_unit(p.key, c) < prob);
}
