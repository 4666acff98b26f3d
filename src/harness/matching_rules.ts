/**
 * The rules of a smallest_matching claim (src/harness/smallest_matching.ts): it says what
 * matching means (`matching`, and only it has one), and its selectors walk every level of their
 * arm, so they name no weights_remaining.
 */
import type { CrossRule } from "../config/descriptors.ts";

export const MATCHING_RULES: CrossRule[] = [
  {
    doc: "a claim has matching exactly when its metric is smallest_matching",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const path = `claims[${i}].matching`;
        if (c.metric === "smallest_matching" && c.matching === undefined) {
          fail(
            path,
            "missing; the metric smallest_matching needs matching: {accuracy, tolerance} (e.g. {accuracy: test_accuracy_at_early_stop, tolerance: 0.003})",
            true,
          );
        }
        if (c.metric !== "smallest_matching" && c.matching !== undefined) {
          fail(
            path,
            `applies only to the metric smallest_matching, got the metric ${c.metric}; remove it`,
            true,
          );
        }
      });
    },
  },
  {
    doc:
      "smallest_matching selectors name no weights_remaining (the metric walks every level of the arm)",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        if (c.metric !== "smallest_matching") return;
        for (const role of ["select", "baseline"] as const) {
          if (c[role]?.weights_remaining === undefined) continue;
          fail(
            `claims[${i}].${role}.weights_remaining`,
            "the metric smallest_matching walks every level of the arm from the dense level down; remove weights_remaining",
            true,
          );
        }
      });
    },
  },
];
