// `receptive visualize`: writes a PNG of the model's input size; a bad layer is one line and exit 1.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../core/cli/main.ts';

const MODEL = new URL('../../resources/models/lenet5-mnist.onnx', import.meta.url).pathname;
const sink = () => { let s = ''; return { write: (x: string) => { s += x; return true; }, text: () => s }; };

describe.skipIf(!existsSync(MODEL))('receptive visualize', () => {
  it('writes a PNG of the input size and reports the objective', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visualize-cli-'));
    try {
      const out = join(dir, 'ch3.png'), stdout = sink(), stderr = sink();
      const code = await main(['visualize', MODEL, '--layer', 'features.4', '--channel', '3', '--steps', '48', '--seed', '2', '--out', out, '--json'], { stdout, stderr });
      expect(code, stderr.text()).toBe(0);
      const meta = await sharp(out).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([28, 28, 1]);
      const doc = JSON.parse(stdout.text()) as { tensor: string; channel: number; size: number[]; history: number[]; objective: number; initial_objective: number };
      expect(doc).toMatchObject({ tensor: 'features.4', channel: 3, size: [28, 28] });
      expect(doc.history).toHaveLength(48);
      expect(doc.objective).toBeGreaterThan(doc.initial_objective);
      // Not a flat image: the optimisation drew something.
      const px = await sharp(readFileSync(out)).raw().toBuffer();
      expect(Math.max(...px) - Math.min(...px)).toBeGreaterThan(100);

      const text = sink(), err2 = sink();
      expect(await main(['visualize', MODEL, '--class', '7', '--steps', '8', '--param', 'pixel', '--out', join(dir, 'c7.png')], { stdout: text, stderr: err2 })).toBe(0);
      expect(text.text()).toMatch(/logits class 7: objective .* in 8 steps/);
      expect(err2.text()).toMatch(/visualizing 8\/8/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('a bad layer name exits 1 with one line; a missing --out is a usage error', async () => {
    const stdout = sink(), stderr = sink();
    const code = await main(['visualize', MODEL, '--layer', 'no_such_layer', '--channel', '0', '--out', join(tmpdir(), 'never.png')], { stdout, stderr });
    expect(code).toBe(1);
    const lines = stderr.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"no_such_layer" is neither a node nor a tensor/);
    expect(await main(['visualize', MODEL, '--layer', 'features.4', '--channel', '0'], { stdout: sink(), stderr: sink() })).toBe(2);
  });
});
