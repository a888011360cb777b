// The frequency-space image parameterisation. We use a separable real orthonormal Hartley basis
// (cas(2πku/N) = cos + sin along each axis), applied by direct matrix products, not an FFT:
// - real and orthonormal with a symmetric matrix, so the transform is its own inverse and its own
//   transpose: the gradient w.r.t. the spectrum is the same transform of the image gradient, with no
//   Hermitian-symmetry bookkeeping that a real FFT (Lucid's irfft2d) needs;
// - each basis function mixes only frequencies (±k, ±l), all of one |f|, so scaling coefficient (k, l)
//   by 1/|f| gives the same 1/f amplitude prior as Lucid's Fourier parameterisation;
// - any size works (no power-of-two); direct products cost O(H·W·(H+W)) per plane, a few Mflop at
//   the ≤ 224 px this is meant for.

/** Orthonormal DHT matrix of size n (symmetric; M·M = I). */
export function hartleyMatrix(n: number): Float64Array {
  const m = new Float64Array(n * n), s = 1 / Math.sqrt(n);
  for (let k = 0; k < n; k++) for (let u = 0; u < n; u++) {
    const t = (2 * Math.PI * ((k * u) % n)) / n;
    m[k * n + u] = s * (Math.cos(t) + Math.sin(t));
  }
  return m;
}

/** Y = Mh · X · Mw for each channel plane (Mh, Mw symmetric). */
function separable(x: ArrayLike<number>, c: number, h: number, w: number, mh: Float64Array, mw: Float64Array): Float32Array {
  const out = new Float32Array(c * h * w), tmp = new Float64Array(h * w);
  for (let k = 0; k < c; k++) {
    const b = k * h * w;
    // rows: tmp[y, v] = Σ_x X[y, x] Mw[x, v]
    for (let y = 0; y < h; y++) for (let v = 0; v < w; v++) {
      let s = 0;
      for (let xx = 0; xx < w; xx++) s += x[b + y * w + xx]! * mw[xx * w + v]!;
      tmp[y * w + v] = s;
    }
    for (let u = 0; u < h; u++) for (let v = 0; v < w; v++) {
      let s = 0;
      for (let y = 0; y < h; y++) s += mh[u * h + y]! * tmp[y * w + v]!;
      out[b + u * w + v] = s;
    }
  }
  return out;
}

export class FourierBasis {
  private readonly mh: Float64Array;
  private readonly mw: Float64Array;
  /** Per-coefficient amplitude scale 1/max(|f|, 1/max(H,W))^decay, rescaled for unit pixel variance. */
  readonly amplitude: Float32Array;

  constructor(readonly c: number, readonly h: number, readonly w: number, decay = 1) {
    this.mh = hartleyMatrix(h);
    this.mw = hartleyMatrix(w);
    this.amplitude = new Float32Array(h * w);
    const floor = 1 / Math.max(h, w);
    for (let u = 0; u < h; u++) for (let v = 0; v < w; v++) {
      // Signed frequency in cycles per pixel (k and n−k are the same |f|).
      const fy = Math.min(u, h - u) / h, fx = Math.min(v, w - v) / w;
      this.amplitude[u * w + v] = (floor / Math.max(Math.hypot(fy, fx), floor)) ** decay;
    }
    // Rescale so unit-variance parameters give unit-variance pixels (orthonormal basis: pixel variance
    // is Σ amplitude² / (H·W)); the optimiser's step size then means the same in both parameterisations.
    let sum = 0;
    for (const a of this.amplitude) sum += a * a;
    const gain = Math.sqrt((h * w) / sum);
    for (let i = 0; i < this.amplitude.length; i++) this.amplitude[i]! *= gain;
  }

  /** Spectrum parameters → image (Hartley synthesis of the amplitude-scaled coefficients). */
  toImage(p: Float32Array): Float32Array {
    const scaled = new Float32Array(p.length), plane = this.h * this.w;
    for (let i = 0; i < p.length; i++) scaled[i] = p[i]! * this.amplitude[i % plane]!;
    return separable(scaled, this.c, this.h, this.w, this.mh, this.mw);
  }

  /** Image → spectrum parameters, the exact inverse of `toImage`. */
  fromImage(x: Float32Array): Float32Array {
    const s = separable(x, this.c, this.h, this.w, this.mh, this.mw), plane = this.h * this.w;
    for (let i = 0; i < s.length; i++) s[i]! /= this.amplitude[i % plane]!;
    return s;
  }

  /** Transpose of `toImage`: brings an image gradient back to the parameters. */
  adjoint(g: Float32Array): Float32Array {
    const s = separable(g, this.c, this.h, this.w, this.mh, this.mw), plane = this.h * this.w;
    for (let i = 0; i < s.length; i++) s[i]! *= this.amplitude[i % plane]!;
    return s;
  }
}
