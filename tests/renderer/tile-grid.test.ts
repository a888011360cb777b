// Tile layout, value ranges, ordering and colour-mapped drawing of the Activations/Filters grids.
import { describe, expect, it } from 'vitest';
import { drawTiles, layoutTiles, planeShape, symmetricRanges, tileAt, tileOrder, unitAt, valueRanges } from '../../renderer/src/lib/tile-grid.ts';
import { overridesFrom, prepFormOf } from '../../renderer/src/views/activations/prep-form.ts';

const opts = { width: 1000, height: 700, gap: 6, maxTile: 220, labelH: 16, labelMinTile: 64 };

describe('layoutTiles', () => {
  it('blows 6 LeNet maps of 28×28 up by a whole factor, capped by maxTile', () => {
    const L = layoutTiles([0, 1, 2, 3, 4, 5], 28, 28, opts);
    expect(L.scale).toBe(7); // floor(220 / 28)
    expect(L.tileW).toBe(196);
    // floor((1000 + 6) / 202) = 4 fit in a row → 2 rows, balanced as 3 + 3.
    expect(L.cols).toBe(3);
    expect(L.rows).toBe(2);
    expect(L.boxes[5]).toEqual({ channel: 5, x: 2 * 202, y: 196 + 16 + 6, w: 196, h: 196 });
    expect(L.width).toBe(3 * 202 - 6);
  });
  it('uses a fraction between 1 and 2 only when 2 does not fit; scale 1 (scroll) when nothing fits', () => {
    const L = layoutTiles(Array.from({ length: 64 }, (_, i) => i), 56, 56, opts);
    expect(L.scale).toBeGreaterThan(1);
    expect(L.scale).toBeLessThan(2);
    expect(L.rows * (L.tileH + L.labelH + 6) - 6).toBeLessThanOrEqual(700);
    const big = layoutTiles(Array.from({ length: 64 }, (_, i) => i), 112, 112, opts);
    expect(big.scale).toBe(1);
    expect(big.height).toBeGreaterThan(700);
  });
  it('finds the tile and map unit under a point, and none in the gaps', () => {
    const L = layoutTiles([3, 1, 2], 4, 4, { ...opts, scale: 10, labelMinTile: 1000 });
    expect(tileAt(L, 5, 5)?.channel).toBe(3);
    expect(tileAt(L, 42, 5)).toBeNull(); // the gap after tile 0 (x 40–45)
    const b = tileAt(L, 46 + 35, 12)!;
    expect(b.channel).toBe(1);
    expect(unitAt(b, 4, 4, 46 + 35, 12)).toEqual([1, 3]);
  });
});

describe('ranges and order', () => {
  const stats = [{ min: -1, max: 2, mean: 0.5 }, { min: 0, max: 5, mean: 2 }, { min: 1, max: 1, mean: 1 }];
  it('per channel vs per layer', () => {
    expect(valueRanges(stats, 'channel')).toEqual([[-1, 2], [0, 5], [1, 1]]);
    expect(valueRanges(stats, 'layer')).toEqual([[-1, 5], [-1, 5], [-1, 5]]);
  });
  it('symmetric around 0 per tile or per layer', () => {
    const d = new Float32Array([0.5, -2, 1, 0.25]);
    expect(symmetricRanges(d, 2, 2, 'channel')).toEqual([[-2, 2], [-1, 1]]);
    expect(symmetricRanges(d, 2, 2, 'layer')).toEqual([[-2, 2], [-2, 2]]);
  });
  it('sorts by mean, descending', () => {
    expect(tileOrder(stats, 'mean')).toEqual([1, 2, 0]);
    expect(tileOrder(stats, 'index')).toEqual([0, 1, 2]);
  });
  it('splits NCHW and FC outputs into planes', () => {
    expect(planeShape([1, 6, 28, 28], 6, 784)).toEqual({ h: 28, w: 28 });
    expect(planeShape([1, 120], 120, 1)).toEqual({ h: 1, w: 1 });
  });
});

describe('drawTiles', () => {
  it('maps each value through the LUT from its range and repeats it scale×scale', () => {
    const lut = Uint32Array.from({ length: 256 }, (_, i) => i); // colour = LUT index, to read back
    const data = new Float32Array([0, 1, 2, 3, /* ch1 */ 5, 5, 5, 5]);
    const L = layoutTiles([0, 1], 2, 2, { ...opts, scale: 2, gap: 1, labelMinTile: 1000 });
    const stride = L.width;
    const px = new Uint32Array(stride * L.height);
    drawTiles(px, stride, L, data, 2, 2, [[0, 3], [5, 5]], lut);
    const at = (x: number, y: number) => px[y * stride + x];
    expect([at(0, 0), at(1, 1)]).toEqual([0, 0]); // value 0 → index 0, 2×2 block
    expect(at(2, 0)).toBe(85); // (1 − 0) · 255 / 3
    expect(at(0, 2)).toBe(170);
    expect(at(3, 3)).toBe(255);
    expect(at(4, 0)).toBe(0); // the gap is left alone
    expect(at(5, 0)).toBe(128); // a flat channel sits mid-map
  });
});

describe('preprocessing form', () => {
  it('round-trips a preset and validates custom numbers', () => {
    const f = prepFormOf({ size: [28, 28], channels: 1, mean: [0.1307], std: [0.3081], preset: 'mnist', resize: 'stretch' });
    expect(overridesFrom(f)).toEqual({ size: [28, 28], channels: 1, resize: 'stretch', preset: 'mnist' });
    expect(overridesFrom({ ...f, preset: 'custom', mean: '0.5, 0.4, 0.3', std: '0.2' })).toEqual({ size: [28, 28], channels: 1, resize: 'stretch', mean: [0.5, 0.4, 0.3], std: [0.2] });
    expect(overridesFrom({ ...f, preset: 'custom', std: '0' })).toMatch(/std must be/);
    expect(overridesFrom({ ...f, height: 0 })).toMatch(/size/);
  });
});
