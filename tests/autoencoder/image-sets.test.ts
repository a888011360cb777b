// Image sets: IDX files with labels, CSV of path,label, class folders, concatenations labelled by part.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageSet, concatSets, floatSet } from '../../core/autoencoder/image-sets.ts';
import { encodePng } from '../../core/data/png.ts';
import type { Preprocessing } from '../../core/data/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-ae-sets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const prep: Preprocessing = { size: [2, 2], channels: 1, mean: [0.5], std: [0.25], preset: 'custom', resize: 'stretch' };

function idx(type: number, dims: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(head.length + data.length);
  out.set(head); out.set(data, head.length);
  return out;
}

beforeAll(async () => {
  writeFileSync(join(dir, 'img.idx'), idx(0x08, [3, 2, 2], Uint8Array.from([0, 255, 0, 255, 51, 51, 51, 51, 255, 255, 255, 255])));
  writeFileSync(join(dir, 'lab.idx'), idx(0x08, [3], Uint8Array.from([7, 7, 2])));
  mkdirSync(join(dir, 'imgs'));
  await Promise.all(['a', 'b'].map(async (n, i) => writeFileSync(join(dir, 'imgs', `${n}.png`), await encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill(i * 255) }))));
  writeFileSync(join(dir, 'list.csv'), 'path,label\nimgs/a.png,good\n"imgs/b.png",bad\n');
});

describe('image sets', () => {
  it('IDX images with an IDX labels file, normalised with the model preprocessing', async () => {
    const s = openImageSet(join(dir, 'img.idx'), prep, { labelsPath: join(dir, 'lab.idx') });
    expect(s.count).toBe(3);
    expect(s.labels).toEqual(['7', '7', '2']);
    expect(Array.from(await s.read(0, 2))).toEqual([-2, 2, -2, 2, -1.2, -1.2, -1.2, -1.2].map((v) => Math.fround(v)));
    expect(openImageSet(join(dir, 'img.idx'), prep).labels).toBeUndefined();
  });
  it('IDX images find the labels file beside them by MNIST\'s naming (as Embeddings does)', () => {
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx(0x08, [3, 2, 2], new Uint8Array(12)));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x08, [3], Uint8Array.from([4, 0, 9])));
    expect(openImageSet(join(dir, 't10k-images-idx3-ubyte'), prep).labels).toEqual(['4', '0', '9']);
  });
  it('CSV rows relative to the CSV folder, with a header', async () => {
    const s = openImageSet(join(dir, 'list.csv'), prep);
    expect(s.labels).toEqual(['good', 'bad']);
    expect(Array.from(await s.read(1, 2))).toEqual([2, 2, 2, 2]);
  });
  it('a flat folder is unlabelled; A+B labels items by part and reads across the seam', async () => {
    expect(openImageSet(join(dir, 'imgs'), prep).labels).toBeUndefined();
    const s = concatSets([floatSet('p', new Float32Array([1, 1, 1, 1, 2, 2, 2, 2]), 2), floatSet('q', new Float32Array([3, 3, 3, 3]), 1)]);
    expect(s.labels).toEqual(['p', 'p', 'q']);
    expect(Array.from(await s.read(1, 3))).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    expect(s.itemName(2)).toBe('q:0');
    const both = openImageSet('mnist-test+fashion-test', { ...prep, size: [28, 28], mean: [0], std: [1] }, { limit: 3 });
    expect(both.count).toBe(6);
    expect(both.labels).toEqual(['mnist-test', 'mnist-test', 'mnist-test', 'fashion-test', 'fashion-test', 'fashion-test']);
  });
  it('explains what it cannot open', () => {
    expect(() => openImageSet(join(dir, 'nope'), prep)).toThrow(/neither a file, a folder, nor a shipped set/);
    expect(() => openImageSet(join(dir, 'img.idx'), prep, { labelsPath: join(dir, 'img.idx') })).toThrow(/expected 3 labels/);
  });
});
