/**
 * The architectures an experiment can name by `model.kind`, as layer lists. Conv-2/4/6 are
 * Frankle & Carbin's (ICLR 2019, Figure 2 and Appendix H, after Simonyan & Zisserman's VGG): pairs
 * of 3x3 convolutions with ReLU, each pair followed by 2x2 max pooling with stride 2, then dense
 * layers 256, 256 and the classes. Ramanujan et al. (CVPR 2020) use the same Conv-2/4/6.
 *
 * ResNet-20/32/56 are He et al.'s CIFAR ResNets (CVPR 2016, Sec. 4.2) as Frankle et al.'s open_lth
 * builds them (models/cifar_resnet.py): a 3x3 convolution of 16 channels without bias, batch norm
 * and ReLU; three stages of n = (depth - 2) / 6 residual blocks of 16, 32 and 64 channels, the
 * first block of the second and third stage at stride 2 (src/model/residual.ts); global average
 * pooling and a dense layer to the classes.
 */
import type { LayerSpec, NamedModelKind } from "../config/types.ts";

/** Channels of each convolution pair, then the hidden dense widths. */
const CONV_ARCHITECTURES = {
  conv2: { pairs: [64], dense: [256, 256] },
  conv4: { pairs: [64, 128], dense: [256, 256] },
  conv6: { pairs: [64, 128, 256], dense: [256, 256] },
};

/** Residual blocks per stage of each CIFAR ResNet: (depth - 2) / 6. */
const RESNET_BLOCKS = { "resnet-20": 3, "resnet-32": 5, "resnet-56": 9 };

/** `floor(width * multiplier)`, at least 1. */
function scaled(width: number, multiplier: number): number {
  return Math.max(1, Math.floor(width * multiplier));
}

function resnetSpecs(blocks: number, classes: number, widthMultiplier: number): LayerSpec[] {
  const specs: LayerSpec[] = [
    { conv: scaled(16, widthMultiplier), kernel: 3, stride: 1, padding: 1, bias: false },
    "batchnorm",
    "relu",
  ];
  [16, 32, 64].forEach((channels, stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      specs.push({ residual: scaled(channels, widthMultiplier), stride });
    }
  });
  specs.push("global_avgpool", { dense: classes });
  return specs;
}

/** The layer list of a named architecture with `classes` outputs. */
export function namedModelSpecs(
  kind: NamedModelKind,
  classes: number,
  widthMultiplier = 1,
): LayerSpec[] {
  if (kind in RESNET_BLOCKS) {
    return resnetSpecs(
      RESNET_BLOCKS[kind as keyof typeof RESNET_BLOCKS],
      classes,
      widthMultiplier,
    );
  }
  const { pairs, dense } = CONV_ARCHITECTURES[kind as keyof typeof CONV_ARCHITECTURES];
  const specs: LayerSpec[] = [];
  for (const channels of pairs) {
    const conv = { conv: scaled(channels, widthMultiplier), kernel: 3, stride: 1, padding: 1 };
    specs.push(conv, "relu", { ...conv }, "relu", "maxpool");
  }
  for (const width of dense) specs.push({ dense: scaled(width, widthMultiplier) }, "relu");
  specs.push({ dense: classes });
  return specs;
}
