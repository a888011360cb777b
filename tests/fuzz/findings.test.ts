// Inputs the fuzzer found (see findings/README.md), kept as regression tests.
import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dir = join(import.meta.dirname, 'findings');

it('dicom-rle-item-length.dcm is refused quickly and without gigabytes of memory', () => {
  // In a child: the bug takes ~4 GB, which must not land in the vitest worker.
  const script = `const { readDicom } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'core', 'dicom', 'read.ts'))});
    const b = new Uint8Array((await import('node:fs')).readFileSync(${JSON.stringify(join(dir, 'dicom-rle-item-length.dcm'))}));
    const t0 = performance.now(); let name = 'none';
    try { await readDicom(b); } catch (e) { name = e.name; }
    console.log(JSON.stringify({ name, ms: performance.now() - t0, rssMB: process.memoryUsage().rss / 2 ** 20 }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; ms: number; rssMB: number };
  expect(out.name).toBe('DicomError');
  expect(out.ms).toBeLessThan(2000);
  expect(out.rssMB).toBeLessThan(600);
  expect(readFileSync(join(dir, 'dicom-rle-item-length.dcm')).length).toBe(972);
}, 90_000);

it('png-huge-width-93-bytes.png is refused before decoding (no allocation of the declared size)', async () => {
  const { loadImage } = await import('../../core/data/image.ts');
  const { PRESETS } = await import('../../core/data/types.ts');
  const b = new Uint8Array(readFileSync(join(dir, 'png-huge-width-93-bytes.png')));
  const t0 = performance.now();
  await expect(loadImage(b, { size: [28, 28], channels: 1, resize: 'stretch', ...PRESETS.mnist })).rejects.toThrow(/declares 8421404×28 pixels but holds only 93 bytes/);
  expect(performance.now() - t0).toBeLessThan(1000);
});

it('the PNG CRC repair makes a mutated chunk pass the checksum (so the fuzzer reaches the decoder)', async () => {
  const { fixPngCrcs } = await import('./targets.ts');
  const { crc32 } = await import('node:zlib');
  const png = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'samples', 'mnist-0.png')));
  const bad = png.slice();
  bad[8 + 8 + 2]! ^= 0x01; // a byte of IHDR's data (width)
  const fixed = fixPngCrcs(bad);
  const dv = new DataView(fixed.buffer);
  const len = dv.getUint32(8);
  expect(dv.getUint32(8 + 8 + len)).toBe(crc32(fixed.subarray(12, 16 + len)));
  expect(dv.getUint32(8 + 8 + len)).not.toBe(new DataView(png.buffer, png.byteOffset).getUint32(8 + 8 + len));
  expect(Array.from(fixPngCrcs(png))).toEqual(Array.from(png)); // a valid file is unchanged
});
