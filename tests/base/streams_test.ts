import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng, streamKey } from "../../src/base/rng.ts";
import {
  type AugmentationLineage,
  type StreamId,
  type StreamName,
  STREAMS,
} from "../../src/base/streams.ts";
import { DATASET_NAMES } from "../../src/config/datasets.ts";
import { WEIGHT_INITS } from "../../src/procedures/edge_popup_spec.ts";
import {
  AT_INIT_METHODS,
  SEARCH_METHODS,
  WEIGHT_ABLATIONS,
} from "../../src/procedures/imp_controls.ts";

/**
 * Every entry's (purpose, index) for fixed arguments, as the code drew them before the registry
 * existed: changing a purpose name or an index formula changes every result that draws from it,
 * so such a change must show up here (and in the pinned smoke digests).
 */
const KNOWN: { [N in StreamName]: [Parameters<typeof STREAMS[N]["id"]>, StreamId][] } = {
  validationSplit: [[[], { purpose: "validation-split", index: 0 }]],
  batchOrder: [[[3], { purpose: "batch-order", index: 3 }]],
  init: [[[2], { purpose: "init", index: 2 }]],
  reinit: [[[2, 7, 4], { purpose: "reinit", index: (2 * 1000 + 7) * 1000 + 4 }]],
  impRandomMask: [[[2, 7], { purpose: "random-mask", index: 2 * 1000 + 7 }]],
  secondTicketBatchOrder: [[[3], { purpose: "batch-order ticket-b", index: 3 }]],
  saliencyExamples: [[[3], { purpose: "saliency examples", index: 3 }]],
  augmentation: [
    [[3], { purpose: "augmentation", index: 3 }],
    [[3, "trial"], { purpose: "augmentation", index: 3 }],
    [[3, "ticket-b"], { purpose: "augmentation ticket-b", index: 3 }],
    [[3, "copy"], { purpose: "augmentation copy", index: 3 }],
  ],
  stabilityCopyBatchOrder: [[[3], { purpose: "batch-order stability copy", index: 3 }]],
  atInitShuffle: [[["snip", 2, 7], { purpose: "shuffle snip", index: 2 * 1000 + 7 }]],
  weightAblation: [[["random-signs", 2, 7], {
    purpose: "weight ablation random-signs",
    index: 2 * 1000 + 7,
  }]],
  searchScores: [[["edge-popup", 2, 7], {
    purpose: "search scores edge-popup",
    index: 2 * 1000 + 7,
  }]],
  searchSupermaskSample: [[[7], { purpose: "search supermask sample", index: 7 }]],
  edgePopupDenseInit: [[[3, 50], { purpose: "dense init", index: 3 * 100_000 + 50 }]],
  edgePopupWeights: [
    [["kaiming-normal", 3, 50], {
      purpose: "edge-popup weights kaiming-normal",
      index: 3 * 100_000 + 50,
    }],
    [["signed-kaiming-constant", 1, 8], {
      purpose: "edge-popup weights signed-kaiming-constant",
      index: 100_008,
    }],
  ],
  edgePopupScores: [[[3, 50], { purpose: "edge-popup scores", index: 3 * 100_000 + 50 }]],
  edgePopupRandomMask: [[[3, 50, 2], {
    purpose: "random mask",
    index: (3 * 100_000 + 50) * 100 + 2,
  }]],
  multiPrizeDenseInit: [[[3, 50], { purpose: "multi-prize dense init", index: 3 * 100_000 + 50 }]],
  multiPrizeWeights: [[[3, 50], { purpose: "multi-prize weights", index: 3 * 100_000 + 50 }]],
  multiPrizeScores: [
    [["a", 3, 50], { purpose: "multi-prize scores a", index: 3 * 100_000 + 50 }],
    [["b", 3, 50], { purpose: "multi-prize scores b", index: 3 * 100_000 + 50 }],
  ],
  multiPrizeRandomMask: [[[3, 50, 2], {
    purpose: "multi-prize random mask",
    index: (3 * 100_000 + 50) * 100 + 2,
  }]],
  multiPrizeRandomSigns: [[[3, 50, 2], {
    purpose: "multi-prize random signs",
    index: (3 * 100_000 + 50) * 100 + 2,
  }]],
  tangentInit: [[[3, 50], { purpose: "tangent-space init", index: 3 * 100_000 + 50 }]],
  supermaskRandomCriterion: [[[2, 1], { purpose: "random criterion", index: 2 * 100 + 1 }]],
  supermaskRandomSigns: [[[2], { purpose: "random signs", index: 2 }]],
  supermaskScores: [[[2], { purpose: "supermask scores", index: 2 }]],
  supermaskSample: [[[], { purpose: "supermask sample", index: 0 }]],
  elasticShuffle: [[[14, 20, 2, 7], { purpose: "elastic shuffle 14to20", index: 2 * 1000 + 7 }]],
  elasticReinit: [[[20, 14, 2, 7], { purpose: "elastic reinit 20to14", index: 2 * 1000 + 7 }]],
  elasticRandomMask: [[[14, 20, 2, 7], {
    purpose: "elastic random mask 14to20",
    index: 2 * 1000 + 7,
  }]],
  elasticSnipExamples: [[[3], { purpose: "elastic snip examples", index: 3 }]],
  elasticGraspExamples: [[[3], { purpose: "elastic grasp examples", index: 3 }]],
  transferRandomMask: [[["mnist", 2, 7], {
    purpose: "transfer random mask mnist",
    index: 2 * 1000 + 7,
  }]],
  transferRandomInit: [[["fashion-mnist", 2, 7], {
    purpose: "transfer random init fashion-mnist",
    index: 2 * 1000 + 7,
  }]],
};

