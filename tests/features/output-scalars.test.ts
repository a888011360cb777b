// Output scalars (confidence, entropy, anomaly) computed during feature extraction, and their trip
// through the feature cache's disk format.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifierScalars, outputScalars } from '../../core/features/output-scalars.ts';
import { FeatureCache, type CachedFeatures } from '../../core/features/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-scalars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('classifier scalars', () => {
  it('confidence and entropy of logits match a hand softmax', () => {
    // Row 0: logits [0, ln 3] → p = [1/4, 3/4]; row 1: equal logits → p = [1/2, 1/2].
    const r = classifierScalars(new Float32Array([0, Math.log(3), 5, 5]), 2, 2);
    expect(r.confidence[0]).toBeCloseTo(0.75, 6);
    expect(r.entropy[0]).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 6);
    expect(r.confidence[1]).toBeCloseTo(0.5, 6);
    expect(r.entropy[1]).toBeCloseTo(Math.log(2), 6);
  });
  it('takes rows that are already probabilities as they are (a Softmax output)', () => {
    const r = classifierScalars(new Float32Array([0.1, 0.2, 0.7, 1, 0, 0]), 2, 3);
    expect(r.confidence[0]).toBeCloseTo(0.7, 6);
    expect(r.entropy[0]).toBeCloseTo(-(0.1 * Math.log(0.1) + 0.2 * Math.log(0.2) + 0.7 * Math.log(0.7)), 6);
    expect(r.confidence[1]).toBeCloseTo(1, 6);
    expect(r.entropy[1]).toBeCloseTo(0, 6);
  });
  it('is stable for huge logits', () => {
    const r = classifierScalars(new Float32Array([1000, 0, -1000]), 1, 3);
    expect(r.confidence[0]).toBeCloseTo(1, 6);
    expect(Number.isFinite(r.entropy[0])).toBe(true);
  });
});

describe('outputScalars', () => {
  it('class scores → confidence/entropy; a same-shaped output → mean squared error per item', () => {
    const x = new Float32Array([0, 0, 0, 0, 1, 1, 1, 1]);
    const recon = new Float32Array([1, 0, 0, 0, 1, 1, 1, 3]);
    const a = outputScalars(x, [2, 1, 2, 2], recon, [2, 1, 2, 2]);
    expect(Object.keys(a)).toEqual(['anomaly']);
    expect(Array.from(a.anomaly!)).toEqual([0.25, 1]);
    // Flat items are one plane.
    expect(Array.from(outputScalars(x, [2, 4], recon, [2, 4]).anomaly!)).toEqual([0.25, 1]);
    const c = outputScalars(x, [2, 4], new Float32Array([0, 0, 0, 0]), [2, 2]);
    expect(Array.from(c.confidence!)).toEqual([0.5, 0.5]);
    expect(outputScalars(x, [2, 4], new Float32Array(6), [2, 3, 1])).toEqual({});
    expect(outputScalars(x, [2, 4], new Float32Array(2), [2, 1])).toEqual({});
  });
});

describe('feature cache with scalars', () => {
  const entry = (scalars?: Record<string, Float32Array>): CachedFeatures => ({
    features: new Float32Array([1, 2, 3, 4, 5, 6]), n: 3, d: 2, predictions: new Int32Array([0, 1, -1]), itemDims: [2], tensor: 't', ...(scalars ? { scalars } : {}),
  });
  it('round-trips named scalars through the disk', () => {
    new FeatureCache(dir).set('k1', entry({ confidence: new Float32Array([0.5, 0.9, 1]), anomaly: new Float32Array([3, 2, 1]) }));
    const back = new FeatureCache(dir).get('k1')!;
    expect(Array.from(back.features)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Object.keys(back.scalars!)).toEqual(['confidence', 'anomaly']);
    expect(Array.from(back.scalars!.confidence!)).toEqual([0.5, Math.fround(0.9), 1]);
    expect(Array.from(back.scalars!.anomaly!)).toEqual([3, 2, 1]);
  });
  it('an entry written without scalars reads back without them (extract recomputes it)', () => {
    new FeatureCache(dir).set('k2', entry());
    expect(new FeatureCache(dir).get('k2')!.scalars).toBeUndefined();
  });
  it('rejects a truncated file or a hostile scalar name', () => {
    const bad = new FeatureCache(dir);
    const head = Buffer.from(JSON.stringify({ magic: 'RCPTFEAT1', n: 1, d: 1, itemDims: [1], tensor: 't', scalars: ['__proto__'] }));
    const body = Buffer.alloc(((4 + head.length + 3) & ~3) + 12);
    body.writeUInt32LE(head.length, 0); head.copy(body, 4);
    writeFileSync(join(dir, `${'b'.repeat(64)}.bin`), body);
    expect(bad.get('b'.repeat(64))).toBeUndefined();
    // Truncated: a scalar named but its bytes missing (4 + 4 bytes of features/predictions, none after).
    const head2 = Buffer.from(JSON.stringify({ magic: 'RCPTFEAT1', n: 1, d: 1, itemDims: [1], tensor: 't', scalars: ['norm'] }));
    const body2 = Buffer.alloc(((4 + head2.length + 3) & ~3) + 8);
    body2.writeUInt32LE(head2.length, 0); head2.copy(body2, 4);
    writeFileSync(join(dir, `${'d'.repeat(64)}.bin`), body2);
    expect(bad.get('d'.repeat(64))).toBeUndefined();
  });
});
