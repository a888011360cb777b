// Lasso selection maths (renderer/src/views/embeddings/lasso.ts) and the scalar colouring helpers.
import { describe, expect, it } from 'vitest';
import { extendPath, insidePolygon, pointsInPolygon, polygonBounds } from '../../renderer/src/views/embeddings/lasso.ts';
import { notability, reversedLut, trimmedLut, scalarColours, scalarOf, scalarRange } from '../../renderer/src/views/embeddings/colors.ts';

/** Is (x, y) inside the L-shaped region [0,4]×[0,1] ∪ [0,1]×[0,4]? Computed by hand, not by a polygon test. */
const inL = (x: number, y: number) => (x > 0 && x < 4 && y > 0 && y < 1) || (x > 0 && x < 1 && y > 0 && y < 4);
const L = [0, 0, 4, 0, 4, 1, 1, 1, 1, 4, 0, 4];

describe('lasso', () => {
  it('a concave polygon: membership matches the shape, including the notch', () => {
    expect(insidePolygon(0.5, 0.5, L)).toBe(true);
    expect(insidePolygon(3, 0.5, L)).toBe(true);
    expect(insidePolygon(0.5, 3, L)).toBe(true);
    expect(insidePolygon(3, 3, L)).toBe(false); // the notch
    expect(insidePolygon(5, 0.5, L)).toBe(false);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 5 - 0.5;
    const n = 5000, screen = new Float32Array(n * 2);
    for (let i = 0; i < n * 2; i++) screen[i] = rnd();
    const got = pointsInPolygon(screen, n, L);
    const want: number[] = [];
    for (let i = 0; i < n; i++) if (inL(screen[i * 2]!, screen[i * 2 + 1]!)) want.push(i);
    expect(got).toEqual(want);
    expect(want.length).toBeGreaterThan(500);
  });

  it('the banded edge lists give the plain even-odd answer on a jagged, self-crossing path', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const poly: number[] = [];
    for (let k = 0; k < 300; k++) { const a = (k / 300) * 6 * Math.PI, r = 50 + 40 * rnd(); poly.push(100 + r * Math.cos(a), 100 + r * Math.sin(a)); }
    const n = 20_000, screen = new Float32Array(n * 2);
    for (let i = 0; i < n * 2; i++) screen[i] = rnd() * 220 - 10;
    const want: number[] = [];
    for (let i = 0; i < n; i++) if (insidePolygon(screen[i * 2]!, screen[i * 2 + 1]!, poly)) want.push(i);
    expect(pointsInPolygon(screen, n, poly)).toEqual(want);
    expect(want.length).toBeGreaterThan(1000);
  });

  it('fewer than three vertices select nothing; bounds; path thinning', () => {
    expect(pointsInPolygon(new Float32Array([1, 1]), 1, [0, 0, 2, 2])).toEqual([]);
    expect(polygonBounds(L)).toEqual({ x0: 0, y0: 0, x1: 4, y1: 4 });
    const path = [0, 0];
    expect(extendPath(path, 1, 1)).toBe(false);
    expect(extendPath(path, 3, 0)).toBe(true);
    expect(path).toEqual([0, 0, 3, 0]);
  });

  it('200,000 points in a 400-vertex circle: the same set as the distance test, fast', () => {
    const n = 200_000, screen = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) { screen[i * 2] = (i * 7919) % 1000; screen[i * 2 + 1] = (i * 104729) % 800; }
    const poly: number[] = [];
    for (let k = 0; k < 400; k++) { const a = (k / 400) * 2 * Math.PI; poly.push(500 + 300 * Math.cos(a), 400 + 300 * Math.sin(a)); }
    const t0 = performance.now();
    const got = pointsInPolygon(screen, n, poly);
    const ms = performance.now() - t0;
    // Inside the inscribed 400-gon: certainly within r=300, certainly beyond r·cos(π/400) is ambiguous.
    const rIn = 300 * Math.cos(Math.PI / 400);
    const set = new Set(got);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.hypot(screen[i * 2]! - 500, screen[i * 2 + 1]! - 400);
      if ((d < rIn - 1e-3 && !set.has(i)) || (d > 300 + 1e-3 && set.has(i))) wrong++;
    }
    expect(wrong).toBe(0);
    console.log(`lasso: ${got.length} of 200,000 points in a 400-gon in ${ms.toFixed(1)} ms`);
    expect(got.length).toBeGreaterThan(n * 0.3);
    expect(ms).toBeLessThan(1500);
  });
});

describe('scalar colouring', () => {
  it('range ignores non-finite values; colours follow the LUT ends; NaN is grey', () => {
    const v = new Float32Array([2, NaN, 4, Infinity, 3]);
    expect(scalarRange(v, 5)).toEqual({ min: 2, max: 4 });
    expect(scalarRange(new Float32Array([NaN]), 1)).toBeNull();
    const lut = new Uint8Array(768);
    for (let i = 0; i < 256; i++) { lut[i * 3] = i; lut[i * 3 + 2] = 255 - i; }
    const rgb = scalarColours(v, 5, lut);
    expect(Array.from(rgb.subarray(0, 3))).toEqual([0, 0, 255]);
    expect(Array.from(rgb.subarray(3, 6))).toEqual([150, 150, 150]);
    expect(Array.from(rgb.subarray(6, 9))).toEqual([255, 0, 0]);
    expect(rgb[12]).toBe(128); // (3 − 2) / 2 · 255 = 127.5 → 128
    expect(scalarOf('scalar:anomaly')).toBe('anomaly');
    expect(scalarOf('label')).toBeNull();
  });

  it('notability puts the notable end first (low confidence, high anomaly); reversed LUT', () => {
    const v = new Float32Array([0.2, 0.6, 1, NaN]);
    const r = scalarRange(v, 4);
    expect(Array.from(notability(v, 4, r, false)).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0, 0.5, 1, 0]);
    expect(Array.from(notability(v, 4, r, true)).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([1, 0.5, 0, 0]);
    const lut = new Uint8Array(768);
    for (let i = 0; i < 768; i++) lut[i] = Math.floor(i / 3);
    const rv = reversedLut(lut);
    expect([rv[0], rv[1], rv[2], rv[765]]).toEqual([255, 255, 255, 0]);
    const tr = trimmedLut(lut, 48);
    expect([tr[0], tr[765], tr[128 * 3]]).toEqual([48, 255, Math.round(48 + (207 * 128) / 255)]);
  });
});
