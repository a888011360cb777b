// Small seeded RNG for embeddings (mulberry32 + Box–Muller): deterministic runs for a given seed,
// independent of other modules' generators.
export interface SeededRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

export function seededRng(seed: number): SeededRng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number (got ${seed}); pass e.g. seed: 42`);
  let s = (Math.floor(seed) ^ 0x6d2b79f5) >>> 0;
  let spare = NaN;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (!Number.isNaN(spare)) { const v = spare; spare = NaN; return v; }
    let u = 0;
    while (u === 0) u = next();
    const r = Math.sqrt(-2 * Math.log(u)), a = 2 * Math.PI * next();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
  return { next, normal };
}
