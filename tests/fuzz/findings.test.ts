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

it('workspace-unsupported-format.rcpt is refused with a typed error', async () => {
  const { Workspace } = await import('../../core/store/workspace.ts');
  const { StoreError } = await import('../../core/store/errors.ts');
  const { mkdtempSync, copyFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const d = mkdtempSync(join(tmpdir(), 'receptive-finding-'));
  const f = join(d, 'w.rcpt');
  copyFileSync(join(dir, 'workspace-unsupported-format.rcpt'), f);
  let err: unknown;
  try { Workspace.open(f).close(); } catch (e) { err = e; }
  rmSync(d, { recursive: true, force: true });
  expect(err).toBeInstanceOf(StoreError);
  expect((err as Error).message).toMatch(/damaged|could not be used|not a Receptive workspace/);
});

it('dicom-huge-element-length.dcm is refused before dcmjs parses it (it used to exhaust the JS heap)', () => {
  // In a child: before the fix this aborted the process (V8 heap out of memory).
  const script = `const { readDicom } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'core', 'dicom', 'read.ts'))});
    const b = new Uint8Array((await import('node:fs')).readFileSync(${JSON.stringify(join(dir, 'dicom-huge-element-length.dcm'))}));
    let out = 'none';
    try { await readDicom(b); } catch (e) { out = e.name + ': ' + e.message; }
    console.log(out);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/DicomError: .*declares \d+ bytes, past the end of the file/);
}, 90_000);
