// Seeded random numbers so every map (RISE masks, SmoothGrad noise, randomised weights) is reproducible.
export class Rng {
  private s: number;
  constructor(seed = 1) { this.s = (seed >>> 0) || 0x9e3779b9; }
  /** Uniform in (0, 1) — xorshift32. */
  next(): number {
    let s = this.s;
    s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0;
    this.s = s;
    return (s + 0.5) / 4294967296;
  }
  /** Standard normal (Box–Muller). */
  normal(): number { return Math.sqrt(-2 * Math.log(this.next())) * Math.cos(2 * Math.PI * this.next()); }
}
