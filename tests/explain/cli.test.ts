// `receptive explain`: outputs per input and method, CSV, self-contained HTML; bad files skipped.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../core/cli/main.ts';
import { decodeNpy, encodeNpy } from '../../core/data/npy.ts';
import { makeDicom } from '../dicom/make-dicom.ts';
import { loadExplainInput } from '../../core/explain/input.ts';

const MODEL = new URL('../../resources/models/lenet5-mnist.onnx', import.meta.url).pathname;
const SAMPLE = new URL('../../resources/samples/mnist-3.png', import.meta.url).pathname;
const sink = () => { let s = ''; return { write: (x: string) => { s += x; return true; }, text: () => s }; };
const PREP = { size: [28, 28] as [number, number], channels: 1 as const, mean: [0.1307], std: [0.3081], preset: 'mnist' as const, resize: 'stretch' as const };

describe.skipIf(!existsSync(MODEL))('receptive explain', () => {
  it('writes overlays, raw maps, scores and a report; skips a bad file; reads DICOM and .npy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explain-cli-'));
    try {
      // A wide image (56×40): the overlay must come out at the original size.
      const png = await sharp(SAMPLE).resize(56, 40, { fit: 'fill' }).png().toBuffer();
      writeFileSync(join(dir, 'wide.png'), png);
      const pixels = new Uint16Array(32 * 32);
      for (let y = 8; y < 24; y++) pixels[y * 32 + 16] = 1000;
      writeFileSync(join(dir, 'scan.dcm'), await makeDicom({ rows: 32, cols: 32, pixels, windows: [{ center: 500, width: 1000 }] }));
      writeFileSync(join(dir, 'bad.png'), 'not an image');
      writeFileSync(join(dir, 'arr.npy'), encodeNpy(new Float32Array(784).fill(-0.4), [1, 1, 28, 28]));
      const out = join(dir, 'out'), stdout = sink(), stderr = sink();
      const code = await main(['explain', MODEL, join(dir, 'wide.png'), join(dir, 'scan.dcm'), join(dir, 'bad.png'), join(dir, 'arr.npy'),
        '--method', 'gradcam,occlusion', '--out', out, '--faithfulness', '--norm', 'dataset', '--provider', 'cpu'], { stdout, stderr });
      expect(code).toBe(0);
      expect(stderr.text()).toMatch(/skipped .*bad\.png: .*not an image/);
      for (const stem of ['wide', 'scan', 'arr']) for (const m of ['gradcam', 'occlusion']) {
        expect(existsSync(join(out, stem, `${m}.png`)), `${stem}/${m}.png`).toBe(true);
        const npy = decodeNpy(new Uint8Array(readFileSync(join(out, stem, `${m}.npy`))));
        expect(npy.dims).toEqual([28, 28]);
      }
      const meta = await sharp(join(out, 'wide', 'gradcam.png')).metadata();
      expect([meta.width, meta.height]).toEqual([56, 40]);
      const dm = await sharp(join(out, 'scan', 'gradcam.png')).metadata();
      expect([dm.width, dm.height]).toEqual([32, 32]);
      const csv = readFileSync(join(out, 'scores.csv'), 'utf8').trim().split('\n');
      expect(csv).toHaveLength(5);
      expect(csv[0]).toContain('gradcam_deletion_auc');
      expect(csv[0]).toContain('occlusion_road_morf_auc');
      expect(csv[1]).toMatch(/wide\.png,ok,3,/); // the sample is a 3
      expect(csv[3]).toMatch(/bad\.png,"?error: /);
      const cells = csv[1]!.split(',');
      const del = Number(cells[csv[0]!.split(',').indexOf('gradcam_deletion_auc')]);
      expect(del).toBeGreaterThanOrEqual(0);
      expect(del).toBeLessThanOrEqual(1);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain('data:image/png;base64,');
      expect(html).not.toMatch(/src="(?!data:)/);
      expect((html.match(/<img /g) ?? []).length).toBe(2 + 3 * 2); // two originals with display images, 3 inputs × 2 methods
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('exits non-zero when every input fails, with a clear message per file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explain-cli-'));
    try {
      writeFileSync(join(dir, 'a.png'), 'x');
      const stderr = sink();
      const code = await main(['explain', MODEL, join(dir, 'a.png'), join(dir, 'missing.png'), '--out', join(dir, 'o'), '--provider', 'cpu'], { stdout: sink(), stderr });
      expect(code).toBe(1);
      expect(stderr.text()).toMatch(/missing\.png: no such file/);
      const code2 = await main(['explain', MODEL, join(dir, 'a.png'), '--method', 'gradkam'], { stdout: sink(), stderr: sink() });
      expect(code2).toBe(2);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('DICOM inputs go through VOI windowing to the model input', async () => {
    const pixels = new Uint16Array(28 * 28);
    pixels[0] = 2000; // above the window: clipped to white
    pixels[1] = 500; // the window centre: mid-gray
    const bytes = await makeDicom({ rows: 28, cols: 28, pixels, windows: [{ center: 500, width: 1000 }] });
    const inp = await loadExplainInput(bytes, PREP, [1, 28, 28], { name: 'x.dcm' });
    expect(inp.kind).toBe('dicom');
    expect(inp.x[0]).toBeCloseTo((1 - 0.1307) / 0.3081, 3);
    expect(inp.x[1]).toBeCloseTo((0.5 - 0.1307) / 0.3081, 1);
    expect(inp.x[2]).toBeCloseTo((0 - 0.1307) / 0.3081, 3);
  });
});
