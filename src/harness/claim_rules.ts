/**
 * The rules that tie a claim's fields to each other and to the rest of the config, checked once
 * every field has the right shape: unique ids, a baseline exactly when the statistic compares,
 * one axis for an axis statistic, a threshold that fits the op, arms the procedure produces, and
 * a threshold for the profile being run.
 */
import { type CrossRule, showValue } from "../config/descriptors.ts";
import type { ClaimSelector } from "../config/types.ts";
import { AXIS_STATISTICS, BASELINE_AXIS_STATISTICS } from "./claim_schema.ts";
import { procedureSpecOf } from "./experiment_schema.ts";

/** The selector's list-valued fields: the axis of an argmax / max / min_step statistic. */
function axes(selector: ClaimSelector): string[] {
  return (["arm", "weights_remaining", "width"] as const).filter((key) =>
    Array.isArray(selector[key])
  );
}

/** Statistics whose axis may be a list of arms (an argmax or a step needs ordered numbers). */
const ARM_AXIS_STATISTICS = ["max", "max_difference", "max_ratio"];

export const CLAIM_RULES: CrossRule[] = [
  {
    doc: "a selector names weights_remaining or level, not both",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        for (const key of ["select", "baseline"] as const) {
          const selector = c[key];
          if (selector?.level !== undefined && selector.weights_remaining !== undefined) {
            fail(
              `claims[${i}].${key}.level`,
              `given with weights_remaining ${
                showValue(selector.weights_remaining)
              }; a selector picks its level by one of them, so remove the other`,
            );
          }
        }
      });
    },
  },
  {
    doc: "claim ids are unique",
    check(cfg, fail) {
      const seen = new Set<string>();
      cfg.claims.forEach((c, i) => {
        if (seen.has(c.id)) {
          fail(
            `claims[${i}].id`,
            `duplicate claim id ${JSON.stringify(c.id)}; give each claim its own id`,
          );
        }
        seen.add(c.id);
      });
    },
  },
  {
    doc:
      "a claim has a baseline exactly when its statistic is difference, ratio, max_difference or max_ratio",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const needsBaseline = c.statistic === "difference" || c.statistic === "ratio" ||
          (BASELINE_AXIS_STATISTICS as readonly string[]).includes(c.statistic);
        if (!needsBaseline && c.baseline) {
          fail(
            `claims[${i}].baseline`,
            `a "${c.statistic}" statistic takes no baseline; remove it or use difference or ratio`,
            true,
          );
        }
        if (needsBaseline && !c.baseline) {
          fail(
            `claims[${i}].baseline`,
            `missing; a "${c.statistic}" statistic needs a baseline selector (arm, weights_remaining)`,
            true,
          );
        }
      });
    },
  },
  {
    doc:
      "argmax, max, min_step, max_difference and max_ratio claims select exactly one list (the axis; an arm list only for max, max_difference and max_ratio), their baselines at most one; other claims select single values",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const axisStatistic = (AXIS_STATISTICS as readonly string[]).includes(c.statistic);
        for (const role of ["select", "baseline"] as const) {
          const selector = c[role];
          if (!selector) continue;
          const lists = axes(selector);
          const allowed = role === "select" ? [1] : [0, 1];
          if (axisStatistic && !allowed.includes(lists.length)) {
            fail(
              `claims[${i}].${role}`,
              `a "${c.statistic}" statistic needs ${
                role === "select" ? "exactly" : "at most"
              } one list (arm, weights_remaining or width) as its axis, got ${
                lists.length === 0 ? "none" : lists.join(" and ")
              }`,
            );
          }
          if (lists.includes("arm") && !ARM_AXIS_STATISTICS.includes(c.statistic)) {
            fail(
              `claims[${i}].${role}.arm`,
              `a "${c.statistic}" statistic cannot run along arms; give one arm, or use ${
                ARM_AXIS_STATISTICS.join(", ")
              }`,
            );
          }
          if (!axisStatistic && lists.length > 0) {
            fail(
              `claims[${i}].${role}.${lists[0]}`,
              `a "${c.statistic}" statistic reads one value; give one number, or use argmax, max or min_step`,
            );
          }
        }
      });
    },
  },
  {
    doc:
      "a min_step_difference claim's baseline lists the same axis field as its selector, with as many values",
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        if (c.statistic !== "min_step_difference" || !c.baseline) return;
        const [axis] = axes(c.select) as ("arm" | "weights_remaining" | "width")[];
        const base = axes(c.baseline);
        if (!axis || axis === "arm") return; // the axis rule reports these
        const selected = c.select[axis] as number[];
        const listed = c.baseline[axis];
        if (base.length !== 1 || base[0] !== axis || !Array.isArray(listed)) {
          fail(
            `claims[${i}].baseline.${axis}`,
            `a "min_step_difference" statistic pairs the baseline with the selector along ${axis}; give the baseline a list of ${selected.length} ${axis} values, got ${
              showValue(listed)
            }`,
          );
        } else if (listed.length !== selected.length) {
          fail(
            `claims[${i}].baseline.${axis}`,
            `expected ${selected.length} values (as many as select.${axis}), got ${listed.length}`,
          );
        }
      });
    },
  },
  {
    doc: 'the op "in" takes a threshold [low, high] with low <= high; other ops take a number',
    check(cfg, fail) {
      cfg.claims.forEach((c, i) => {
        const values = typeof c.threshold === "object" && !Array.isArray(c.threshold)
          ? Object.entries(c.threshold).map(([p, v]) => [`.${p}`, v] as const)
          : [["", c.threshold] as const];
        for (const [suffix, value] of values) {
          const path = `claims[${i}].threshold${suffix}`;
          if (c.op === "in" && !(Array.isArray(value) && value[0] <= value[1])) {
            fail(path, `the op "in" needs [low, high] with low <= high, got ${showValue(value)}`);
          }
          if (c.op !== "in" && Array.isArray(value)) {
            fail(
              path,
              `the op "${c.op}" needs one number, got ${showValue(value)}; or use the op "in"`,
            );
          }
        }
      });
    },
  },
  {
    doc:
      "claims select only arms the config produces (a width or level it lacks reads as missing data)",
    check(cfg, fail) {
      const arms = procedureSpecOf(cfg).arms(cfg);
      cfg.claims.forEach((c, i) => {
        for (const role of ["select", "baseline"] as const) {
          const selector = c[role];
          if (!selector) continue;
          const listed = Array.isArray(selector.arm) ? selector.arm : [selector.arm];
          listed.forEach((arm, j) => {
            if (arms.includes(arm)) return;
            fail(
              `claims[${i}].${role}.arm${Array.isArray(selector.arm) ? `[${j}]` : ""}`,
              `arm ${JSON.stringify(arm)} is not produced by this config; expected one of: ${
                arms.join(", ")
              }`,
            );
          });
        }
      });
    },
  },
  {
    doc: "a per-profile threshold map has a value for the profile being run",
    check(cfg, fail, profile) {
      if (!profile) return;
      cfg.claims.forEach((c, i) => {
        if (
          typeof c.threshold === "object" && !Array.isArray(c.threshold) &&
          c.threshold[profile] === undefined
        ) {
          fail(
            `claims[${i}].threshold`,
            `no value for profile ${profile}; add "${profile}: <number>" to the map`,
          );
        }
      });
    },
  },
];
