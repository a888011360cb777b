import { describe, expect, it } from 'vitest';
import { auroc, confusionAt, histogram, prCurve, rocCurve, thresholdForFpr } from '../../core/anomaly/roc.ts';

// Mann–Whitney U over all (anomalous, normal) pairs, ties counting one half: the definition AUROC equals.
function pairwiseAuc(s: number[], l: number[]): number {
  let wins = 0, pairs = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
    if (l[i] === 1 && l[j] === 0) { pairs++; wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0; }
  }
  return wins / pairs;
}

describe('ROC / AUROC', () => {
  it('hand-computed case: scikit-learn documentation example gives 0.75', () => {
    // y = [0,0,1,1], scores = [0.1,0.4,0.35,0.8]: the roc_auc_score docstring value.
    const r = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(r.auc).toBeCloseTo(0.75, 12);
    expect(Array.from(r.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(r.tpr)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(r.thresholds)).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });
  it('perfect, inverted and tied scores', () => {
    expect(auroc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auroc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(auroc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
  });
  it('equals the pairwise (Mann–Whitney) definition on random data with ties', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 20; t++) {
      const n = 30 + t;
      const l = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
      const s = l.map((y) => Math.round((rnd() + y * 0.4) * 10) / 10); // coarse values → ties
      expect(auroc(s, l)).toBeCloseTo(pairwiseAuc(s, l), 12);
    }
  });
  it('rejects bad input with a clear message', () => {
    expect(() => auroc([1, 2], [0, 0])).toThrow(/both normal/);
    expect(() => auroc([1, 2], [0, 2])).toThrow(/label 2/);
    expect(() => auroc([1], [0, 1])).toThrow(/1 scores but 2 labels/);
    expect(() => auroc([NaN, 1], [0, 1])).toThrow(/finite/);
  });
});

describe('precision–recall', () => {
  it('average precision matches the hand computation', () => {
    // sorted desc: 0.8(1) 0.4(0) 0.35(1) 0.1(0) → P/R: (1,0.5) (0.5,0.5) (0.667,1) (0.5,1)
    const pr = prCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(pr.averagePrecision).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12); // sklearn: 0.8333
    expect(Array.from(pr.recall)).toEqual([0.5, 0.5, 1, 1]);
  });
});

describe('thresholds', () => {
  it('confusion counts at a threshold', () => {
    const c = confusionAt([0.1, 0.4, 0.35, 0.8, 0.9], [0, 0, 1, 1, 0], 0.4);
    expect(c).toMatchObject({ tp: 1, fp: 2, tn: 1, fn: 1 });
    expect(c.fpr).toBeCloseTo(2 / 3);
  });
  it('threshold for a target false-positive rate admits at most that rate on normals', () => {
    const normals = Array.from({ length: 100 }, (_, i) => i / 100);
    const labels = normals.map(() => 0);
    for (const target of [0, 0.01, 0.05, 0.1, 0.5]) {
      const t = thresholdForFpr(normals, target);
      const c = confusionAt(normals, labels, t);
      expect(c.fp).toBe(Math.floor(target * 100));
    }
    expect(thresholdForFpr([1, 2], 1)).toBe(-Infinity);
    expect(() => thresholdForFpr([], 0.1)).toThrow(/marked normal/);
  });
  it('histogram counts every in-range score once', () => {
    const h = histogram([0, 0.5, 1, 1, 0.25], 4);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 2]);
    expect(h.edges[4]).toBe(1);
  });
});
