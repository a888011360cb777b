// Seeded deterministic random numbers for zoo weights: xoshiro128** (32-bit state words, so
// it runs on Math.imul without BigInt) and normals by Marsaglia's polar form of Box–Muller
// (no trigonometry: the fill loop is what bounds VGG16's 138 M weights).
// Each tensor gets its own stream derived from (seed, tensor name), so a layer's weights do not
// depend on what was built before it (e.g. an autoencoder's first conv is the same at any depth).

/** splitmix32 step: spreads a 32-bit value over all bits (used for seeding only). */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over UTF-16 code units. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer (got ${seed}); pass e.g. seed: 42`);
  return seed;
}

const INV_2_32 = 1 / 4294967296;

export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;

  /** A generator for `seed`; `stream` (e.g. a tensor name) selects an independent sequence. */
  constructor(seed: number, stream = '') {
    checkSeed(seed);
    const lo = seed >>> 0, hi = Math.floor(seed / 4294967296) >>> 0;
    let x = mix32(lo ^ mix32(hi ^ hashString(stream)));
    x = mix32(x ^ hashString(stream)); this.s0 = x;
    x = mix32(x); this.s1 = x;
    x = mix32(x); this.s2 = x;
    x = mix32(x); this.s3 = x;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next uint32. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number { return this.nextU32() * INV_2_32; }

  /** Fill with U(lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    const span = (hi - lo) * INV_2_32;
    for (let i = 0; i < out.length; i++) out[i] = lo + this.nextU32() * span;
    return out;
  }

  /** Fill with N(mean, std²). The state is kept in locals: this loop runs ~10⁸ times for VGG16. */
  fillNormal(out: Float32Array, std: number, mean = 0): Float32Array {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const n = out.length;
    let i = 0;
    while (i < n) {
      // two uniforms in (-1, 1)
      let r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const u = (r | 0) * (2 * INV_2_32);
      r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const v = (r | 0) * (2 * INV_2_32);
      const q = u * u + v * v;
      if (q >= 1 || q === 0) continue;
      const f = std * Math.sqrt((-2 * Math.log(q)) / q);
      out[i++] = mean + u * f;
      if (i < n) out[i++] = mean + v * f;
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
