/**
 * The rules of the data's input handling: `data.normalize` gives one mean and one standard
 * deviation per channel of every listed data set, and `data.augmentation`'s crop padding stays
 * below the image side (a larger one could crop windows of padding alone).
 */
import type { CrossRule } from "../config/descriptors.ts";
import { datasetsOf } from "../config/datasets.ts";
import { DATASETS } from "./experiment_schema.ts";

export const INPUT_RULES: CrossRule[] = [
  {
    doc:
      "data.normalize.mean and data.normalize.std have one entry per channel of the data set (every listed data set's)",
    check(cfg, fail) {
      const normalize = cfg.data.normalize;
      if (!normalize) return;
      for (const name of datasetsOf(cfg.data)) {
        const { channels } = DATASETS[name];
        for (const field of ["mean", "std"] as const) {
          const values = normalize[field];
          if (values.length !== channels) {
            fail(
              `data.normalize.${field}`,
              `expected ${channels} ${
                channels === 1 ? "value" : "values"
              } (one per channel of ${name}), got ${values.length}: [${values.join(", ")}]`,
            );
          }
        }
      }
    },
  },
  {
    doc:
      "data.augmentation.random_crop_padding is below the image side of the data set (every listed data set's)",
    check(cfg, fail) {
      const augmentation = cfg.data.augmentation;
      if (!augmentation) return;
      for (const name of datasetsOf(cfg.data)) {
        const { rows, cols } = DATASETS[name];
        const side = Math.min(rows, cols);
        if (augmentation.random_crop_padding >= side) {
          fail(
            "data.augmentation.random_crop_padding",
            `expected an integer in 0..${
              side - 1
            } (below the ${name} image side, ${rows} x ${cols}), got ${augmentation.random_crop_padding}`,
          );
        }
      }
    },
  },
];
