import assert from "node:assert/strict";
import { Rng } from "../../src/base/rng.ts";
import type { NamedModelKind } from "../../src/config/types.ts";
import { buildModel, namedModelSpecs, type ParamLayout } from "../../src/model/mod.ts";
import {
  countKept,
  type ElasticBlockMap,
  elasticBlockMap,
  elasticTicket,
  paperBlockMap,
  type ResNetSide,
  type ResNetTicket,
  shuffledBlockMap,
} from "../../src/prune/mod.ts";

const CIFAR = { channels: 3, height: 32, width: 32 };
const BLOCKS: Record<string, number> = { "resnet-20": 3, "resnet-32": 5, "resnet-56": 9 };

function side(kind: NamedModelKind, classes = 10, width = 1, image = CIFAR): ResNetSide {
  const specs = namedModelSpecs(kind, classes, width);
  return { specs, layout: buildModel(specs, image).layout };
}

/**
 * The tensor names of each block, from the architecture alone (independent of the code under
 * test): the stem is conv1/bn1, then every block has conv a, conv b and, first in stages 2 and 3,
 * a projection, numbered on; conv<i> and bn<i> share i because the stem has one of each.
 */
function blockNames(n: number): string[][][] {
  let next = 2;
  return [0, 1, 2].map((stage) =>
    Array.from({ length: n }, (_, j) => {
      const count = stage > 0 && j === 0 ? 3 : 2;
      const ids = Array.from({ length: count }, (_, k) => next + k);
      next += count;
      return ids.map(String);
    })
  );
}

/** A ticket of `kind` whose every tensor entry is a distinct nonzero number, with random masks. */
function numberedTicket(kind: NamedModelKind, seed: number): ResNetTicket {
  const { specs, layout } = side(kind);
  const params = new Float32Array(layout.perRun), state = new Float32Array(layout.statePerRun);
  let value = 1 + seed * 1e6; // distinct across seeds, exact in f32 (< 2^24)
  for (const l of layout.layers) {
    for (let i = 0; i < l.inputs * l.outputs; i++) params[l.weightOffset + i] = value++;
    if (l.bias) { for (let i = 0; i < l.outputs; i++) params[l.biasOffset + i] = value++; }
  }
  for (const n of layout.norms) {
    for (let c = 0; c < n.channels; c++) {
      params[n.gammaOffset + c] = value++;
      params[n.betaOffset + c] = value++;
      state[n.meanOffset + c] = -(value++);
      state[n.varOffset + c] = value++;
    }
  }
  // Per-layer densities from 0.1 to 0.9 so layers differ in kept counts.
  const rng = new Rng(seed, "elastic-test-masks");
  const masks = layout.layers.map((l, i) => {
    const density = 0.1 + (0.8 * i) / layout.layers.length;
    return Float32Array.from(
      { length: l.inputs * l.outputs },
      () => rng.nextUnit() < density ? 1 : 0,
    );
  });
  return { specs, layout, network: { params, state }, masks };
}

function bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Every tensor of one weight layer and its batch norm, by number i (conv<i>/bn<i>) or name. */
function tensors(
  layout: ParamLayout,
  params: Float32Array,
  state: Float32Array,
  masks: readonly Float32Array[],
  layerName: string,
  normName?: string,
): Record<string, Float32Array> {
  const l = layout.layers.findIndex((b) => b.name === layerName);
  assert.ok(l >= 0, `no layer ${layerName}`);
  const b = layout.layers[l];
  const out: Record<string, Float32Array> = {
    weight: params.subarray(b.weightOffset, b.weightOffset + b.inputs * b.outputs),
    bias: params.subarray(b.biasOffset, b.biasOffset + b.outputs),
    mask: masks[l],
  };
  if (normName) {
    const n = layout.norms.find((x) => x.name === normName)!;
    assert.ok(n, `no norm ${normName}`);
    const c = n.channels;
    out.gamma = params.subarray(n.gammaOffset, n.gammaOffset + c);
    out.beta = params.subarray(n.betaOffset, n.betaOffset + c);
    out.mean = state.subarray(n.meanOffset, n.meanOffset + c);
    out.var = state.subarray(n.varOffset, n.varOffset + c);
  }
  return out;
}

