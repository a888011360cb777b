// The Review tab's pixel helpers: windowing against hand-computed levels, and stored maps
// sampled onto the display (stretched, or through a crop geometry) against direct evaluation.
import { describe, expect, it } from 'vitest';
import { clampWindow, mapOnDisplay, overlayPixels, windowPixels } from '../../renderer/src/views/review/pixels.ts';
import { toApiFilter, EMPTY_FILTER, NOT_REVIEWED } from '../../renderer/src/views/review/review-state.svelte.ts';
import { verdictForKey } from '../../renderer/src/views/review/verdicts.ts';

describe('windowPixels', () => {
  it('maps centre ± width/2 linearly onto 0..255 and clips outside', () => {
    const src = new Uint8Array([0, 50, 100, 128, 150, 200, 255]);
    const out = windowPixels(src, 1, { centre: 100, width: 100 }, new Uint8ClampedArray(src.length * 4));
    // lo = 50: (v − 50)/100·255
    expect(Array.from({ length: src.length }, (_, i) => out[i * 4])).toEqual([0, 0, 128, 199, 255, 255, 255]);
    expect(out[3 * 4 + 1]).toBe(199);
    expect(out[3 * 4 + 3]).toBe(255);
  });
  it('windows each channel of an RGB image', () => {
    const out = windowPixels(new Uint8Array([10, 128, 245]), 3, { centre: 127.5, width: 255 }, new Uint8ClampedArray(4));
    expect(Array.from(out)).toEqual([10, 128, 245, 255]);
  });
  it('clamps window settings to the usable range', () => {
    expect(clampWindow({ centre: -5, width: 0 })).toEqual({ centre: 0, width: 1 });
    expect(clampWindow({ centre: 300, width: 9999 })).toEqual({ centre: 255, width: 510 });
  });
});

describe('mapOnDisplay', () => {
  const ramp = (w: number, h: number) => Float32Array.from({ length: w * h }, (_, i) => i % w);
  it('stretches a map over the whole image without geometry (pixel centres)', () => {
    const map = { width: 4, height: 1, data: ramp(4, 1), min: 0, max: 3, geometry: null };
    const v = mapOnDisplay(map, { width: 8, height: 1 }, { width: 8, height: 1 });
    // display x → map coordinate (x + 0.5)/2 − 0.5, clamped to [0, 3], then /3.
    const want = Array.from({ length: 8 }, (_, x) => Math.min(3, Math.max(0, (x + 0.5) / 2 - 0.5)) / 3);
    for (let x = 0; x < 8; x++) expect(v[x]).toBeCloseTo(want[x]!, 6);
  });
  it('leaves the cropped-away border NaN and samples inside the crop', () => {
    // 10×10 original, centre crop 6×6 with no resize: the map covers pixels 2..7.
    const geometry = { original: { width: 10, height: 10 }, resized: { width: 10, height: 10 }, crop: { left: 2, top: 2, width: 6, height: 6 }, scale: { x: 1, y: 1 } };
    const map = { width: 6, height: 6, data: ramp(6, 6), min: 0, max: 5, geometry };
    const v = mapOnDisplay(map, { width: 10, height: 10 }, { width: 10, height: 10 });
    expect(Number.isNaN(v[5 * 10 + 0]!)).toBe(true);
    expect(Number.isNaN(v[5 * 10 + 9]!)).toBe(true);
    for (let x = 2; x < 8; x++) expect(v[5 * 10 + x]).toBeCloseTo((x - 2) / 5, 6);
  });
});

describe('overlayPixels', () => {
  it('colours by the LUT, alpha rising with the value, NaN transparent', () => {
    const lut = Uint8Array.from({ length: 768 }, (_, i) => Math.floor(i / 3));
    const out = overlayPixels(new Float32Array([0, 0.5, 1, NaN]), lut, new Uint8ClampedArray(16));
    expect([out[0], out[3]]).toEqual([0, 0]);
    expect([out[4], out[7]]).toEqual([128, Math.round(0.7 * 255)]);
    expect([out[8], out[11]]).toEqual([255, 255]);
    expect(out[15]).toBe(0);
  });
});

describe('review filters and keys', () => {
  it('turns the form into the API filter', () => {
    expect(toApiFilter({ ...EMPTY_FILTER, label: ' odd ', minScore: '0.5', verdict: NOT_REVIEWED, reviewer: 'alice' }))
      .toEqual({ label: 'odd', minScore: 0.5, verdict: null, reviewer: 'alice' });
    expect(toApiFilter(EMPTY_FILTER)).toEqual({});
    expect(() => toApiFilter({ ...EMPTY_FILTER, minScore: '2', maxScore: '1' })).toThrow(/above/);
    expect(() => toApiFilter({ ...EMPTY_FILTER, maxScore: 'x' })).toThrow(/number/);
  });
  it('maps 1–4 to the four verdicts', () => {
    expect(['1', '2', '3', '4', '5'].map(verdictForKey)).toEqual(['on-target', 'off-target', 'artifact', 'unsure', null]);
  });
});
