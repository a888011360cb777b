// The shipped sample images decode to what they were made from.
import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadImage } from '../../core/data/image.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { PRESETS, type Preprocessing } from '../../core/data/types.ts';

const samples = resolve(import.meta.dirname, '../../resources/samples');
const unit = (size: [number, number], channels: 1 | 3): Preprocessing => ({ size, channels, ...PRESETS.unit, mean: [0], std: [1], resize: 'stretch' });

describe('resources/samples', () => {
  it('mnist-7.png is MNIST test image 0, pixel for pixel', async () => {
    const mnist = loadMnist('test');
    expect(mnist.labels[0]).toBe(7);
    const im = await loadImage(join(samples, 'mnist-7.png'), unit([28, 28], 1));
    expect(Array.from(im.tensor.data)).toEqual(Array.from(mnist.images.subarray(0, 784), (v) => Math.fround(v / 255)));
  });

  it('the 224×224 RGB and 16-bit gray samples have the advertised format, and every sample is small', async () => {
    const rgb = await loadImage(join(samples, 'shapes-224.png'), unit([224, 224], 3));
    expect(rgb.source).toMatchObject({ width: 224, height: 224, channels: 3, bitDepth: 8 });
    const g16 = await loadImage(join(samples, 'radial-16bit.png'), unit([48, 64], 1));
    expect(g16.source).toMatchObject({ width: 64, height: 48, channels: 1, bitDepth: 16 });
    expect(Math.max(...g16.tensor.data)).toBeCloseTo(1, 3);
    for (const f of ['mnist-0.png', 'shapes-224.png', 'radial-16bit.png']) expect(statSync(join(samples, f)).size).toBeLessThan(200 * 1024);
  });
});