/** Asserts the target tensor `tName` equals the source tensor `sName` byte for byte. */
function assertSame(
  source: ResNetTicket,
  target: { layout: ParamLayout; params: Float32Array; state: Float32Array; masks: Float32Array[] },
  s: [string, string?],
  t: [string, string?],
): void {
  const a = tensors(source.layout, source.network.params, source.network.state, source.masks, ...s);
  const b = tensors(target.layout, target.params, target.state, target.masks, ...t);
  for (const key of Object.keys(a)) {
    assert.deepEqual(bytes(b[key]), bytes(a[key]), `target ${t.join("/")} ${key} vs source ${s}`);
  }
}

/**
 * Checks a transformed ticket tensor by tensor against the map, by names; that every parameter
 * and statistic outside the tensors is 0 (nothing else written); returns the expected kept count.
 */
function checkTicket(
  source: ResNetTicket,
  targetKind: NamedModelKind,
  map: ElasticBlockMap,
  result: { network: { params: Float32Array; state: Float32Array }; masks: Float32Array[] },
): number {
  const { layout } = side(targetKind);
  const target = { layout, ...result.network, masks: result.masks };
  assertSame(source, target, ["conv1", "bn1"], ["conv1", "bn1"]);
  assertSame(source, target, ["fc1"], ["fc1"]);
  const srcNames = blockNames(
    source.specs.filter((x) => typeof x === "object" && "residual" in x).length / 3,
  );
  const dstNames = blockNames(BLOCKS[targetKind]);
  let expectedKept = countKept(source.masks[0]) + countKept(source.masks[source.masks.length - 1]);
  map.stages.forEach((stage, i) => {
    stage.forEach((origin, j) => {
      const from = srcNames[i][origin.source], to = dstNames[i][j];
      assert.equal(from.length, to.length);
      from.forEach((id, k) => {
        assertSame(source, target, [`conv${id}`, `bn${id}`], [`conv${to[k]}`, `bn${to[k]}`]);
        expectedKept += countKept(source.masks[Number(id) - 1]);
      });
    });
  });
  // Every value written is a numbered (nonzero) source value; the rest (padding, bias slots of
  // layers without bias) stays 0.
  const written =
    layout.layers.reduce((n, l) => n + l.inputs * l.outputs + (l.bias ? l.outputs : 0), 0) +
    layout.norms.reduce((n, x) => n + 2 * x.channels, 0);
  assert.equal(result.network.params.filter((v) => v !== 0).length, written);
  assert.equal(
    result.network.state.filter((v) => v !== 0).length,
    layout.norms.reduce((n, x) => n + 2 * x.channels, 0),
  );
  assert.equal(result.masks.reduce((n, m) => n + countKept(m), 0), expectedKept);
  return expectedKept;
}

