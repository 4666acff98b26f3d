/**
 * Expected wall time of one `reproduce` run, per experiment and profile, on the two kinds of
 * machine the README reports: a 2-core CPU running Mesa's lavapipe and one data-centre GPU
 * (NVIDIA H100, Vulkan). Measured values come from the README's "Last verdicts" and
 * "Performance" sections and from smoke runs on the 2-core VM (start-up and data loading
 * included); "est." marks an extrapolation from the measured per-step times, not a run.
 * Update this table when a profile or the engine's speed changes.
 */
import type { ProfileName } from "../config/profiles.ts";

export interface RunTime {
  cpu: string;
  gpu: string;
}

export const RUN_TIMES: Record<string, Record<ProfileName, RunTime>> = {
  "weak-lth": {
    smoke: { cpu: "20 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "15-20 min", gpu: "about 1 min (est.)" },
    paper: { cpu: "about a day (est.)", gpu: "about 1 h (est.)" },
  },
  "strong-lth": {
    smoke: { cpu: "5 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "16 min", gpu: "about 1 min (est.)" },
    // Conv-4 on CIFAR-10: 33 runs of 35,200 steps at batch 128 (about 1.2M run-steps of a net
    // with about 2.2x Conv-2's multiply-adds), about twice weak-lth-conv's paper profile.
    paper: { cpu: "1-2 months (est.)", gpu: "3-6 h (est.)" },
  },
  "ticket-overlap": {
    smoke: { cpu: "1.5 min", gpu: "under 20 s (est.)" },
    quick: { cpu: "15.5 min (cores shared)", gpu: "about 1 min (est.)" },
    paper: { cpu: "about 3 days (est.)", gpu: "about 3 h (est.)" },
  },
  "ticket-ablations": {
    smoke: { cpu: "1.5 min", gpu: "under 20 s (est.)" },
    quick: { cpu: "10 min (cores shared)", gpu: "about 1 min (est.)" },
    paper: { cpu: "about 2 days (est.)", gpu: "about 2 h (est.)" },
  },
  stability: {
    smoke: { cpu: "35 s", gpu: "under 20 s (est.)" },
    quick: { cpu: "7 min", gpu: "about 1 min (est.)" },
    paper: { cpu: "about 2 days (est.)", gpu: "about 2 h (est.)" },
  },
  "ticket-scaling": {
    smoke: { cpu: "50 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "15-20 min", gpu: "1-2 min (est.)" },
    paper: { cpu: "about 1.5 days (est.)", gpu: "about 1.5 h (est.)" },
  },
  "weak-lth-conv": {
    smoke: { cpu: "22 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "18 min", gpu: "about 1 min (est.)" },
    paper: { cpu: "about a month (est.)", gpu: "2-4 h (est.)" },
  },
  // Conv-4 / Conv-6 paper profiles: 145 runs of 25,000 / 30,000 steps (3.6M / 4.4M run-steps
  // against Conv-2's 2.7M) at about 2.2x / 3.5x Conv-2's multiply-adds per image.
  "weak-lth-conv4": {
    smoke: { cpu: "25 s (cores shared)", gpu: "under 10 s (est.)" },
    quick: { cpu: "15.5 min (cores shared)", gpu: "about 1 min (est.)" },
    paper: { cpu: "about 3 months (est.)", gpu: "6-12 h (est.)" },
  },
  "weak-lth-conv6": {
    smoke: { cpu: "27 s (cores shared)", gpu: "under 10 s (est.)" },
    quick: { cpu: "14 min (cores shared)", gpu: "about 1 min (est.)" },
    paper: { cpu: "about 6 months (est.)", gpu: "10-20 h (est.)" },
  },
  // ResNet-20 paper profiles: 45 (k = 500) or 39 (k = 0) runs of about 62,500 steps at batch 128;
  // ResNet-20 trains at about 51 images/s on lavapipe (bench/train_bench.ts).
  "stability-resnet20": {
    smoke: { cpu: "35 s", gpu: "under 20 s (est.)" },
    quick: { cpu: "18.5 min (cores shared)", gpu: "1-2 min (est.)" },
    paper: { cpu: "about 3 months (est.)", gpu: "5-20 h (est.)" },
  },
  "stability-resnet20-init": {
    smoke: { cpu: "25 s", gpu: "under 20 s (est.)" },
    quick: { cpu: "13.5 min (cores shared)", gpu: "1-2 min (est.)" },
    paper: { cpu: "about 3 months (est.)", gpu: "5-20 h (est.)" },
  },
  // Paper: per trial 19 ResNet-20 and 19 ResNet-32 runs (IMP's 11 levels and the 8 transfer arms)
  // of about 62,500 steps at batch 128, about 145 ResNet-20 runs' worth for 3 trials; GraSP and
  // SynFlow on the CPU add about 3 min per trial and target.
  "elastic": {
    smoke: { cpu: "45 s", gpu: "under 20 s (est.)" },
    quick: {
      cpu: "16.5 min (cores shared)",
      gpu: "1-2 min (est.)",
    },
    paper: { cpu: "about 9 months (est.)", gpu: "17-70 h (est.)" },
  },
  "multi-prize": {
    smoke: { cpu: "8 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "16.5 min (cores shared)", gpu: "about 1 min (est.)" },
    // Conv-4 on CIFAR-10: 3 trials x (2 k x 4 searched arms + dense) = 27 runs of 35,200 steps.
    paper: { cpu: "1-2 months (est.)", gpu: "3-6 h (est.)" },
  },
  supermask: {
    smoke: { cpu: "15 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "10-12 min", gpu: "under 1 min (est.)" },
    paper: { cpu: "about 1 h (est.)", gpu: "about 5 min (est.)" },
  },
  // Paper: each level trains both IMP lineages, two transferred and two random tickets (30 runs
  // of 5 trials), 21 levels of 50,000 steps: about 3.6x weak-lth's paper profile.
  "ticket-transfer": {
    smoke: { cpu: "1 min", gpu: "under 20 s (est.)" },
    quick: { cpu: "18 min (cores shared)", gpu: "1-2 min (est.)" },
    paper: { cpu: "about 4 days (est.)", gpu: "about 4 h (est.)" },
  },
  "linearized-tickets": {
    smoke: { cpu: "20 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "9.5 min", gpu: "about 1 min (est.)" },
    paper: { cpu: "about 2 days (est.)", gpu: "about 2 h (est.)" },
  },
  "tangent-space": {
    smoke: { cpu: "7 s", gpu: "under 10 s (est.)" },
    quick: { cpu: "12 min", gpu: "1-2 min (est.)" },
    paper: { cpu: "about a week (est.)", gpu: "about 1 h (est.)" },
  },
};

/** What each profile is for, and its time range over the experiments above. */
export const PROFILES: Record<ProfileName, { what: string; cpu: string; gpu: string }> = {
  smoke: {
    what: "pipeline check at CI size; claims not evaluated",
    cpu: "5-20 s",
    gpu: "under 10 s (est.)",
  },
  quick: {
    what: "reduced protocol sized for a CPU",
    cpu: "3-20 min",
    gpu: "about 1 min",
  },
  paper: {
    what: "the paper's protocol (3-5 trials)",
    cpu: "1 h to 3 days (est.)",
    gpu: "5 min to 2 h (est.)",
  },
};

export function runTime(experiment: string, profile: ProfileName): RunTime {
  return RUN_TIMES[experiment]?.[profile] ?? { cpu: "not measured", gpu: "not measured" };
}
