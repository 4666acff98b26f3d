/**
 * The rules of an experiment on several data sets (`data.dataset` a list): each is listed once,
 * and every claim selector names the data set it reads, one the experiment runs on (with one
 * data set a selector may name it, and nothing else).
 */
import { type CrossRule, showValue } from "../config/descriptors.ts";
import { datasetsOf, listsDatasets } from "../config/datasets.ts";

export const DATASET_RULES: CrossRule[] = [
  {
    doc: "data.dataset, when a list, names each data set once",
    check(cfg, fail) {
      if (!listsDatasets(cfg.data)) return;
      const seen = new Set<string>();
      datasetsOf(cfg.data).forEach((name, i) => {
        if (seen.has(name)) {
          fail(`data.dataset[${i}]`, `${JSON.stringify(name)} is listed twice; list each once`);
        }
        seen.add(name);
      });
    },
  },
  {
    doc:
      "claim selectors name a data set the experiment runs on (data.dataset), and name one whenever data.dataset is a list",
    check(cfg, fail) {
      const names = datasetsOf(cfg.data);
      const listed = `${names.join(", ")} (data.dataset)`;
      cfg.claims.forEach((claim, i) => {
        for (const role of ["select", "baseline"] as const) {
          const selector = claim[role];
          if (!selector) continue;
          const path = `claims[${i}].${role}.dataset`;
          if (selector.dataset === undefined) {
            if (listsDatasets(cfg.data)) {
              fail(
                path,
                `missing; the experiment runs on ${listed}: name the one this ${role} reads`,
                true,
              );
            }
            continue;
          }
          if (!names.includes(selector.dataset)) {
            fail(
              path,
              `expected a data set the experiment runs on: ${listed}, got ${
                showValue(selector.dataset)
              }`,
            );
          }
        }
      });
    },
  },
];
