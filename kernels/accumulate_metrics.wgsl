// accumulate_metrics: totals[r] += sum_{b=0..B-1} rows[r, b] (loss sum, correct count), summed
//   in increasing b by one invocation per run: a fixed reduction order, no atomics. Counts stay
//   exact in f32 up to 2^24 examples.
// Bindings: 0 uniform Params, 1 rows (read, vec2 [runs, B]), 2 totals (read_write, vec2 [runs]).
// Dispatch: (1, 1, runs). Bounds: one invocation per run.

struct Params {
  B: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> rows: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> totals: array<vec2<f32>>;

@compute @workgroup_size(1)
fn main(@builtin(workgroup_id) g: vec3<u32>) {
  let r = g.z;
  var sum = totals[r];
  for (var b = 0u; b < p.B; b++) {
    sum += rows[r * p.B + b];
  }
  totals[r] = sum;
}
