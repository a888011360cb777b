import { describe, expect, it } from 'vitest';
import { Adam, Sgd, type ParamSet } from '../../core/train/optimizers.ts';
import { learningRate } from '../../core/train/schedule.ts';

const set = (o: Record<string, number[]>): ParamSet => new Map(Object.entries(o).map(([k, v]) => [k, Float32Array.from(v)]));

describe('Adam', () => {
  it('first step moves each weight by lr·sign(g) (bias correction makes m̂/√v̂ = g/|g|)', () => {
    const p = set({ w: [1, -2, 0.5] });
    new Adam({ eps: 1e-8 }).step(p, set({ w: [0.3, -4, 1e-3] }), 0.1);
    const w = p.get('w')!;
    expect(w[0]).toBeCloseTo(0.9, 6);
    expect(w[1]).toBeCloseTo(-1.9, 6);
    expect(w[2]).toBeCloseTo(0.4, 4); // |g| = 1e-3 ≫ eps, so still ≈ lr·sign(g)
  });

  it('matches a hand computation over three steps with changing gradients', () => {
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 0.01;
    const grads = [[0.5, -1], [0.1, 2], [-0.3, 0.4]];
    // Independent scalar recurrence in float64.
    const w = [1, 2], m = [0, 0], v = [0, 0];
    for (let t = 1; t <= 3; t++) {
      for (let i = 0; i < 2; i++) {
        const g = grads[t - 1]![i]!;
        m[i] = b1 * m[i]! + (1 - b1) * g;
        v[i] = b2 * v[i]! + (1 - b2) * g * g;
        const mh = m[i]! / (1 - b1 ** t), vh = v[i]! / (1 - b2 ** t);
        w[i] = w[i]! - (lr * mh) / (Math.sqrt(vh) + eps);
      }
    }
    const p = set({ w: [1, 2] });
    const opt = new Adam({ beta1: b1, beta2: b2, eps });
    for (const g of grads) opt.step(p, set({ w: g }), lr);
    expect(p.get('w')![0]).toBeCloseTo(w[0]!, 6);
    expect(p.get('w')![1]).toBeCloseTo(w[1]!, 6);
    expect(opt.steps).toBe(3);
    // Concrete value for step 1 of weight 0: 1 − 0.01 = 0.99; after three steps it is below that.
    expect(w[0]).toBeLessThan(0.99);
  });

  it('applies decoupled weight decay (AdamW) except to parameters listed as noDecay', () => {
    const p = set({ w: [2], b: [2] });
    new Adam({ weightDecay: 0.1 }, new Set(['b'])).step(p, set({ w: [1], b: [1] }), 0.5);
    // w: 2 − 0.5·0.1·2 − 0.5·1 = 1.4 ; b: 2 − 0.5 = 1.5
    expect(p.get('w')![0]).toBeCloseTo(1.4, 6);
    expect(p.get('b')![0]).toBeCloseTo(1.5, 6);
  });
});

describe('SGD', () => {
  it('plain SGD is w − lr·g', () => {
    const p = set({ w: [1, 2] });
    new Sgd().step(p, set({ w: [0.5, -1] }), 0.1);
    expect(p.get('w')![0]).toBeCloseTo(0.95, 6);
    expect(p.get('w')![1]).toBeCloseTo(2.1, 6);
  });

  it('momentum with L2 weight decay matches torch.optim.SGD by hand over three steps', () => {
    // w0 = 1, lr 0.1, μ 0.9, wd 0.01, gradients 1, 1, −2.
    // step 1: d = 1 + 0.01·1 = 1.01; v = 1.01; w = 1 − 0.101 = 0.899
    // step 2: d = 1 + 0.00899 = 1.00899; v = 0.909 + 1.00899 = 1.91799; w = 0.899 − 0.191799 = 0.707201
    // step 3: d = −2 + 0.00707201 = −1.99292799; v = 1.726191 − 1.99292799 = −0.26673699; w = 0.707201 + 0.026673699 = 0.733874699
    const p = set({ w: [1] });
    const opt = new Sgd({ momentum: 0.9, weightDecay: 0.01 });
    const seen: number[] = [];
    for (const g of [1, 1, -2]) { opt.step(p, set({ w: [g] }), 0.1); seen.push(p.get('w')![0]!); }
    expect(seen[0]).toBeCloseTo(0.899, 6);
    expect(seen[1]).toBeCloseTo(0.707201, 6);
    expect(seen[2]).toBeCloseTo(0.733874699, 6);
  });

  it('Nesterov uses g + μ·v', () => {
    // step 1: v = 1, d = 1 + 0.9 = 1.9, w = 1 − 0.19 = 0.81; step 2: v = 0.9 + 1 = 1.9, d = 1 + 1.71 = 2.71, w = 0.81 − 0.271 = 0.539
    const p = set({ w: [1] });
    const opt = new Sgd({ momentum: 0.9, nesterov: true });
    opt.step(p, set({ w: [1] }), 0.1);
    expect(p.get('w')![0]).toBeCloseTo(0.81, 6);
    opt.step(p, set({ w: [1] }), 0.1);
    expect(p.get('w')![0]).toBeCloseTo(0.539, 6);
  });

  it('decoupled weight decay shrinks w separately from the momentum buffer', () => {
    // w = 2, lr 0.1, wd 0.5, g = 0: w = 2 − 0.1·0.5·2 = 1.9 (L2 would give the same first step, but the
    // buffer stays 0 here, so step 2 is again a pure shrink: 1.9·0.95 = 1.805)
    const p = set({ w: [2] });
    const opt = new Sgd({ momentum: 0.9, weightDecay: 0.5, weightDecayMode: 'decoupled' });
    opt.step(p, set({ w: [0] }), 0.1);
    opt.step(p, set({ w: [0] }), 0.1);
    expect(p.get('w')![0]).toBeCloseTo(1.805, 6);
    const q = set({ w: [2] });
    const l2 = new Sgd({ momentum: 0.9, weightDecay: 0.5 });
    l2.step(q, set({ w: [0] }), 0.1);
    l2.step(q, set({ w: [0] }), 0.1);
    // L2: step 1 v = 1, w = 1.9; step 2 d = 0.95, v = 0.9 + 0.95 = 1.85, w = 1.9 − 0.185 = 1.715
    expect(q.get('w')![0]).toBeCloseTo(1.715, 6);
  });

  it('rejects a gradient of the wrong size with a message naming the parameter', () => {
    expect(() => new Sgd().step(set({ conv: [1, 2] }), set({ conv: [1] }), 0.1)).toThrow(/conv/);
  });
});

describe('learning-rate schedules', () => {
  it('step decay multiplies by gamma every k epochs', () => {
    const s = { kind: 'step', everyEpochs: 2, gamma: 0.5 } as const;
    expect(learningRate(1, s, 0, 100, 10)).toBe(1);
    expect(learningRate(1, s, 19, 100, 10)).toBe(1);
    expect(learningRate(1, s, 20, 100, 10)).toBe(0.5);
    expect(learningRate(1, s, 45, 100, 10)).toBe(0.25);
  });
  it('cosine starts at lr, is half-way at mid-run and ends at lr·minFactor', () => {
    const s = { kind: 'cosine', minFactor: 0.1 } as const;
    expect(learningRate(1, s, 0, 100, 10)).toBeCloseTo(1, 9);
    expect(learningRate(1, s, 50, 100, 10)).toBeCloseTo(0.55, 9);
    expect(learningRate(1, s, 100, 100, 10)).toBeCloseTo(0.1, 9);
  });
});
