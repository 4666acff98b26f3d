// record_metrics: history[slot, r] = totals[r]; totals[r] = 0 for every run r, then
//   slot = counters[2] += 1. One invocation does all runs, so the slot counter has one writer.
// Bindings: 0 uniform Params, 1 totals (read_write, vec2 [runs]), 2 counters (read_write, u32),
//   3 history (read_write, vec2 [slots, runs]).
// Dispatch: (1, 1, 1). Bounds: a slot >= slots is dropped (the caller sizes history).

struct Params {
  runs: u32, slots: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> totals: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> counters: array<u32>;
@group(0) @binding(3) var<storage, read_write> history: array<vec2<f32>>;

@compute @workgroup_size(1)
fn main() {
  let slot = counters[2];
  for (var r = 0u; r < p.runs; r++) {
    if (slot < p.slots) {
      history[slot * p.runs + r] = totals[r];
    }
    totals[r] = vec2<f32>(0.0);
  }
  counters[2] = slot + 1u;
}