/** A value set per argument that crosses every digit's carry: 0, 1, the top of the radix. */
const TRIALS = [0, 1, 2, 99, 100];
const edge = (radix: number) => [0, 1, 2, radix - 2, radix - 1];

/** Arguments of every entry over its documented ranges, boundaries included. */
const GRID: { [N in StreamName]: Parameters<typeof STREAMS[N]["id"]>[] } = {
  validationSplit: [[]],
  batchOrder: TRIALS.map((t) => [t] as [number]),
  init: TRIALS.map((t) => [t] as [number]),
  reinit: TRIALS.flatMap((t) =>
    edge(1000).flatMap((level) => edge(1000).map((r) => [t, level, r] as [number, number, number]))
  ),
  impRandomMask: TRIALS.flatMap((t) => edge(1000).map((level) => [t, level] as [number, number])),
  secondTicketBatchOrder: TRIALS.map((t) => [t] as [number]),
  saliencyExamples: TRIALS.map((t) => [t] as [number]),
  augmentation: TRIALS.flatMap((t) =>
    (["trial", "ticket-b", "copy"] as const).map((lineage) =>
      [t, lineage] as [number, AugmentationLineage]
    )
  ),
  stabilityCopyBatchOrder: TRIALS.map((t) => [t] as [number]),
  atInitShuffle: AT_INIT_METHODS.flatMap((method) =>
    TRIALS.flatMap((t) => edge(1000).map((l) => [method, t, l] as [string, number, number]))
  ),
  weightAblation: WEIGHT_ABLATIONS.flatMap((ablation) =>
    TRIALS.flatMap((t) => edge(1000).map((l) => [ablation, t, l] as [string, number, number]))
  ),
  searchScores: SEARCH_METHODS.flatMap((method) =>
    TRIALS.flatMap((t) => edge(1000).map((l) => [method, t, l] as [string, number, number]))
  ),
  searchSupermaskSample: edge(1000).map((l) => [l] as [number]),
  edgePopupDenseInit: TRIALS.flatMap((t) => edge(100_000).map((w) => [t, w] as [number, number])),
  edgePopupWeights: WEIGHT_INITS.flatMap((init) =>
    TRIALS.flatMap((t) => edge(100_000).map((w) => [init, t, w] as [string, number, number]))
  ),
  edgePopupScores: TRIALS.flatMap((t) => edge(100_000).map((w) => [t, w] as [number, number])),
  edgePopupRandomMask: TRIALS.flatMap((t) =>
    edge(100_000).flatMap((w) => edge(100).map((l) => [t, w, l] as [number, number, number]))
  ),
  multiPrizeDenseInit: TRIALS.flatMap((t) => edge(100_000).map((w) => [t, w] as [number, number])),
  multiPrizeWeights: TRIALS.flatMap((t) => edge(100_000).map((w) => [t, w] as [number, number])),
  multiPrizeScores: (["a", "b"] as const).flatMap((seed) =>
    TRIALS.flatMap((t) => edge(100_000).map((w) => [seed, t, w] as ["a" | "b", number, number]))
  ),
  multiPrizeRandomMask: TRIALS.flatMap((t) =>
    edge(100_000).flatMap((w) => edge(100).map((l) => [t, w, l] as [number, number, number]))
  ),
  multiPrizeRandomSigns: TRIALS.flatMap((t) =>
    edge(100_000).flatMap((w) => edge(100).map((l) => [t, w, l] as [number, number, number]))
  ),
  tangentInit: TRIALS.flatMap((t) => edge(100_000).map((w) => [t, w] as [number, number])),
  supermaskRandomCriterion: TRIALS.flatMap((t) => edge(100).map((l) => [t, l] as [number, number])),
  supermaskRandomSigns: TRIALS.map((t) => [t] as [number]),
  supermaskScores: TRIALS.map((t) => [t] as [number]),
  supermaskSample: [[]],
  elasticShuffle: TRIALS.flatMap((t) =>
    edge(1000).map((level) => [14, 20, t, level] as [number, number, number, number])
  ),
  elasticReinit: TRIALS.flatMap((t) =>
    edge(1000).map((level) => [20, 14, t, level] as [number, number, number, number])
  ),
  elasticRandomMask: TRIALS.flatMap((t) =>
    edge(1000).map((level) => [14, 20, t, level] as [number, number, number, number])
  ),
  elasticSnipExamples: TRIALS.map((t) => [t] as [number]),
  elasticGraspExamples: TRIALS.map((t) => [t] as [number]),
  transferRandomMask: DATASET_NAMES.flatMap((target) =>
    TRIALS.flatMap((t) => edge(1000).map((l) => [target, t, l] as [string, number, number]))
  ),
  transferRandomInit: DATASET_NAMES.flatMap((target) =>
    TRIALS.flatMap((t) => edge(1000).map((l) => [target, t, l] as [string, number, number]))
  ),
};

