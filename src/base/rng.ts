/**
 * Seeded, counter-based random streams. Every purpose (init, split, batch order, reinit, random
 * mask, ...) gets its own stream, derived from (seed, purpose name, index), so adding a draw in one
 * place never shifts the numbers drawn in another. The project's purposes and their index formulas
 * are registered in src/base/streams.ts; code outside src/base/ draws only through that registry.
 *
 * Output k of a stream is `mix32(mix32(k) ^ key)` with `mix32` Wellons' "triple32" integer hash.
 * It uses only 32-bit integer operations, so `kernels/` can reproduce it bit for bit in WGSL.
 */

/** Chris Wellons' triple32: a bijective 32-bit integer hash with very low bias. */
export function mix32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 17;
  x = Math.imul(x, 0xed5ad4bb);
  x ^= x >>> 11;
  x = Math.imul(x, 0xac4c1b51);
  x ^= x >>> 15;
  x = Math.imul(x, 0x31848bab);
  x ^= x >>> 14;
  return x >>> 0;
}

/** FNV-1a over the UTF-8 bytes of a purpose name, folded into the key derivation. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The 32-bit key of stream (seed, purpose, index); the same function exists in WGSL as a key input. */
export function streamKey(seed: number, purpose: string, index = 0): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  return mix32(mix32(mix32(seed) ^ hashName(purpose)) ^ mix32(index + 0x9e3779b9));
}

/** Output number `counter` of the stream with `key`: identical to `rng_u32` in WGSL. */
export function counterU32(key: number, counter: number): number {
  return mix32(mix32(counter) ^ key);
}

/** A uniform float in [0, 1) with 24 random bits, as `rng_unit` computes it in WGSL. */
export function u32ToUnit(u: number): number {
  return (u >>> 8) / 16777216;
}

export class Rng {
  readonly key: number;
  private counter = 0;

  constructor(seed: number, purpose: string, index = 0) {
    this.key = streamKey(seed, purpose, index);
  }

  nextU32(): number {
    return counterU32(this.key, this.counter++);
  }

  /** Uniform in [0, 1). */
  nextUnit(): number {
    return u32ToUnit(this.nextU32());
  }

  /** Uniform integer in [0, n) by rejection, so no residue class is favoured. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`nextInt needs an integer n in [1, 2^32], got ${n}`);
    }
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal by Box-Muller; one pair of uniforms per draw keeps the stream simple. */
  nextNormal(): number {
    const u1 = (this.nextU32() + 1) / 4294967297; // in (0, 1): log never sees 0
    const u2 = this.nextUnit();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[] | Uint32Array | Int32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }
}
