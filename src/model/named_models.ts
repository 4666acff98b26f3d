/**
 * The architectures an experiment can name by `model.kind`, as layer lists. Conv-2/4/6 are
 * Frankle & Carbin's (ICLR 2019, Figure 2 and Appendix H, after Simonyan & Zisserman's VGG): pairs
 * of 3x3 convolutions with ReLU, each pair followed by 2x2 max pooling with stride 2, then dense
 * layers 256, 256 and the classes. Ramanujan et al. (CVPR 2020) use the same Conv-2/4/6.
 */
import type { LayerSpec, NamedModelKind } from "../config/types.ts";

/** Channels of each convolution pair, then the hidden dense widths. */
const ARCHITECTURES: Record<NamedModelKind, { pairs: number[]; dense: number[] }> = {
  conv2: { pairs: [64], dense: [256, 256] },
  conv4: { pairs: [64, 128], dense: [256, 256] },
  conv6: { pairs: [64, 128, 256], dense: [256, 256] },
};

/** `floor(width * multiplier)`, at least 1. */
function scaled(width: number, multiplier: number): number {
  return Math.max(1, Math.floor(width * multiplier));
}

/** The layer list of a named architecture with `classes` outputs. */
export function namedModelSpecs(
  kind: NamedModelKind,
  classes: number,
  widthMultiplier = 1,
): LayerSpec[] {
  const { pairs, dense } = ARCHITECTURES[kind];
  const specs: LayerSpec[] = [];
  for (const channels of pairs) {
    const conv = { conv: scaled(channels, widthMultiplier), kernel: 3, stride: 1, padding: 1 };
    specs.push(conv, "relu", { ...conv }, "relu", "maxpool");
  }
  for (const width of dense) specs.push({ dense: scaled(width, widthMultiplier) }, "relu");
  specs.push({ dense: classes });
  return specs;
}
