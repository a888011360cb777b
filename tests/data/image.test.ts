import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { loadImage, loadImageBatch, planGeometry, toOriginal, ImageError } from '../../core/data/image.ts';
import { PRESETS, type Preprocessing } from '../../core/data/types.ts';
import { encodePng } from '../../core/data/png.ts';
import { encodePngFixture } from './png-fixture.ts';

const prep = (size: [number, number], channels: 1 | 3, preset: 'unit' | 'imagenet' | 'mnist', resize: Preprocessing['resize'] = 'stretch'): Preprocessing =>
  ({ size, channels, ...PRESETS[preset], mean: [...PRESETS[preset].mean], std: [...PRESETS[preset].std], resize });

const f = Math.fround;
const values = (a: Float32Array) => Array.from(a);

// 2×2 RGB, row-major interleaved: (0,0)=[0,128,255] (1,0)=[10,20,30] (0,1)=[255,0,64] (1,1)=[1,2,3]
const RGB = [0, 128, 255, 10, 20, 30, 255, 0, 64, 1, 2, 3];
const rgbPng = encodePngFixture(RGB, 2, 2, 3);
const planes = (px: number[], C: number) => Array.from({ length: C }, (_, c) => px.filter((_, i) => i % C === c)).flat();

describe('image → tensor numbers', () => {
  it('unit preset: RGB scaled to [0, 1], NCHW', async () => {
    const im = await loadImage(rgbPng, prep([2, 2], 3, 'unit'));
    expect(im.tensor.dims).toEqual([1, 3, 2, 2]);
    expect(values(im.tensor.data)).toEqual(planes(RGB, 3).map((v) => f(v / 255)));
    expect(im.geometry).toEqual({ original: { width: 2, height: 2 }, resized: { width: 2, height: 2 }, crop: { left: 0, top: 0, width: 2, height: 2 }, scale: { x: 1, y: 1 } });
    expect(im.source).toMatchObject({ format: 'png', width: 2, height: 2, channels: 3, bitDepth: 8, hasAlpha: false });
  });

  it('imagenet preset: per-channel mean/std', async () => {
    const im = await loadImage(rgbPng, prep([2, 2], 3, 'imagenet'));
    const m = [0.485, 0.456, 0.406], s = [0.229, 0.224, 0.225];
    const expected = planes(RGB, 3).map((v, i) => f((v / 255 - m[i >> 2]!) / s[i >> 2]!));
    expect(values(im.tensor.data)).toEqual(expected);
    expect(im.tensor.data[0]).toBeCloseTo(-0.485 / 0.229, 6); // black red channel
  });

  it('mnist preset on a gray model: RGB → luminance (0.299, 0.587, 0.114), then (x − 0.1307) / 0.3081', async () => {
    const im = await loadImage(rgbPng, prep([2, 2], 1, 'mnist'));
    expect(im.tensor.dims).toEqual([1, 1, 2, 2]);
    const lum = [0, 1, 2, 3].map((i) => (0.299 * RGB[3 * i]! + 0.587 * RGB[3 * i + 1]! + 0.114 * RGB[3 * i + 2]!) / 255);
    expect(values(im.tensor.data)).toEqual(lum.map((v) => f((v - 0.1307) / 0.3081)));
  });

  it('16-bit gray is scaled by 65535 and replicated into three channels for an RGB model', async () => {
    const px = [0, 65535, 1000, 30000];
    const im = await loadImage(encodePngFixture(px, 2, 2, 1, 16), prep([2, 2], 3, 'unit'));
    expect(im.source.bitDepth).toBe(16);
    const one = px.map((v) => f(v / 65535));
    expect(values(im.tensor.data)).toEqual([...one, ...one, ...one]);
  });

  it('16-bit RGB keeps 16-bit precision', async () => {
    const px = [0, 65535, 1000, 30000, 2, 3];
    const im = await loadImage(encodePngFixture(px, 2, 1, 3, 16), prep([1, 2], 3, 'unit'));
    expect(values(im.tensor.data)).toEqual(planes(px, 3).map((v) => f(v / 65535)));
  });

  it('RGBA drops alpha (colour values kept as stored); gray+alpha likewise', async () => {
    const rgba = [10, 20, 30, 0, 40, 50, 60, 255];
    const im = await loadImage(encodePngFixture(rgba, 2, 1, 4), prep([1, 2], 3, 'unit'));
    expect(values(im.tensor.data)).toEqual([10, 40, 20, 50, 30, 60].map((v) => f(v / 255)));
    expect(im.source.hasAlpha).toBe(true);
    const ga = await loadImage(encodePngFixture([7, 0, 200, 128], 2, 1, 2), prep([1, 2], 1, 'unit'));
    expect(values(ga.tensor.data)).toEqual([7, 200].map((v) => f(v / 255)));
  });

  it('center-crop: an image larger on one side is cropped around its centre (no resize when the short side fits)', async () => {
    // 6 wide × 4 high gray, value = 10·x + y
    const px = Array.from({ length: 24 }, (_, i) => 10 * (i % 6) + Math.floor(i / 6));
    const im = await loadImage(encodePngFixture(px, 6, 4, 1), prep([4, 4], 1, 'unit', 'center-crop'));
    expect(im.geometry.crop).toEqual({ left: 1, top: 0, width: 4, height: 4 });
    expect(im.geometry.resized).toEqual({ width: 6, height: 4 });
    const expected: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 1; x < 5; x++) expected.push(f((10 * x + y) / 255));
    expect(values(im.tensor.data)).toEqual(expected);
    expect(toOriginal(im.geometry, 0, 0)).toEqual({ x: 1, y: 0 });
  });

  it('stretch resizes to the model size and records the scale', async () => {
    const px = Array.from({ length: 64 }, (_, i) => i * 4);
    const im = await loadImage(encodePngFixture(px, 8, 8, 1), prep([4, 2], 1, 'unit', 'stretch'));
    expect(im.tensor.dims).toEqual([1, 1, 4, 2]);
    expect(im.geometry.scale).toEqual({ x: 0.25, y: 0.5 });
    // a linear ramp stays monotone left→right and top→bottom after resizing
    const d = im.tensor.data;
    for (let y = 0; y < 4; y++) expect(d[y * 2 + 1]!).toBeGreaterThan(d[y * 2]!);
    for (let y = 1; y < 4; y++) expect(d[y * 2]!).toBeGreaterThan(d[(y - 1) * 2]!);
    expect(toOriginal(im.geometry, 1, 2)).toEqual({ x: 4, y: 4 });
  });

  it('JPEG and TIFF decode like PNG', async () => {
    const raw = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 7) % 256);
    const src = sharp(raw, { raw: { width: 16, height: 16, channels: 3 } });
    const tiff = await src.clone().tiff({ compression: 'lzw' }).toBuffer();
    const jpeg = await src.clone().jpeg({ quality: 100 }).toBuffer();
    const p = prep([16, 16], 3, 'unit');
    const t = await loadImage(tiff, p);
    const j = await loadImage(jpeg, p);
    expect(t.source.format).toBe('tiff');
    expect(j.source.format).toBe('jpeg');
    expect(values(t.tensor.data)).toEqual(planes(Array.from(raw), 3).map((v) => f(v / 255)));
    expect(j.tensor.dims).toEqual([1, 3, 16, 16]);
    const meanAbs = j.tensor.data.reduce((a, v, i) => a + Math.abs(v - t.tensor.data[i]!), 0) / j.tensor.data.length;
    expect(meanAbs).toBeLessThan(0.1); // lossy, but the same picture
  });

  it('a batch stacks images as [N, C, H, W]', async () => {
    const a = encodePngFixture([0, 255, 0, 255], 2, 2, 1), b = encodePngFixture([255, 0, 255, 0], 2, 2, 1);
    const { tensor } = await loadImageBatch([a, b], prep([2, 2], 1, 'unit'));
    expect(tensor.dims).toEqual([2, 1, 2, 2]);
    expect(values(tensor.data)).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
  });

  it('encodePng round-trips 8- and 16-bit pixels through the loader', async () => {
    const p16 = await encodePng({ width: 2, height: 1, channels: 1, data: new Uint16Array([123, 65000]) });
    expect(values((await loadImage(p16, prep([1, 2], 1, 'unit'))).tensor.data)).toEqual([f(123 / 65535), f(65000 / 65535)]);
    const p8 = await encodePng({ width: 1, height: 1, channels: 3, data: new Uint8Array([9, 99, 199]) });
    expect(values((await loadImage(p8, prep([1, 1], 3, 'unit'))).tensor.data)).toEqual([9, 99, 199].map((v) => f(v / 255)));
  });
});

