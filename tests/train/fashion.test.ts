import { describe, expect, it } from 'vitest';
import { FASHION_CLASS_NAMES, loadFashionSplit } from '../../core/data/fashion.ts';

describe('Fashion-MNIST split', () => {
  const { train, test } = loadFashionSplit();

  it('has 60,000 / 10,000 images of 28×28, 6,000 / 1,000 per class', () => {
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    expect([train.height, train.width, test.height, test.width]).toEqual([28, 28, 28, 28]);
    expect(train.images.length).toBe(60_000 * 784);
    expect(test.images.length).toBe(10_000 * 784);
    const perClass = (labels: Uint8Array) => { const c = new Array<number>(10).fill(0); for (const l of labels) c[l]!++; return c; };
    expect(perClass(train.labels)).toEqual(new Array(10).fill(6000));
    expect(perClass(test.labels)).toEqual(new Array(10).fill(1000));
    expect(FASHION_CLASS_NAMES[1]).toBe('Trouser');
    expect(FASHION_CLASS_NAMES[9]).toBe('Ankle boot');
  });

  it('no test image is pixel-identical to a training image', () => {
    const key = (a: Uint8Array, i: number) => Buffer.from(a.buffer, a.byteOffset + i * 784, 784).toString('latin1');
    const trainKeys = new Set<string>();
    for (let i = 0; i < train.count; i++) trainKeys.add(key(train.images, i));
    let overlap = 0;
    for (let i = 0; i < test.count; i++) if (trainKeys.has(key(test.images, i))) overlap++;
    expect(overlap).toBe(0);
  });

  it('labels follow the package order (trousers have a dark gap between the legs, bags do not)', () => {
    // Mean brightness of the bottom-centre column (rows 20–27, column 14): trousers ≪ bags.
    const meanGap = (cls: number) => {
      let s = 0, n = 0;
      for (let i = 0; i < test.count; i++) if (test.labels[i] === cls) for (let y = 20; y < 28; y++) { s += test.images[i * 784 + y * 28 + 14]!; n++; }
      return s / n;
    };
    expect(meanGap(1)).toBeLessThan(meanGap(8) / 2);
  });
});
