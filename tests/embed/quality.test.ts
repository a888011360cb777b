import { describe, expect, it } from 'vitest';
import { knnAccuracy, trustworthiness } from '../../core/embed/quality.ts';
import { seededRng } from '../../core/embed/rng.ts';

/** Literal transcription of sklearn.manifold.trustworthiness (full argsort of all distances). */
function referenceTrust(x: Float32Array, y: Float32Array, n: number, d: number, dy: number, k: number): number {
  const dist = (a: Float32Array, dd: number, i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < dd; t++) s += (a[i * dd + t]! - a[j * dd + t]!) ** 2;
    return s;
  };
  let t = 0;
  for (let i = 0; i < n; i++) {
    const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    const byX = [...others].sort((a, b) => dist(x, d, i, a) - dist(x, d, i, b) || a - b);
    const rank = new Map(byX.map((j, r) => [j, r + 1]));
    const byY = [...others].sort((a, b) => dist(y, dy, i, a) - dist(y, dy, i, b) || a - b).slice(0, k);
    for (const j of byY) t += Math.max(0, rank.get(j)! - k);
  }
  return 1 - t * (2 / (n * k * (2 * n - 3 * k - 1)));
}

describe('trustworthiness', () => {
  it('is 1 for an embedding that preserves all neighbourhoods', () => {
    const x = Float32Array.from([0, 1, 3, 6, 10, 15, 21, 28]);
    const y = Float32Array.from(x, (v) => 2 * v + 5);
    expect(trustworthiness(x, 8, 1, y, 1, { k: 2 }).value).toBe(1);
  });

  it('matches a hand computation on six points on a line', () => {
    // Original positions 0, 1, 3, 6, 10, 15 (1-D). Embedding swaps points 0 and 5: 15, 1, 3, 6, 10, 0.
    // k = 1, n = 6; normaliser 2 / (n·k·(2n − 3k − 1)) = 2 / (6·1·8) = 1/24.
    // Embedded nearest neighbour of each point and its original rank r (penalty r − 1 when r > 1):
    //   0 (at 15) → 4 (at 10, dist 5):  original distances from 0: 1, 3, 6, 10, 15 → rank 4 → 3
    //   1 (at 1)  → 5 (at 0, dist 1):   from 1: 0:1, 2:2, 3:5, 4:9, 5:14 → rank 5 → 4
    //   2 (at 3)  → 1 (at 1, dist 2):   from 2: 1:2 is nearest → rank 1 → 0
    //   3 (at 6)  → 2 (at 3, dist 3):   from 3: 2:3 is nearest → 0
    //   4 (at 10) → 3 (at 6, dist 4):   from 4: 3:4 is nearest → 0
    //   5 (at 0)  → 1 (at 1, dist 1):   from 5: 4:5, 3:9, 2:12, 1:14 → rank 4 → 3
    // Sum 10 → T = 1 − 10/24.
    const x = Float32Array.from([0, 1, 3, 6, 10, 15]);
    const y = Float32Array.from([15, 1, 3, 6, 10, 0]);
    const t = trustworthiness(x, 6, 1, y, 1, { k: 1 });
    expect(t.value).toBeCloseTo(1 - 10 / 24, 12);
    expect(t.value).toBeCloseTo(referenceTrust(x, y, 6, 1, 1, 1), 12);
  });

  it('matches the O(n²) reference on random data, and a sample estimates it', () => {
    const n = 300, d = 6, rng = seededRng(4);
    const x = Float32Array.from({ length: n * d }, () => rng.normal());
    // Embedding: the first two coordinates plus noise (partly trustworthy).
    const y = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) { y[i * 2] = x[i * d]! + 0.3 * rng.normal(); y[i * 2 + 1] = x[i * d + 1]! + 0.3 * rng.normal(); }
    for (const k of [5, 12]) {
      const full = trustworthiness(x, n, d, y, 2, { k });
      expect(full.sampled).toBe(n);
      expect(full.value).toBeCloseTo(referenceTrust(x, y, n, d, 2, k), 12);
      expect(full.value).toBeGreaterThan(0.5);
      expect(full.value).toBeLessThan(0.95);
    }
    const s = trustworthiness(x, n, d, y, 2, { k: 5, sample: 150, seed: 1 });
    expect(s.sampled).toBe(150);
    expect(Math.abs(s.value - trustworthiness(x, n, d, y, 2, { k: 5 }).value)).toBeLessThan(0.03);
  });

  it('rejects k ≥ n/2', () => {
    expect(() => trustworthiness(new Float32Array(6), 6, 1, new Float32Array(6), 1, { k: 3 })).toThrow(/k must be/);
  });
});

describe('knnAccuracy', () => {
  it('counts leave-one-out majority votes', () => {
    // Two tight groups far apart; point 4 is labelled 1 but sits in group 0's cluster.
    const x = Float32Array.from([0, 0.1, 0.2, 0.3, 0.15, 10, 10.1, 10.2, 10.3]);
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1];
    // k = 3: every point's 3 nearest are in its own cluster; point 4 votes 0 (wrong), the other
    // group-0 points see at most one '1' among three → correct. 8 of 9.
    expect(knnAccuracy(x, 9, 1, labels, 3)).toBeCloseTo(8 / 9, 12);
    expect(knnAccuracy(x, 9, 1, [0, 0, 0, 0, 0, 1, 1, 1, 1], 3)).toBe(1);
  });
});