describe('geometry planning', () => {
  it('ImageNet-style 256 → 224 centre crop of a 500×375 photo', () => {
    const g = planGeometry(500, 375, { size: [224, 224], resize: 'center-crop', resizeShorter: 256 });
    expect(g.resized).toEqual({ width: 341, height: 256 });
    expect(g.crop).toEqual({ left: 58, top: 16, width: 224, height: 224 }); // round(58.5) → 58, half to even
  });
  it('an image already at the input size is used as is', () => {
    const g = planGeometry(224, 224, { size: [224, 224], resize: 'center-crop', resizeShorter: 256 });
    expect(g.resized).toEqual({ width: 224, height: 224 });
    expect(g.scale).toEqual({ x: 1, y: 1 });
  });
  it('a crop never exceeds the resized image (wide target from a tall image)', () => {
    const g = planGeometry(100, 400, { size: [50, 200], resize: 'center-crop' });
    expect(g.resized.width).toBeGreaterThanOrEqual(200);
    expect(g.resized.height).toBeGreaterThanOrEqual(50);
    expect(g.crop.left + g.crop.width).toBeLessThanOrEqual(g.resized.width);
    expect(g.crop.top + g.crop.height).toBeLessThanOrEqual(g.resized.height);
  });
});

describe('bad images', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-img-'));
  const p = prep([2, 2], 3, 'unit');

  it('not an image', async () => {
    const path = join(dir, 'notes.png');
    writeFileSync(path, 'this is text, not pixels');
    await expect(loadImage(path, p)).rejects.toThrow(`${path}: not an image (or a format this tool cannot read; use PNG, JPEG or TIFF)`);
  });

  it('truncated', async () => {
    const png = encodePngFixture(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 31) % 256), 64, 64, 3);
    await expect(loadImage(png.subarray(0, png.length - 200), p, { name: 'cut.png' })).rejects.toThrow(/^cut\.png: the image file is damaged or truncated/);
    await expect(loadImage(png.subarray(0, 30), p, { name: 'head.png' })).rejects.toThrow(/^head\.png: (the image file is damaged|not an image)/);
  });

  it('huge dimensions are refused before decoding', async () => {
    // A valid header declaring 20000×20000 pixels with almost no data.
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(20000, 0); ihdr.writeUInt32BE(20000, 4); ihdr[8] = 8; ihdr[9] = 0;
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type), data]);
      const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
      return Buffer.concat([len, body, crc]);
    };
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(20001))), chunk('IEND', Buffer.alloc(0))]);
    const t0 = performance.now();
    const err = await loadImage(png, p, { name: 'huge.png' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toBe('huge.png: the image is larger than 16384×16384 pixels; downscale it first');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('missing and empty files', async () => {
    await expect(loadImage(join(dir, 'nope.png'), p)).rejects.toThrow(/nope\.png: no such file/);
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    await expect(loadImage(empty, p)).rejects.toThrow(/empty\.png: the file is empty/);
  });
});