const names = Object.keys(STREAMS) as StreamName[];
/** Calls an entry's id with arguments from the tables above (typed per entry there). */
const idOf = (name: StreamName, args: readonly unknown[]): StreamId =>
  (STREAMS[name].id as (...a: unknown[]) => StreamId)(...args);

Deno.test("every registry entry keeps its purpose name and index formula", () => {
  for (const name of names) {
    for (const [args, want] of KNOWN[name]) {
      assert.deepEqual(idOf(name, args), want, `${name}(${args.join(", ")})`);
    }
  }
});

Deno.test("an entry's rng and key are the stream of its (purpose, index)", () => {
  for (const name of names) {
    for (const [args, { purpose, index }] of KNOWN[name]) {
      const entry = STREAMS[name] as unknown as {
        rng: (seed: number, ...a: unknown[]) => Rng;
        key: (seed: number, ...a: unknown[]) => number;
      };
      assert.equal(entry.key(20190306, ...args), streamKey(20190306, purpose, index), name);
      assert.equal(entry.rng(7, ...args).key, new Rng(7, purpose, index).key, name);
    }
  }
});

Deno.test("no two entries share a purpose name", () => {
  const owner = new Map<string, StreamName>();
  for (const name of names) {
    for (const args of GRID[name]) {
      const { purpose } = idOf(name, args);
      const first = owner.get(purpose) ?? name;
      assert.equal(first, name, `purpose "${purpose}" is used by ${first} and ${name}`);
      owner.set(purpose, name);
    }
  }
  // The weak-lth / supermask shared dense initialisation is one entry, not two equal names.
  assert.equal(owner.get("init"), "init");
});

Deno.test("no two arguments of the documented ranges share a stream", () => {
  const seen = new Map<string, string>();
  for (const name of names) {
    for (const args of GRID[name]) {
      const { purpose, index } = idOf(name, args);
      const id = `${purpose}\u0000${index}`;
      const call = `${name}(${args.join(", ")})`;
      assert.equal(seen.get(id) ?? call, call, `${call} and ${seen.get(id)} share a stream`);
      seen.set(id, call);
      assert.ok(Number.isSafeInteger(index) && index >= 0 && index < 2 ** 32, call);
    }
  }
});

Deno.test("arguments outside the documented ranges throw instead of aliasing a stream", () => {
  const throws = (name: StreamName, args: unknown[]) =>
    assert.throws(() => idOf(name, args), RangeError, `${name}(${args.join(", ")})`);
  // Without the checks these would be reinit(1, 1, 0) and reinit(2, 0, 5).
  throws("reinit", [1, 0, 1000]);
  throws("reinit", [1, 1000, 5]);
  throws("reinit", [4295, 0, 0]); // index >= 2^32 would wrap onto a small trial's
  throws("reinit", [1, -1, 1]);
  throws("reinit", [1.5, 1, 1]);
  throws("impRandomMask", [1, 1000]);
  throws("edgePopupDenseInit", [1, 100_000]);
  throws("edgePopupWeights", ["kaiming-normal", 1, 100_000]);
  throws("edgePopupScores", [0, -1]);
  throws("edgePopupRandomMask", [1, 8, 100]);
  throws("edgePopupRandomMask", [430, 8, 1]);
  throws("supermaskRandomCriterion", [1, 100]);
  throws("transferRandomMask", ["mnist", 1, 1000]);
  for (
    const name of [
      "batchOrder",
      "init",
      "supermaskRandomSigns",
      "supermaskScores",
      "augmentation",
    ] as const
  ) {
    throws(name, [-1]);
    throws(name, [2 ** 32]);
    throws(name, [NaN]);
  }
  // The schema's own limits (100 trials, 100 rounds, 100 reinit replicates) are inside.
  assert.doesNotThrow(() => STREAMS.reinit.id(100, 100, 100));
  assert.doesNotThrow(() => STREAMS.edgePopupRandomMask.id(100, 99_999, 99));
  assert.doesNotThrow(() => STREAMS.reinit.id(4293, 999, 999));
});

Deno.test("src/ draws only through the registry", () => {
  const src = fileURLToPath(new URL("../../src/", import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]
    );
  const owners = ["base/rng.ts", "base/streams.ts"];
  const offenders = files(src)
    .filter((path) => path.endsWith(".ts") && !owners.includes(relative(src, path)))
    .filter((path) => /new Rng\(|streamKey\(/.test(readFileSync(path, "utf8")))
    .map((path) => relative(src, path));
  assert.deepEqual(offenders, [], "these files build a stream without src/base/streams.ts");
});
