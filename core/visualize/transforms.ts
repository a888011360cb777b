// Transform robustness for feature visualisation: each step the image is shifted (wrap-around roll),
// scaled and rotated before the model sees it, and the gradient is brought back through the exact
// transpose of each map, so the ascent optimises the expectation over transforms (Lucid's recipe).
// Images are planar C×H×W Float32Arrays; every map acts on each channel plane alike.

/** An integer shift with wrap-around: out[y, x] = in[(y - dy) mod H, (x - dx) mod W]. */
export function roll(src: Float32Array, c: number, h: number, w: number, dy: number, dx: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let k = 0; k < c; k++) {
    const base = k * h * w;
    for (let y = 0; y < h; y++) {
      const sy = (((y - dy) % h) + h) % h;
      for (let x = 0; x < w; x++) out[base + y * w + x] = src[base + sy * w + ((((x - dx) % w) + w) % w)]!;
    }
  }
  return out;
}

/** Transpose of `roll` (a permutation, so its inverse). */
export function rollAdjoint(g: Float32Array, c: number, h: number, w: number, dy: number, dx: number): Float32Array {
  return roll(g, c, h, w, -dy, -dx);
}

/** Scale s and rotation θ (radians) about the image centre, sampled bilinearly; outside the image reads 0. */
export interface Affine { scale: number; angle: number }

// For output pixel (y, x), the source point: the inverse map (rotate by −θ, divide by s) about the centre.
function* taps(h: number, w: number, a: Affine): Generator<[number, number, number]> {
  const cy = (h - 1) / 2, cx = (w - 1) / 2;
  const cos = Math.cos(a.angle) / a.scale, sin = Math.sin(a.angle) / a.scale;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const ry = y - cy, rx = x - cx;
    const sx = cos * rx + sin * ry + cx, sy = -sin * rx + cos * ry + cy;
    const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
    const o = y * w + x;
    const corners: [number, number, number][] = [[y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]];
    for (const [yy, xx, wt] of corners) {
      if (wt !== 0 && yy >= 0 && yy < h && xx >= 0 && xx < w) yield [o, yy * w + xx, wt];
    }
  }
}

/** The sampling as a sparse list (out index, in index, weight), shared by the map and its transpose. */
export function affineTaps(h: number, w: number, a: Affine): { out: Int32Array; src: Int32Array; weight: Float32Array } {
  const o: number[] = [], s: number[] = [], wt: number[] = [];
  for (const [oi, si, ww] of taps(h, w, a)) { o.push(oi); s.push(si); wt.push(ww); }
  return { out: Int32Array.from(o), src: Int32Array.from(s), weight: Float32Array.from(wt) };
}

export type Taps = ReturnType<typeof affineTaps>;

export function affineApply(src: Float32Array, c: number, h: number, w: number, t: Taps): Float32Array {
  const out = new Float32Array(src.length), plane = h * w;
  for (let k = 0; k < c; k++) {
    const b = k * plane;
    for (let i = 0; i < t.out.length; i++) out[b + t.out[i]!]! += t.weight[i]! * src[b + t.src[i]!]!;
  }
  return out;
}

/** Exact transpose of `affineApply` with the same taps. */
export function affineAdjoint(g: Float32Array, c: number, h: number, w: number, t: Taps): Float32Array {
  const out = new Float32Array(g.length), plane = h * w;
  for (let k = 0; k < c; k++) {
    const b = k * plane;
    for (let i = 0; i < t.out.length; i++) out[b + t.src[i]!]! += t.weight[i]! * g[b + t.out[i]!]!;
  }
  return out;
}

/** One random draw of the transforms. */
export interface Draw { dy: number; dx: number; taps?: Taps }

export interface TransformOptions {
  /** Largest shift in pixels (uniform integer in [−jitter, jitter]). */
  jitter: number;
  /** Largest relative scale change (scale uniform in [1 − s, 1 + s]). */
  scale: number;
  /** Largest rotation in degrees (uniform in [−r, r]). */
  rotate: number;
}

export function drawTransform(h: number, w: number, o: TransformOptions, rand: () => number): Draw {
  const j = Math.max(0, Math.floor(o.jitter));
  const int = () => Math.floor(rand() * (2 * j + 1)) - j;
  const dy = int(), dx = int();
  if (o.scale <= 0 && o.rotate <= 0) return { dy, dx };
  const scale = 1 + (2 * rand() - 1) * Math.max(0, o.scale);
  const angle = ((2 * rand() - 1) * Math.max(0, o.rotate) * Math.PI) / 180;
  return { dy, dx, taps: affineTaps(h, w, { scale, angle }) };
}

/** Forward: roll, then scale/rotate. Values are taken relative to `fill` so the border reads as `fill`. */
export function applyDraw(x: Float32Array, c: number, h: number, w: number, d: Draw, fill: number): Float32Array {
  const r = roll(x, c, h, w, d.dy, d.dx);
  if (!d.taps) return r;
  for (let i = 0; i < r.length; i++) r[i]! -= fill;
  const out = affineApply(r, c, h, w, d.taps);
  for (let i = 0; i < out.length; i++) out[i]! += fill;
  return out;
}

/** Gradient w.r.t. the untransformed image (the constant `fill` offset has no gradient). */
export function adjointDraw(g: Float32Array, c: number, h: number, w: number, d: Draw): Float32Array {
  const a = d.taps ? affineAdjoint(g, c, h, w, d.taps) : g;
  return rollAdjoint(a, c, h, w, d.dy, d.dx);
}
