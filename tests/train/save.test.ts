import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/train/save.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'receptive-save-'));

describe('atomic save', () => {
  it('writes the exact bytes and leaves no temp file', () => {
    const d = dir(), p = join(d, 'm.onnx');
    const data = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
    writeFileAtomic(p, data, { chunkSize: 1000 });
    expect(Buffer.compare(readFileSync(p), Buffer.from(data))).toBe(0);
    expect(readdirSync(d)).toEqual(['m.onnx']);
  });

  it('an interrupted write leaves no file at the target and removes the partial temp file', () => {
    const d = dir(), p = join(d, 'm.onnx');
    const data = new Uint8Array(10_000).fill(7);
    let chunks = 0;
    expect(() => writeFileAtomic(p, data, { chunkSize: 1000, onChunk: () => { if (++chunks === 3) throw new Error('disk pulled'); } }))
      .toThrow(/could not write .*m\.onnx: disk pulled/);
    expect(chunks).toBe(3);
    expect(existsSync(p)).toBe(false);
    expect(readdirSync(d)).toEqual([]);
  });

  it('an interrupted overwrite keeps the previous file intact', () => {
    const d = dir(), p = join(d, 'm.onnx');
    writeFileSync(p, 'old model');
    expect(() => writeFileAtomic(p, new Uint8Array(5000), { chunkSize: 1000, onChunk: (n) => { if (n >= 2000) throw new Error('killed'); } })).toThrow(/killed/);
    expect(readFileSync(p, 'utf8')).toBe('old model');
    expect(readdirSync(d)).toEqual(['m.onnx']);
  });

  it('a missing folder gives an error naming the path', () => {
    expect(() => writeFileAtomic('/nonexistent-folder-xyz/m.onnx', new Uint8Array(3))).toThrow(/nonexistent-folder-xyz\/m\.onnx/);
  });
});
