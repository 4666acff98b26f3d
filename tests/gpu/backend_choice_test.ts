import assert from "node:assert/strict";
import { chooseBackend } from "../../src/gpu/backend_choice.ts";

const probes = (driver: boolean, adapter: string | null) => {
  let asked = 0;
  return {
    asked: () => asked,
    probes: {
      driverPresent: () => driver,
      vulkanAdapter: () => {
        asked++;
        return Promise.resolve(adapter);
      },
    },
  };
};

Deno.test("auto takes Vulkan when Vulkan has an adapter", async () => {
  const p = probes(true, "llvmpipe");
  assert.deepEqual(await chooseBackend("auto", p.probes), { backend: "vulkan", fallback: null });
});

Deno.test("auto falls back to GL with a reason when no Vulkan driver is installed", async () => {
  const p = probes(false, null);
  const decision = await chooseBackend("auto", p.probes);
  assert.equal(decision.backend, "gl");
  assert.match(decision.fallback!, /no Vulkan driver is installed.*uses GL.*mesa-vulkan-drivers/);
  assert.equal(p.asked(), 0, "no probe without a driver");
});

Deno.test("auto falls back to GL with a reason when the Vulkan driver offers no adapter", async () => {
  const decision = await chooseBackend("auto", probes(true, null).probes);
  assert.equal(decision.backend, "gl");
  assert.match(decision.fallback!, /offers no adapter, so --backend auto uses GL/);
});

Deno.test("an explicit backend is used as asked, without probing", async () => {
  for (const backend of ["vulkan", "gl"] as const) {
    const p = probes(false, null);
    assert.deepEqual(await chooseBackend(backend, p.probes), { backend, fallback: null });
    assert.equal(p.asked(), 0);
  }
});
