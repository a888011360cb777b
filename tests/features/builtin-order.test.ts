// The shipped Fashion-MNIST sets are stored class by class; as embedding sets they are read
// round-robin over the classes so that the first N items (--limit) cover every class.
import { describe, expect, it } from 'vitest';
import { builtinSet, limitSet, roundRobinOrder } from '../../core/features/image-set.ts';
import { loadFashion } from '../../core/data/fashion.ts';
import { loadMnist } from '../../core/data/idx.ts';

describe('builtin set order', () => {
  it('roundRobinOrder interleaves classes, keeping dataset order within each', () => {
    expect(Array.from(roundRobinOrder([0, 0, 0, 1, 1, 2]))).toEqual([0, 3, 5, 1, 4, 2]);
    expect(Array.from(roundRobinOrder([2, 1, 2, 1]))).toEqual([1, 0, 3, 2]);
  });

  it('fashion-test: the first 20 items are two of each class; pixels and labels follow the source index', () => {
    const set = limitSet(builtinSet('fashion-test'), 20);
    expect(Array.from(set.labels!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if (set.kind !== 'gray') throw new Error('gray set expected');
    const raw = loadFashion('test');
    for (const i of [0, 7, 13, 19]) {
      const k = set.sourceIndex!(i);
      expect(raw.labels[k]).toBe(set.labels![i]);
      expect(Array.from(set.pixels(i))).toEqual(Array.from(raw.images.subarray(k * 784, (k + 1) * 784)));
    }
    // A permutation: every source item once.
    const full = builtinSet('fashion-test');
    if (full.kind !== 'gray') throw new Error('gray set expected');
    const seen = new Uint8Array(full.count);
    for (let i = 0; i < full.count; i++) seen[full.sourceIndex!(i)]!++;
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it('MNIST keeps its own (already mixed) order', () => {
    const set = builtinSet('mnist-test');
    if (set.kind !== 'gray') throw new Error('gray set expected');
    expect(set.sourceIndex).toBeUndefined();
    expect(Array.from(set.pixels(5))).toEqual(Array.from(loadMnist('test').images.subarray(5 * 784, 6 * 784)));
  });

  it('mnist-fashion-test alternates MNIST digits and Fashion images (round-robin over its classes), labelled by source', () => {
    const set = builtinSet('mnist-fashion-test');
    if (set.kind !== 'gray') throw new Error('gray set expected');
    expect(set.count).toBe(20_000);
    expect(set.classNames).toEqual(['MNIST digit', 'Fashion-MNIST']);
    expect(Array.from(set.labels!.subarray(0, 6))).toEqual([0, 1, 0, 1, 0, 1]);
    const m = loadMnist('test'), f = loadFashion('test');
    expect(Array.from(set.pixels(4))).toEqual(Array.from(m.images.subarray(2 * 784, 3 * 784)));
    // Item 3 is the second Fashion image: the first of class 1.
    const k = f.labels.indexOf(1);
    expect(Array.from(set.pixels(3))).toEqual(Array.from(f.images.subarray(k * 784, (k + 1) * 784)));
    expect(Array.from(limitSet(set, 7).labels!)).toEqual([0, 1, 0, 1, 0, 1, 0]);
  });
});
