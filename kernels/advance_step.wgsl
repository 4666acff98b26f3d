// advance_step: counters[0] += 1 (step within the chunk), counters[1] += 1 (optimizer step t).
//   Recorded last in every training step, so the next step's gather and optimizer see it.
// Bindings: 0 uniform Params (unused fields; kept so every kernel has the same binding 0),
//   1 counters (read_write, u32 [3]).
// Dispatch: (1, 1, 1).

struct Params {
  increment: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> counters: array<u32>;

@compute @workgroup_size(1)
fn main() {
  counters[0] += p.increment;
  counters[1] += p.increment;
}
