import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import { elasticBlockMap, elasticStageOrder, shuffledBlockMap } from "../../src/prune/mod.ts";

/** "0:0;1:1,2;2:3,4" (the authors' --block_mapping) as the source block of each target block. */
function fromMapping(mapping: string): number[] {
  const order: number[] = [];
  for (const pair of mapping.split(";")) {
    const [src, targets] = pair.split(":");
    for (const t of targets.split(",")) order[Number(t)] = Number(src);
  }
  return order;
}

Deno.test("elasticStageOrder gives the authors' inter mappings for every depth pair they ran", () => {
  // Blocks per stage: ResNet-14/20/32/44/56 = 2/3/5/7/9. Mappings from xhchrn/open_lth's
  // cifar_large_scale_exp_*.sh (the "inter" variable of each pair).
  const cases: [number, number, string][] = [
    [2, 3, "0:0;1:1,2"], // 14 -> 20
    [2, 9, "0:0;1:1,2,3,4,5,6,7,8"], // 14 -> 56
    [3, 5, "0:0;1:1,2;2:3,4"], // 20 -> 32
    [3, 7, "0:0;1:1,2,3;2:4,5,6"], // 20 -> 44
    [3, 9, "0:0;1:1,2,3,4;2:5,6,7,8"], // 20 -> 56
    [5, 7, "0:0;1:1,2;2:3,4;3:5;4:6"], // 32 -> 44 (inter12x2)
    [5, 9, "0:0;1:1,2;2:3,4;3:5,6;4:7,8"], // 32 -> 56 (inter1234x2)
    [7, 9, "0:0;1:1,2;2:3,4;3:5;4:6;5:7;6:8"], // 44 -> 56
    [5, 3, "0:0;1:1;3:2"], // 32 -> 20 (inter13)
    [5, 2, "0:0;1:1"], // 32 -> 14 (tail3)
    [7, 3, "0:0;1:1;4:2"], // 44 -> 20
    [7, 5, "0:0;1:1;2:2;3:3;5:4"], // 44 -> 32
    [9, 2, "0:0;1:1"], // 56 -> 14
    [9, 3, "0:0;1:1;5:2"], // 56 -> 20
    [9, 5, "0:0;1:1;3:2;5:3;7:4"], // 56 -> 32 (inter1357)
    [9, 7, "0:0;1:1;2:2;3:3;4:4;5:5;7:6"], // 56 -> 44
    [5, 5, "0:0;1:1;2:2;3:3;4:4"], // same depth: the identity
  ];
  for (const [from, to, mapping] of cases) {
    assert.deepEqual(elasticStageOrder(from, to), fromMapping(mapping), `${from} -> ${to}`);
  }
});

Deno.test("elasticBlockMap labels the first copy kept, later copies replicated, and lists drops", () => {
  const stretch = elasticBlockMap([3, 3, 3], [5, 5, 5]);
  assert.equal(stretch.order, "paper");
  for (const stage of stretch.stages) {
    assert.deepEqual(stage, [
      { source: 0, copy: "kept" },
      { source: 1, copy: "kept" },
      { source: 1, copy: "replicated" },
      { source: 2, copy: "kept" },
      { source: 2, copy: "replicated" },
    ]);
  }
  assert.deepEqual(stretch.dropped, [[], [], []]);
  const squeeze = elasticBlockMap([9, 9, 9], [5, 5, 5]);
  assert.deepEqual(squeeze.stages[1].map((o) => o.source), [0, 1, 3, 5, 7]);
  assert.ok(squeeze.stages.flat().every((o) => o.copy === "kept"));
  assert.deepEqual(squeeze.dropped, [[2, 4, 6, 8], [2, 4, 6, 8], [2, 4, 6, 8]]);
});

Deno.test("a stretch by a whole factor followed by the squeeze back is the identity", () => {
  for (let n = 2; n <= 7; n++) {
    for (let factor = 1; factor <= 4; factor++) {
      const deep = 1 + factor * (n - 1);
      const up = elasticStageOrder(n, deep), down = elasticStageOrder(deep, n);
      assert.deepEqual(down.map((d) => up[d]), Array.from({ length: n }, (_, i) => i), `${n}`);
    }
  }
  // Not a whole factor: 5 -> 7 -> 5 loses a block (the stretch's extra copies go to the front
  // blocks, the squeeze's larger groups to the back, as in the authors' scripts).
  const up = elasticStageOrder(5, 7), down = elasticStageOrder(7, 5);
  assert.deepEqual(down.map((d) => up[d]), [0, 1, 1, 2, 3]);
});

Deno.test("elasticBlockMap refuses stages it cannot map, naming the counts", () => {
  assert.throws(() => elasticStageOrder(1, 3), /a stage of 1 block cannot be stretched to 3/);
  assert.throws(() => elasticStageOrder(3, 0), /the target has 0 residual blocks/);
  assert.throws(() => elasticStageOrder(2.5, 3), /the source has 2.5 residual blocks/);
  assert.throws(
    () => elasticBlockMap([3, 3, 3], [5, 5]),
    /the source has 3 stages and the target 2/,
  );
  assert.deepEqual(elasticStageOrder(3, 1), [0]);
});

Deno.test("shuffledBlockMap permutes the blocks after block 0 within each stage, per seed", () => {
  const paper = elasticBlockMap([3, 3, 3], [9, 9, 9]);
  const a = shuffledBlockMap(paper, new Rng(7, "elastic-test"));
  const b = shuffledBlockMap(paper, new Rng(7, "elastic-test"));
  assert.deepEqual(a, b);
  assert.equal(a.order, "shuffled");
  assert.equal(paper.order, "paper");
  a.stages.forEach((stage, s) => {
    const sources = stage.map((o) => o.source);
    assert.equal(sources[0], 0);
    assert.deepEqual([...sources].sort(), paper.stages[s].map((o) => o.source).sort());
    // Labels follow the new order: the first occurrence of a block is the kept one.
    sources.forEach((source, j) => {
      assert.equal(stage[j].copy, sources.indexOf(source) === j ? "kept" : "replicated");
    });
  });
  // Of 70 distinct orders of {1,1,1,1,2,2,2,2} per stage, seed 7 leaves at least one stage moved,
  // and the stages are shuffled independently.
  const orders = a.stages.map((stage) => stage.map((o) => o.source).join(""));
  assert.ok(orders.some((o) => o !== "011112222"), orders.join(" "));
  assert.ok(new Set(orders).size > 1, orders.join(" "));
  // Another seed gives another map.
  const other = shuffledBlockMap(paper, new Rng(8, "elastic-test"));
  assert.notDeepEqual(other.stages, a.stages);
  // Squeezed maps shuffle too, and keep their dropped blocks.
  const squeezed = shuffledBlockMap(elasticBlockMap([9, 9, 9], [5, 5, 5]), new Rng(1, "t"));
  assert.deepEqual(squeezed.dropped, [[2, 4, 6, 8], [2, 4, 6, 8], [2, 4, 6, 8]]);
  for (const stage of squeezed.stages) {
    assert.deepEqual(stage.map((o) => o.source).sort(), [0, 1, 3, 5, 7]);
  }
});
