// Every hostile file in tests/corpus/files is refused with the expected ModelError code, quickly and
// without a memory blow-up; the committed files are exactly what the deterministic generator writes.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFile, loadModelBytes, type LoadLimits } from '../../core/onnx/load.ts';
import { ModelError } from '../../core/onnx/errors.ts';
import { corpusEntries } from '../corpus/make-corpus.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'files');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, { code: string | null; what: string; limits?: Partial<LoadLimits> }>;

describe('bad-file corpus', () => {
  it('committed files match the generator byte for byte', () => {
    const entries = corpusEntries();
    expect(Object.keys(manifest).sort()).toEqual(entries.map((e) => e.file).sort());
    for (const e of entries) {
      const onDisk = readFileSync(join(dir, e.file));
      expect(Buffer.compare(onDisk, Buffer.from(e.bytes)), e.file).toBe(0);
      expect(onDisk.length).toBeLessThan(100_000);
      expect(manifest[e.file]!.code).toBe(e.code);
    }
  });

  for (const [file, { code, what, limits }] of Object.entries(manifest)) {
    if (!file.endsWith('.onnx')) continue;
    it(`${file} (${what}) → ${code ?? 'loads'}`, () => {
      const before = process.memoryUsage();
      const t0 = performance.now();
      let err: unknown;
      try { loadModelFile(join(dir, file), { limits }); } catch (e) { err = e; }
      const ms = performance.now() - t0;
      const after = process.memoryUsage();
      if (code === null) expect(err).toBeUndefined();
      else {
        expect(err, `${file} must fail`).toBeInstanceOf(ModelError);
        expect((err as ModelError).code).toBe(code);
        expect((err as ModelError).message.length).toBeGreaterThan(30);
      }
      expect(ms).toBeLessThan(1000);
      // Nothing close to the declared sizes (GBs) may be allocated.
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 ** 2);
      expect(after.rss - before.rss).toBeLessThan(256 * 1024 ** 2);
    });
  }

  it('a 20 MB file of 10 million empty nodes is refused before decoding, with bounded memory', () => {
    const n = 10_000_000;
    const bytes = new Uint8Array(16 + 2 * n);
    const head = [0x08, 0x08, 0x42, 0x02, 0x10, 0x11, 0x3a];
    bytes.set(head);
    let p = head.length;
    for (let v = 2 * n; ; v >>>= 7) { if (v < 128) { bytes[p++] = v; break; } bytes[p++] = (v & 127) | 128; }
    for (let i = 0; i < n; i++) { bytes[p + 2 * i] = 0x0a; }
    const view = bytes.subarray(0, p + 2 * n);
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    let err: unknown;
    try { loadModelBytes(view); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('too-large');
    expect((err as Error).message).toMatch(/more than 5000000 protobuf messages/);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 ** 2);
  });

  it('messages name the offending node and tensor', () => {
    const msg = (f: string) => { try { loadModelFile(join(dir, f)); } catch (e) { return (e as Error).message; } return ''; };
    expect(msg('missing-initializer.onnx')).toMatch(/^node "conv1" \(Conv\) reads tensor "w9" which nothing produces/);
    expect(msg('cycle.onnx')).toMatch(/cycle through tensors "a_out" → "b_out" → "c" → "a_out"/);
    expect(msg('duplicate-output.onnx')).toMatch(/tensor "y" is produced twice: by node "r1" \(Relu\) and by node "r2" \(Sigmoid\)/);
    expect(msg('external-escape.onnx')).toMatch(/"\.\.\/\.\.\/etc\/passwd", outside the model's folder/);
    expect(msg('huge-raw-size.onnx')).toMatch(/initializer "w" declares dims \[1000000, 1000\] \(4000000000 bytes\) but raw_data holds 16 bytes/);
  });
});
