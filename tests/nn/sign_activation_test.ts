/**
 * The f64 references of MPT-1/1's binary activation (src/nn/sign_activation*.ts) against what
 * biprop computes: torch.sign forward (sign(0) = 0), and a straight-through gradient that is the
 * derivative of Bi-Real Net's quadratic spline (central differences of signSplineReference away
 * from its kinks), not the hardtanh STE. The GPU kernels are checked against these references by
 * the op table (tests/nn/ops_pool_norm.ts).
 */
import assert from "node:assert/strict";
import { signActivationReference } from "../../src/nn/sign_activation.ts";
import {
  signActivationBackwardReference,
  signSlope,
  signSplineReference,
} from "../../src/nn/sign_activation_backward.ts";

Deno.test("sign forward: +1, -1, and 0 at both zeros (torch.sign)", () => {
  const x = [3, 1e-30, 0, -0, -1e-30, -2.5];
  const y = new Float64Array(x.length);
  signActivationReference(x, y);
  assert.deepEqual(Array.from(y), [1, 1, 0, 0, -1, -1]);
});

Deno.test("sign backward is the derivative of Bi-Real Net's spline: 2(1 - |x|) inside [-1, 1]", () => {
  const H = 1e-6;
  for (let k = -300; k <= 300; k++) {
    const x = k / 200 + 1 / 1024; // off the kinks at -1, 0, 1 by more than H
    const numeric = (signSplineReference(x + H) - signSplineReference(x - H)) / (2 * H);
    // The spline is a quadratic, so the central difference is exact up to rounding (~1e-10).
    assert.ok(
      Math.abs(signSlope(x) - numeric) < 1e-8,
      `x = ${x}: slope ${signSlope(x)}, spline's difference quotient ${numeric}`,
    );
  }
  // The kinks: the peak 2 at 0 (torch.clamp then 2 * (1 - |x|)), 0 at and beyond |x| = 1.
  assert.deepEqual([-1.5, -1, -0.5, 0, 0.25, 1, 7].map(signSlope), [0, 0, 1, 2, 1.5, 0, 0]);
  // The spline is continuous and equals sign outside (-1, 1).
  assert.deepEqual([-2, -1, 0, 1, 2].map(signSplineReference), [-1, -1, 0, 1, 1]);
  const dx = new Float64Array(3);
  signActivationBackwardReference([0.5, -0.75, 2], [4, -2, 9], dx);
  assert.deepEqual(Array.from(dx), [4, -1, 0]);
});
