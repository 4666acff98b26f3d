/**
 * Biprop (Diffenderfer & Kailkhura 2021, "Multi-Prize Lottery Ticket Hypothesis"): a pruned and
 * binarised subnetwork of frozen random weights. Layer l of run r uses
 *   Weff = alpha[r, l] * sign(W) * M,  M = the top-k of |S| per layer,
 *   alpha[r, l] = sum_i |W_i| M_i / sum_i M_i  (0 when the layer keeps nothing),
 * biases (and every other parameter) unchanged, and trains the scores S through
 *   dS = dWeff * W * sign(S),
 * straight through the top-k and the gain, W the frozen weights: edge-popup's rule.
 *
 * From the authors' code (github.com/chrundle/biprop at f709fc5, utils/conv_type.py):
 * - SubnetConv.forward (lines 107-120): `quantnet = GetQuantnet_binary.apply(self.clamped_scores,
 *   self.weight, self.prune_rate)` (112), `w = torch.sign(self.weight) * quantnet` (114), then
 *   F.conv2d with w (116-118); clamped_scores is `self.scores.abs()` (102-105), so the top-k is
 *   of |S| and autograd multiplies the gradient by sign(S) on the way back.
 * - GetQuantnet_binary.forward (60-82): M = 1 on the entries of the largest clamped scores,
 *   `j = int((1 - k) * scores.numel())` of the smallest set to 0 (64-70), so prune_rate k is the
 *   fraction kept (their README: "the fraction of weights remaining"); `alpha = sum(|W| * M) /
 *   int(k * numel)` (73-76); returns `alpha * M` (82).
 * - GetQuantnet_binary.backward (84-89): returns `g * abs_wgt`, g the gradient w.r.t. alpha * M:
 *   nothing flows through alpha, the top-k is straight through. With g = dWeff * sign(W) from
 *   line 114 and sign(S) from the abs, dS = dWeff * sign(W) * |W| * sign(S) = dWeff * W * sign(S)
 *   (sign(W) * |W| = W exactly), so kernels/score_grad.wgsl's edge-popup mode serves unchanged.
 * - Their layers have no biases (utils/builder.py lines 49, 53: bias=False); weights are frozen
 *   (configs: freeze_weights: True) and the optimizer trains the scores.
 * Departures: a layer keeps round(k * n) weights (keepCount, as EdgePopup), theirs
 * n - int((1 - k) * n), i.e. ceil(k * n) up to float rounding; alpha divides by the number kept,
 * theirs by int(k * n) (line 75), i.e. floor(k * n): one less than they keep whenever k * n is
 * not an integer, and a division by zero when k * n < 1 (here alpha is 0 only when nothing is
 * kept). Ties in |S| keep the lower index (their torch.sort leaves the order of ties
 * unspecified). Their global variant (GetGlobalSubnet and GlobalSubnetConv, 123-195: one score
 * threshold for the whole network, alpha over sum(M) at line 140, the same backward) is not
 * implemented.
 *
 * Before every step and every evaluation: the top-k masks (as EdgePopup), then alpha per (run,
 * layer) (kernels/biprop_gain.wgsl), then alpha * sign(W) into a separate buffer with every
 * other entry copied (kernels/binarize_weights.wgsl); the products read that buffer times M.
 */
import { prepareBinarizeWeights } from "../nn/binarize_weights.ts";
import { prepareBipropGain } from "../nn/biprop_gain.ts";
import { checkKeptFractions, prepareLayerTopk } from "./edge_popup.ts";
import type {
  BoundParameterization,
  Parameterization,
  ParameterStore,
} from "./parameterization.ts";
import { bindScored } from "./scored.ts";

export class Biprop implements Parameterization {
  readonly name = "biprop";
  readonly storedTensors = ["scores"];

  /** `keep[r][l]`: the fraction of layer l's weights run r keeps (runs may differ). */
  constructor(readonly keep: readonly (readonly number[])[]) {}

  bind(store: ParameterStore): Promise<BoundParameterization> {
    checkKeptFractions(this.name, store, this.keep);
    const { gpu, pool, runs, layout } = store;
    const layers = layout.layers.length;
    return bindScored(store, async (scores) => {
      const topk = await prepareLayerTopk(store, this.keep, scores);
      // alpha of run r's layer l at r * layers + l.
      const gains = pool.storage("biprop gains", runs * layers * 4);
      const binarized = pool.storage("biprop binarized weights", runs * layout.perRun * 4);
      const gain = await prepareBipropGain(gpu, pool, {
        runs,
        segments: layout.layers.map((layer) => ({
          weightOffset: layer.weightOffset,
          maskOffset: layer.weightOffset,
          length: layer.inputs * layer.outputs,
        })),
        weights: store.params,
        weightRunStride: layout.perRun,
        masks: store.mask,
        maskRunStride: layout.perRun,
        gains,
        gainOffset: 0,
        gainRunStride: layers,
      });
      const binarize = await prepareBinarizeWeights(gpu, pool, {
        n: layout.perRun,
        runs,
        // Weight blocks lie in layer order in the layout (layout.ts), so sorted by start.
        segments: layout.layers.map((layer) => ({
          start: layer.weightOffset,
          length: layer.inputs * layer.outputs,
        })),
        weights: store.params,
        weightOffset: 0,
        weightRunStride: layout.perRun,
        gains,
        gainOffset: 0,
        gainRunStride: layers,
        output: binarized,
        outputOffset: 0,
        outputRunStride: layout.perRun,
      });
      const form = [topk, gain, binarize];
      return { step: form, evaluation: form, productWeights: binarized };
    }, false);
  }
}
