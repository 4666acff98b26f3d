import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { maskOverlap, randomMask } from "../../src/prune/mod.ts";
import { cohenKappa } from "../../src/prune/mask_overlap.ts";

const mask = (bits: string) => Float32Array.from(bits, (c) => Number(c));

Deno.test("kappa is 1 for the same mask and (|A & B| / |A| - d) / (1 - d) for equal counts", () => {
  const a = mask("1100000000");
  assert.equal(maskOverlap([a], [a]).kappa, 1);
  // |A & B| = 1 of |A| = 2, d = 0.2: (0.5 - 0.2) / 0.8 = 0.375.
  const b = mask("1010000000");
  assert.ok(Math.abs(maskOverlap([a], [b]).kappa - 0.375) < 1e-15);
  // Disjoint: (0 - 0.2) / 0.8 = -0.25.
  assert.ok(Math.abs(maskOverlap([a], [mask("0011000000")]).kappa + 0.25) < 1e-15);
});

Deno.test("pooled over layers: counts summed, not kappas averaged; per-layer values beside it", () => {
  const { kappa, kappa_per_layer } = maskOverlap(
    [mask("1100000000"), mask("10")],
    [mask("1010000000"), mask("10")],
  );
  assert.ok(Math.abs(kappa_per_layer[0] - 0.375) < 1e-15);
  assert.equal(kappa_per_layer[1], 1);
  // Pooled: n 12, |A| = |B| = 3, |A & B| = 2, d = 0.25: (2/3 - 0.25) / 0.75 = 5/9.
  assert.ok(Math.abs(kappa - 5 / 9) < 1e-15);
});

Deno.test("independent random masks have kappa near 0; nothing pruned is undefined", () => {
  const rng = new Rng(5, "kappa-test");
  const values = Array.from(
    { length: 20 },
    () => maskOverlap([randomMask(10000, 500, rng)], [randomMask(10000, 500, rng)]).kappa,
  );
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  // Each has sd sqrt(d / (K (1 - d))) = 0.0103; the mean of 20, 0.0023.
  assert.ok(Math.abs(mean) < 0.012, `mean kappa ${mean}`);
  assert.ok(Number.isNaN(maskOverlap([mask("11")], [mask("11")]).kappa));
});

Deno.test("different counts: Cohen's kappa from the agreement and the marginals", () => {
  // n 4, A keeps 2, B keeps 1, both 1: agree = (4 - 2 - 1 + 2) / 4 = 0.75,
  // chance = 0.5 * 0.25 + 0.5 * 0.75 = 0.5, kappa = 0.5.
  assert.equal(cohenKappa({ n: 4, keptA: 2, keptB: 1, both: 1 }), 0.5);
  assert.throws(() => maskOverlap([mask("10")], [mask("100")]), /layer 0: masks of 2 and 3/);
});
