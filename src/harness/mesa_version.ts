/**
 * The Mesa version of the driver behind the adapter, for provenance: llvmpipe (lavapipe on
 * Vulkan, llvmpipe on GL) rounds differently from one Mesa release to the next, so results on a
 * software adapter are only comparable with the version. WebGPU's adapter info does not carry it
 * (the description is "llvmpipe (LLVM 15.0.6, 256 bits)"), but every Mesa driver library embeds
 * "Mesa <version>" as its driver-info string: the Vulkan ICD manifests name the library, and GL
 * drivers live in the dri folders (or, since Mesa 24, in libgallium-<version>.so).
 */
import { Buffer } from "node:buffer";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import type { AdapterProvenance } from "../gpu/mod.ts";

/** Where to look; a parameter so tests can point at fixture files. */
export interface MesaSearch {
  icdDirs: string[];
  libDirs: string[];
}

const LIB_DIRS = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/usr/local/lib",
];

export const SYSTEM_SEARCH: MesaSearch = {
  icdDirs: ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"],
  libDirs: LIB_DIRS,
};

/** Mesa's PCI-style vendor id (VK_VENDOR_ID_MESA = 0x10005), reported by llvmpipe. */
const MESA_VENDOR_ID = String(0x10005);

/** Mesa drivers by adapter description: the Vulkan library's and the GL driver's name stems. */
const DRIVERS: { pattern: RegExp; vulkan: string; gl: string }[] = [
  { pattern: /llvmpipe|lavapipe|softpipe/i, vulkan: "lvp", gl: "swrast" },
  { pattern: /RADV|radeonsi/i, vulkan: "radeon", gl: "radeonsi" },
  { pattern: /Intel.*Mesa|ANV|iris/i, vulkan: "intel", gl: "iris" },
];

const VERSION = /Mesa ([0-9]+\.[0-9]+(?:\.[0-9]+)?(?:-devel)?)/;

/** "22.3.6" when Mesa drives the adapter and its version can be read, else null. */
export function mesaVersion(
  adapter: AdapterProvenance | null,
  search: MesaSearch = SYSTEM_SEARCH,
): string | null {
  if (!adapter) return null;
  const stated = `${adapter.description} ${adapter.architecture}`.match(VERSION);
  if (stated) return stated[1];
  const driver = DRIVERS.find((d) => d.pattern.test(adapter.description));
  if (!driver && adapter.vendor !== MESA_VENDOR_ID) return null;
  const libraries = adapter.backend === "vulkan"
    ? vulkanLibraries(search, driver?.vulkan ?? "lvp")
    : glLibraries(search, driver?.gl ?? "swrast");
  for (const library of libraries) {
    const version = versionIn(library);
    if (version) return version;
  }
  return null;
}

/** Libraries named by the ICD manifests whose file name contains `stem`. */
function vulkanLibraries(search: MesaSearch, stem: string): string[] {
  const out: string[] = [];
  for (const dir of search.icdDirs) {
    for (const name of listing(dir).filter((n) => n.endsWith(".json"))) {
      let library: unknown;
      try {
        library = JSON.parse(readFileSync(join(dir, name), "utf8"))?.ICD?.library_path;
      } catch {
        continue;
      }
      if (typeof library !== "string" || !basename(library).includes(stem)) continue;
      if (isAbsolute(library)) out.push(library);
      else if (library.includes("/")) out.push(join(dir, library));
      else out.push(...search.libDirs.map((lib) => join(lib, library)));
    }
  }
  return out.filter((path) => existsSync(path));
}

/** The GL driver (dri/<stem>_dri.so) or Mesa 24's shared libgallium-<version>.so. */
function glLibraries(search: MesaSearch, stem: string): string[] {
  const out: string[] = [];
  for (const lib of search.libDirs) {
    out.push(
      ...listing(lib).filter((n) => /^libgallium-.*\.so$/.test(n)).map((n) => join(lib, n)),
    );
    out.push(join(lib, "dri", `${stem}_dri.so`));
  }
  return out.filter((path) => existsSync(path));
}

function listing(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The first "Mesa <version>" in a file's bytes (a library's driver-info string). */
function versionIn(path: string): string | null {
  const gallium = basename(path).match(/^libgallium-([0-9]+\.[0-9]+\.[0-9]+)/);
  if (gallium) return gallium[1];
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  // Buffer.indexOf is a native byte search; decoding a 25 MB library to text takes seconds.
  for (let at = bytes.indexOf("Mesa "); at >= 0; at = bytes.indexOf("Mesa ", at + 1)) {
    const match = bytes.subarray(at, at + 32).toString("latin1").match(VERSION);
    if (match && match.index === 0) return match[1];
  }
  return null;
}
