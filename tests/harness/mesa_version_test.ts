import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mesaVersion } from "../../src/harness/mesa_version.ts";
import type { AdapterProvenance } from "../../src/gpu/mod.ts";

const llvmpipe = (backend: "vulkan" | "gl"): AdapterProvenance => ({
  backend,
  description: "llvmpipe (LLVM 15.0.6, 256 bits)",
  vendor: "65541",
  architecture: "",
  device: "0",
  isFallbackAdapter: true,
  features: [],
  limits: {},
});

/** A fake system: an ICD manifest naming a library, a GL driver, each with a version string. */
function fakeSystem() {
  const root = mkdtempSync(join(tmpdir(), "mesa-version-test-"));
  const icd = join(root, "icd.d");
  const lib = join(root, "lib");
  mkdirSync(icd);
  mkdirSync(join(lib, "dri"), { recursive: true });
  const binary = (version: string) => {
    const bytes = new Uint8Array(100_000);
    bytes.set(new TextEncoder().encode(`\0Mesa ${version}\0`), 77_000);
    // A decoy earlier in the file: "Mesa " followed by no version.
    bytes.set(new TextEncoder().encode("Mesa driver"), 10);
    return bytes;
  };
  writeFileSync(join(lib, "libvulkan_lvp.so"), binary("23.1.4"));
  writeFileSync(
    join(icd, "lvp_icd.x86_64.json"),
    JSON.stringify({ ICD: { library_path: join(lib, "libvulkan_lvp.so") } }),
  );
  writeFileSync(join(icd, "nvidia_icd.json"), JSON.stringify({ ICD: { library_path: "x.so" } }));
  writeFileSync(join(lib, "dri", "swrast_dri.so"), binary("23.1.5"));
  return { root, search: { icdDirs: [icd], libDirs: [lib] } };
}

Deno.test("lavapipe on Vulkan: the version comes from the ICD's library", () => {
  const { root, search } = fakeSystem();
  try {
    assert.equal(mesaVersion(llvmpipe("vulkan"), search), "23.1.4");
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("llvmpipe on GL: the version comes from the GL driver, or libgallium's name", () => {
  const { root, search } = fakeSystem();
  try {
    assert.equal(mesaVersion(llvmpipe("gl"), search), "23.1.5");
    writeFileSync(join(search.libDirs[0], "libgallium-24.2.8-1.so"), "no string inside");
    assert.equal(mesaVersion(llvmpipe("gl"), search), "24.2.8");
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("a version in the description wins; a non-Mesa adapter has none", () => {
  const empty = { icdDirs: [], libDirs: [] };
  assert.equal(
    mesaVersion({ ...llvmpipe("gl"), description: "AMD Radeon (radeonsi, Mesa 22.3.6)" }, empty),
    "22.3.6",
  );
  const nvidia = { ...llvmpipe("vulkan"), description: "NVIDIA H100", vendor: "4318" };
  const { root, search } = fakeSystem();
  try {
    assert.equal(mesaVersion(nvidia, search), null);
    assert.equal(mesaVersion(null, search), null);
    // Mesa, but its library cannot be found: unknown, not a guess.
    assert.equal(mesaVersion(llvmpipe("vulkan"), empty), null);
  } finally {
    rmSync(root, { recursive: true });
  }
});
