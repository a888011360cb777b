import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodePngFixture } from '../data/png-fixture.ts';
import { seededRng } from '../../core/embed/rng.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin', 'receptive.js');
const dir = mkdtempSync(join(tmpdir(), 'receptive-embed-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number; stdout: string; stderr: string }
function cli(args: string[]): Promise<Result> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, RECEPTIVE_CACHE_DIR: join(dir, 'cache'), RECEPTIVE_DEBUG: '' }, timeout: 60_000 },
      (err, stdout, stderr) => res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

/** Two well separated blobs: class "low" near gray 40, class "high" near gray 215, with noise. */
function blobs(): string {
  const folder = join(dir, 'blobs');
  const rng = seededRng(7);
  for (const [cls, centre] of [['high', 215], ['low', 40]] as const) {
    mkdirSync(join(folder, cls), { recursive: true });
    for (let i = 0; i < 30; i++) {
      const px = Array.from({ length: 64 }, () => Math.max(0, Math.min(255, Math.round(centre + (rng.next() - 0.5) * 60))));
      writeFileSync(join(folder, cls, `${String(i).padStart(2, '0')}.png`), encodePngFixture(px, 8, 8, 1));
    }
  }
  return folder;
}

describe('receptive embed', () => {
  it('embeds a two-blob folder by pixels: CSV columns, 10-NN accuracy 1', async () => {
    const out = join(dir, 'blobs.csv');
    const r = await cli(['embed', blobs(), '--pixels', '--method', 'pca', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { features: { n: number; d: number }; quality: { knnAccuracy10: number; trustworthiness: number }; layer: string };
    expect(doc.features).toMatchObject({ n: 60, d: 28 * 28 });
    expect(doc.layer).toBe('pixels');
    expect(doc.quality.knnAccuracy10).toBe(1);
    expect(doc.quality.trustworthiness).toBeGreaterThan(0.5);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,label,prediction,x,y');
    expect(lines).toHaveLength(61);
    const first = lines[1]!.split(',');
    expect(first[0]).toMatch(/high[\\/]00\.png$/);
    expect(first[1]).toBe('high');
    expect(first[2]).toBe('');
    // PCA's first axis separates the blobs: every "high" x has one sign, every "low" x the other.
    const xs = lines.slice(1).map((l) => l.split(',')).map((c) => ({ label: c[1], x: Number(c[3]) }));
    const highSign = Math.sign(xs[0]!.x);
    expect(xs.every((p) => Math.sign(p.x) === (p.label === 'high' ? highSign : -highSign))).toBe(true);
  });

  it('embeds MNIST test digits through LeNet-5 in 3-D with predictions; the second run hits the cache', async () => {
    const out = join(dir, 'mnist.csv');
    const args = ['embed', 'mnist-test', '--model', 'zoo:lenet5-mnist', '--limit', '300', '--dims', '3', '--out', out, '--json'];
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { layer: string; features: { n: number; d: number; cached: boolean }; quality: { knnAccuracy10: number }; modelAccuracy: number };
    expect(doc.layer).toBe('classifier.3');
    expect(doc.features).toMatchObject({ n: 300, d: 84, cached: false });
    expect(doc.modelAccuracy).toBeGreaterThan(0.95);
    expect(doc.quality.knnAccuracy10).toBeGreaterThan(0.6);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,label,prediction,x,y,z');
    expect(lines[1]!.split(',').slice(0, 3)).toEqual(['0', '7', '7']); // the first test digit is a 7
    const again = JSON.parse((await cli(args)).stdout) as { features: { cached: boolean } };
    expect(again.features.cached).toBe(true);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual(lines);
  });

  it('explains a bad command line', async () => {
    const r = await cli(['embed', 'mnist-test', '--pixels']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
    const m = await cli(['embed', 'mnist-test', '--pixels', '--method', 'mds', '--out', join(dir, 'x.csv')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/pca, tsne or umap/);
    const d = await cli(['embed', join(dir, 'missing'), '--pixels', '--out', join(dir, 'x.csv')]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/no dataset/);
  });
});
