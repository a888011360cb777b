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

describe('whole data sets', () => {
  it('mnist-all is the 10,000 test digits then the 60,000 training digits, with their labels', () => {
    const set = builtinSet('mnist-all');
    if (set.kind !== 'gray') throw new Error('gray set expected');
    const test = loadMnist('test'), train = loadMnist('train');
    expect(set.count).toBe(70_000);
    expect([set.labels![0], set.labels![9_999], set.labels![10_000], set.labels![69_999]]).toEqual([test.labels[0], test.labels[9_999], train.labels[0], train.labels[59_999]]);
    expect(Array.from(set.pixels(10_001))).toEqual(Array.from(train.images.subarray(784, 2 * 784)));
    expect(Array.from(set.pixels(3))).toEqual(Array.from(test.images.subarray(3 * 784, 4 * 784)));
  });

  it('fashion-all holds every Fashion-MNIST image of the split once', () => {
    const set = builtinSet('fashion-all');
    expect(set.count).toBe(70_000);
    expect(set.classNames![9]).toBe('Ankle boot');
    expect(Array.from(set.labels!.subarray(10_000, 10_010))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
