import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/zoo/rng.ts';
import { meanStd } from './helpers.ts';

describe('zoo rng', () => {
  it('is deterministic per (seed, stream) and differs across seeds and streams', () => {
    const a = new Rng(42, 'conv1.weight').fillNormal(new Float32Array(1000), 1);
    const b = new Rng(42, 'conv1.weight').fillNormal(new Float32Array(1000), 1);
    const c = new Rng(43, 'conv1.weight').fillNormal(new Float32Array(1000), 1);
    const d = new Rng(42, 'conv2.weight').fillNormal(new Float32Array(1000), 1);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.some((v, i) => v !== c[i])).toBe(true);
    expect(a.some((v, i) => v !== d[i])).toBe(true);
    // large seeds use the high word too
    const hi1 = new Rng(2 ** 40).nextU32(), hi2 = new Rng(2 ** 40 + 2 ** 33).nextU32();
    expect(hi1).not.toBe(hi2);
  });

  it('produces normals with the requested moments and a Gaussian tail mass', () => {
    const a = new Rng(7, 'x').fillNormal(new Float32Array(400_000), 0.5, 2);
    const { mean, std } = meanStd(a);
    expect(mean).toBeCloseTo(2, 2);
    expect(std / 0.5).toBeGreaterThan(0.99);
    expect(std / 0.5).toBeLessThan(1.01);
    // P(|z| > 2) = 0.0455 for a standard normal
    const tail = a.filter((v) => Math.abs((v - 2) / 0.5) > 2).length / a.length;
    expect(tail).toBeGreaterThan(0.042);
    expect(tail).toBeLessThan(0.049);
  });

  it('produces uniforms covering the interval evenly', () => {
    const a = new Rng(1).fillUniform(new Float32Array(200_000), -0.25, 0.25);
    expect(a.reduce((m, v) => Math.min(m, v), Infinity)).toBeGreaterThanOrEqual(-0.25);
    expect(a.reduce((m, v) => Math.max(m, v), -Infinity)).toBeLessThan(0.25);
    const { mean, std } = meanStd(a);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeCloseTo(0.5 / Math.sqrt(12), 3);
    const u = new Rng(3);
    for (let i = 0; i < 1000; i++) { const v = u.uniform(); expect(v >= 0 && v < 1).toBe(true); }
  });

  it('rejects non-integer seeds with a clear message', () => {
    expect(() => new Rng(1.5)).toThrow(/seed must be an integer/);
    expect(() => new Rng(Number.NaN)).toThrow(/seed must be an integer/);
  });
});
