import { describe, expect, it } from 'vitest';
import { auroc, countCorrect, meanAbsoluteError, meanSquaredError, perItemMse, softmaxCrossEntropy } from '../../core/train/losses.ts';

describe('losses', () => {
  it('softmax cross-entropy equals −log softmax by hand', () => {
    // Row 0: logits [0, ln 3] → p(1) = 3/4 → loss −ln(3/4); row 1: [1000, 1000] (stability) label 0 → ln 2.
    const logits = Float32Array.from([0, Math.log(3), 1000, 1000]);
    const expected = (-Math.log(3 / 4) + Math.log(2)) / 2;
    expect(softmaxCrossEntropy(logits, [1, 0], 2)).toBeCloseTo(expected, 6);
  });
  it('MSE and L1 average over all elements', () => {
    const p = Float32Array.from([1, 2, 3, 4]), t = Float32Array.from([1, 0, 4, 4]);
    expect(meanSquaredError(p, t)).toBeCloseTo((0 + 4 + 1 + 0) / 4, 9);
    expect(meanAbsoluteError(p, t)).toBeCloseTo((0 + 2 + 1 + 0) / 4, 9);
    expect(Array.from(perItemMse(p, t, 2))).toEqual([2, 0.5]);
  });
  it('counts arg-max hits', () => {
    expect(countCorrect(Float32Array.from([0.1, 0.9, 0.8, 0.2, 0.3, 0.7]), [1, 1, 1], 2)).toBe(2);
  });
  it('AUROC: perfect separation 1, reversed 0, ties ½, and a hand-counted case', () => {
    expect(auroc([1, 2, 3], [4, 5])).toBe(1);
    expect(auroc([4, 5], [1, 2, 3])).toBe(0);
    expect(auroc([1, 1], [1, 1])).toBe(0.5);
    // pairs (anomaly > normal): 2>1 ✓, 2>3 ✗, 4>1 ✓, 4>3 ✓ → 3/4
    expect(auroc([1, 3], [2, 4])).toBe(0.75);
  });
  it('names the problem on bad input', () => {
    expect(() => softmaxCrossEntropy(new Float32Array(4), [5, 0], 2)).toThrow(/label 5/);
    expect(() => meanSquaredError(new Float32Array(2), new Float32Array(3))).toThrow(/mse/);
  });
});
