// Fashion-MNIST ships class by class; core/data/fashion.ts interleaves the classes, so the first N
// items of a split (a sample picker, an embedding's --limit, a scoring limit) cover every class, and
// an index means the same image everywhere.
import { describe, expect, it } from 'vitest';
import { builtinSet, limitSet } from '../../core/features/image-set.ts';
import { loadFashion } from '../../core/data/fashion.ts';
import { loadMnist } from '../../core/data/idx.ts';

describe('builtin set order', () => {
  it('fashion test and train: item i has class i mod 10, and the set reads the dataset rows as they are', () => {
    for (const split of ['test', 'train'] as const) {
      const raw = loadFashion(split);
      for (let i = 0; i < raw.count; i += 997) expect(raw.labels[i]).toBe(i % 10);
      expect(raw.count).toBe(split === 'test' ? 10_000 : 60_000);
    }
    const set = limitSet(builtinSet('fashion-test'), 20);
    expect(Array.from(set.labels!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if (set.kind !== 'gray') throw new Error('gray set expected');
    const raw = loadFashion('test');
    for (const i of [0, 7, 13, 19]) expect(Array.from(set.pixels(i))).toEqual(Array.from(raw.images.subarray(i * 784, (i + 1) * 784)));
  });

  it('MNIST keeps its own (already mixed) order', () => {
    const set = builtinSet('mnist-test');
    if (set.kind !== 'gray') throw new Error('gray set expected');
    expect(Array.from(set.pixels(5))).toEqual(Array.from(loadMnist('test').images.subarray(5 * 784, 6 * 784)));
  });

  it('mnist-fashion-test alternates MNIST digits and Fashion images, labelled by source', () => {
    const set = builtinSet('mnist-fashion-test');
    if (set.kind !== 'gray') throw new Error('gray set expected');
    expect(set.count).toBe(20_000);
    expect(set.classNames).toEqual(['MNIST digit', 'Fashion-MNIST']);
    expect(Array.from(set.labels!.subarray(0, 6))).toEqual([0, 1, 0, 1, 0, 1]);
    const m = loadMnist('test'), f = loadFashion('test');
    expect(Array.from(set.pixels(4))).toEqual(Array.from(m.images.subarray(2 * 784, 3 * 784)));
    // Item 3 is Fashion #1, the first Trouser.
    expect(f.labels[1]).toBe(1);
    expect(Array.from(set.pixels(3))).toEqual(Array.from(f.images.subarray(784, 2 * 784)));
    expect(Array.from(limitSet(set, 7).labels!)).toEqual([0, 1, 0, 1, 0, 1, 0]);
  });
});
