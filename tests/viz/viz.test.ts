import { describe, expect, it } from 'vitest';
import { applyColormap, colormapLut, COLORMAP_NAMES } from '../../core/viz/colormap.ts';
import { channelOrder, channelStats, normalizeMaps, zeroFraction } from '../../core/viz/normalize.ts';
import { gridColumns, overlay, tileGrid } from '../../core/viz/grid.ts';

describe('colour maps', () => {
  it('end points are the published anchor colours', () => {
    const v = colormapLut('viridis');
    expect(Array.from(v.slice(0, 3))).toEqual([0x44, 0x01, 0x54]);
    expect(Array.from(v.slice(255 * 3))).toEqual([0xfd, 0xe7, 0x25]);
    expect(Array.from(colormapLut('gray').slice(128 * 3, 128 * 3 + 3))).toEqual([128, 128, 128]);
    for (const n of COLORMAP_NAMES) expect(colormapLut(n)).toHaveLength(768);
  });
  it('viridis gets monotonically lighter (perceptually ordered)', () => {
    const v = colormapLut('viridis');
    let prev = -1;
    for (let i = 0; i < 256; i += 15) {
      const l = 0.2126 * v[i * 3]! + 0.7152 * v[i * 3 + 1]! + 0.0722 * v[i * 3 + 2]!;
      expect(l).toBeGreaterThan(prev);
      prev = l;
    }
  });
  it('clamps, and NaN is transparent', () => {
    const px = applyColormap([-1, 2, NaN], 'gray');
    expect(Array.from(px)).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 0]);
  });
});

describe('feature-map normalisation', () => {
  const data = Float32Array.from([0, 0, 1, 3, /* ch1 */ 10, 20, 30, 40]);
  it('per-channel statistics and zero fraction', () => {
    const s = channelStats(data, 2);
    expect(s[0]).toEqual({ min: 0, max: 3, mean: 1, zeros: 2 });
    expect(s[1]).toEqual({ min: 10, max: 40, mean: 25, zeros: 0 });
    expect(zeroFraction(s, 4)).toBe(2 / 8);
  });
  it('per-channel vs per-layer scaling', () => {
    expect(Array.from(normalizeMaps(data, 2, 'channel'))).toEqual([0, 0, 1 / 3, 1, 0, 1 / 3, 2 / 3, 1].map(Math.fround));
    expect(Array.from(normalizeMaps(data, 2, 'layer')).map((v) => +v.toFixed(6))).toEqual([0, 0, 0.025, 0.075, 0.25, 0.5, 0.75, 1]);
  });
  it('orders channels by mean activation', () => {
    expect(channelOrder(channelStats(data, 2), 'mean')).toEqual([1, 0]);
    expect(channelOrder(channelStats(data, 2), 'index')).toEqual([0, 1]);
  });
});

describe('tile grid and overlay', () => {
  it('places each tile scaled at its grid cell', () => {
    expect(gridColumns(6)).toBe(3);
    const planes = Float32Array.from([0, 1, 1, 0, /* ch1 */ 1, 1, 1, 1]);
    const g = tileGrid(planes, 2, 2, 2, { colormap: 'gray', scale: 2, gap: 1, columns: 2 });
    expect([g.width, g.height]).toEqual([2 * 5 + 1, 5 + 1]);
    const px = (x: number, y: number) => g.data[(y * g.width + x) * 4];
    expect(px(0, 0)).toBe(32); // gap
    expect(px(1, 1)).toBe(0); expect(px(2, 2)).toBe(0); // ch0 (0,0) scaled 2×
    expect(px(3, 1)).toBe(255); // ch0 (0,1)
    expect(px(6, 1)).toBe(255); // ch1
  });
  it('overlay blends by opacity and respects the threshold', () => {
    const base = { data: new Uint8ClampedArray([100, 100, 100, 255, 100, 100, 100, 255]), width: 2, height: 1 };
    const o = overlay(base, Float32Array.from([1, 0.2]), { colormap: 'gray', opacity: 0.5, threshold: 0.5 });
    expect(Array.from(o.data.slice(0, 3))).toEqual([178, 178, 178]); // 100·0.5 + 255·0.5 = 177.5
    expect(Array.from(o.data.slice(4, 7))).toEqual([100, 100, 100]); // below threshold: untouched
  });
});