Deno.test("stretching a ResNet-20 ticket to ResNet-32 copies every tensor from its mapped block", () => {
  const source = numberedTicket("resnet-20", 1);
  const target = side("resnet-32");
  const map = paperBlockMap(source, target);
  assert.deepEqual(map, elasticBlockMap([3, 3, 3], [5, 5, 5]));
  const result = elasticTicket(source, target, map);
  assert.equal(result.map, map);
  assert.equal(result.masks.length, target.layout.layers.length);
  const kept = checkTicket(source, "resnet-32", map, result);
  // Stem and head (checked above by name) and each stage's first block are the source's own.
  const r20 = blockNames(3), r32 = blockNames(5);
  const t = { layout: target.layout, ...result.network, masks: result.masks };
  for (let s = 0; s < 3; s++) {
    assert.deepEqual(map.stages[s][0], { source: 0, copy: "kept" });
    r20[s][0].forEach((id, k) =>
      assertSame(source, t, [`conv${id}`, `bn${id}`], [`conv${r32[s][0][k]}`, `bn${r32[s][0][k]}`])
    );
  }
  // Source blocks 1 and 2 each fill two targets: per stage, kept(target) = kept(block 0) +
  // 2 * (kept(block 1) + kept(block 2)).
  const blockKept = (names: string[]) =>
    names.reduce((n, id) => n + countKept(source.masks[Number(id) - 1]), 0);
  let expected = countKept(source.masks[0]) + countKept(source.masks[source.masks.length - 1]);
  for (const stage of r20) {
    expected += blockKept(stage[0]) + 2 * (blockKept(stage[1]) + blockKept(stage[2]));
  }
  assert.equal(kept, expected);
  // The target keeps a larger share than the source: the replicated blocks are the denser ones
  // here (densities rise with depth), and nothing was re-pruned to a preset sparsity.
  const total = (ms: readonly Float32Array[]) => ms.reduce((n, m) => n + m.length, 0);
  assert.ok(
    kept / total(result.masks) >
      source.masks.reduce((n, m) => n + countKept(m), 0) / total(source.masks),
  );
});

Deno.test("squeezing a ResNet-32 ticket to ResNet-20 keeps blocks 0, 1 and 3 of each stage", () => {
  const source = numberedTicket("resnet-32", 2);
  const target = side("resnet-20");
  const map = paperBlockMap(source, target);
  for (const stage of map.stages) assert.deepEqual(stage.map((o) => o.source), [0, 1, 3]);
  assert.deepEqual(map.dropped, [[2, 4], [2, 4], [2, 4]]);
  checkTicket(source, "resnet-20", map, elasticTicket(source, target, map));
  // ResNet-56 -> 20 and -> 32 too.
  const deep = numberedTicket("resnet-56", 3);
  for (const kind of ["resnet-20", "resnet-32"] as const) {
    const m = paperBlockMap(deep, side(kind));
    checkTicket(deep, kind, m, elasticTicket(deep, side(kind), m));
  }
});

Deno.test("a whole-factor stretch and the squeeze back return the original ticket byte for byte", () => {
  for (
    const [small, big] of [["resnet-20", "resnet-32"], ["resnet-20", "resnet-56"], [
      "resnet-32",
      "resnet-56",
    ]] as const
  ) {
    const source = numberedTicket(small, 4);
    const up = elasticTicket(source, side(big), paperBlockMap(source, side(big)));
    const stretched = { ...side(big), network: up.network, masks: up.masks };
    const down = elasticTicket(stretched, side(small), paperBlockMap(stretched, side(small)));
    assert.deepEqual(bytes(down.network.params), bytes(source.network.params), `${small}->${big}`);
    assert.deepEqual(bytes(down.network.state), bytes(source.network.state), `${small}->${big}`);
    down.masks.forEach((m, l) => assert.deepEqual(bytes(m), bytes(source.masks[l])));
  }
  // The other way round loses the dropped blocks: 32 -> 20 -> 32 has block 1's copy where block
  // 2 was, so it is not the original.
  const source = numberedTicket("resnet-32", 5);
  const down = elasticTicket(source, side("resnet-20"), paperBlockMap(source, side("resnet-20")));
  const squeezed = { ...side("resnet-20"), network: down.network, masks: down.masks };
  const back = elasticTicket(
    squeezed,
    side("resnet-32"),
    paperBlockMap(squeezed, side("resnet-32")),
  );
  assert.notDeepEqual(bytes(back.network.params), bytes(source.network.params));
  const r32 = blockNames(5);
  // Target block 2 of stage 1 is a replica of block 1 (which was source block 1).
  const t = { layout: side("resnet-32").layout, ...back.network, masks: back.masks };
  r32[0][1].forEach((id, k) =>
    assertSame(source, t, [`conv${id}`, `bn${id}`], [`conv${r32[0][2][k]}`, `bn${r32[0][2][k]}`])
  );
});

Deno.test("the shuffled-order control copies the same blocks in its own order", () => {
  const source = numberedTicket("resnet-20", 6);
  const target = side("resnet-56");
  const paper = paperBlockMap(source, target);
  const shuffled = shuffledBlockMap(paper, new Rng(11, "elastic-test-order"));
  assert.notDeepEqual(shuffled.stages, paper.stages);
  const a = elasticTicket(source, target, shuffled);
  const keptShuffled = checkTicket(source, "resnet-56", shuffled, a);
  const keptPaper = checkTicket(source, "resnet-56", paper, elasticTicket(source, target, paper));
  assert.equal(keptShuffled, keptPaper);
  // Deterministic per seed.
  const again = elasticTicket(
    source,
    target,
    shuffledBlockMap(paper, new Rng(11, "elastic-test-order")),
  );
  assert.deepEqual(bytes(again.network.params), bytes(a.network.params));
  assert.deepEqual(bytes(again.network.state), bytes(a.network.state));
});

Deno.test("elasticTicket refuses models of different families and tickets that do not fit", () => {
  const source = numberedTicket("resnet-20", 7);
  const map = elasticBlockMap([3, 3, 3], [5, 5, 5]);
  assert.throws(
    () => elasticTicket(source, side("resnet-32", 10, 2), map),
    /the source's stem is \[\{conv: 16.*\] and the target's \[\{conv: 32.*width_multiplier/,
  );
  assert.throws(
    () => elasticTicket(source, side("resnet-32", 100), map),
    /the source's head is \[global_avgpool, \{dense: 10\}\] and the target's \[global_avgpool, \{dense: 100\}\]/,
  );
  assert.throws(
    () =>
      elasticTicket(source, side("resnet-32", 10, 1, { channels: 1, height: 28, width: 28 }), map),
    /the source takes 3072 input features and the target 784; build both .* on the same data set/,
  );
  const conv4 = namedModelSpecs("conv4", 10);
  assert.throws(
    () => paperBlockMap(source, { specs: conv4, layout: buildModel(conv4, CIFAR).layout }),
    /the target has no residual blocks .*namedModelSpecs\("resnet-<depth>"\)/,
  );
  assert.throws(
    () => elasticTicket({ ...source, masks: source.masks.slice(1) }, side("resnet-32"), map),
    /the source ticket has 21 masks for 22 weight layers/,
  );
  assert.throws(
    () =>
      elasticTicket(
        { ...source, masks: [...source.masks.slice(0, -1), new Float32Array(3)] },
        side("resnet-32"),
        map,
      ),
    /the source mask of fc1 has 3 entries, the layer 640/,
  );
  assert.throws(
    () =>
      elasticTicket(
        { ...source, network: { ...source.network, state: new Float32Array(5) } },
        side("resnet-32"),
        map,
      ),
    /running statistics, its layout/,
  );
  assert.throws(
    () => elasticTicket(source, side("resnet-56"), map),
    /the block map goes from \[3,3,3\] to \[5,5,5\] blocks per stage, the ticket from \[3,3,3\] to \[9,9,9\]/,
  );
  assert.throws(
    () =>
      elasticTicket(source, side("resnet-32"), {
        ...map,
        stages: map.stages.map((s) => s.map((o, j) => j === 1 ? { ...o, source: 5 } : o)),
      }),
    /sends source block 5 of stage 1 to target block 1, but that stage has 3 blocks/,
  );
  // A projection block (block 0 of stages 2 and 3) cannot land on an identity-shortcut block.
  assert.throws(
    () =>
      elasticTicket(source, side("resnet-32"), {
        ...map,
        stages: map.stages.map((s) => s.map((o, j) => j === 1 ? { ...o, source: 0 } : o)),
      }),
    /stage 2, target block 1: the source part has 3 weight layers and the target 2/,
  );
});
