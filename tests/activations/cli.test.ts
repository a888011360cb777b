// `receptive activations` and `receptive filters` as a user runs them (node bin/receptive.js).
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { readNpy } from '../../core/data/npy.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-act-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/receptive.js', ...args], { cwd: process.cwd(), maxBuffer: 64 * 1024 ** 2 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
  });
}

const lenet = buildZooModel('lenet5');
const mnist = loadMnist('test');

describe('receptive activations / filters', () => {
  it('writes a tile grid PNG of the predicted size and the raw tensor as .npy', async () => {
    const r = await cli(['activations', 'zoo:lenet5', 'mnist:test:0', '--layer', 'features.1', '--out', join(dir, 'a'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { shape: number[]; png: string; npy: string; scale: number; stats: { channel: number; max: number; zeros: number }[]; zeroFraction: number };
    expect(doc.shape).toEqual([1, 6, 28, 28]);
    // 6 tiles → 3 columns × 2 rows; scale round(64 / 28) = 2 → 56-pixel tiles, 1-pixel gaps
    expect(doc.scale).toBe(2);
    const meta = await sharp(doc.png).metadata();
    expect([meta.width, meta.height]).toEqual([3 * (56 + 1) + 1, 2 * (56 + 1) + 1]);
    const npy = readNpy(doc.npy);
    expect(npy.dims).toEqual([1, 6, 28, 28]);
    // the tensor is onnxruntime's
    const s = await ort.InferenceSession.create(toBinary(ModelProtoSchema, exposeOutputs(lenet, ['features.1'])));
    const x = Float32Array.from(mnist.images.subarray(0, 784), (p) => (p / 255 - 0.1307) / 0.3081);
    const ref = (await s.run({ input: new ort.Tensor('float32', x, [1, 1, 28, 28]) }, ['features.1']))['features.1']!.data as Float32Array;
    await s.release();
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(npy.data[i]! - ref[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(doc.stats).toHaveLength(6);
    expect(doc.stats[1]!.max).toBeCloseTo(Math.max(...ref.subarray(784, 1568)), 5);
    expect(doc.zeroFraction).toBeCloseTo(ref.filter((v) => v === 0).length / ref.length, 10);
  });

  it('takes an image file and a fully connected layer', async () => {
    const png = join(dir, 'digit.png');
    await sharp(mnist.images.subarray(784, 1568), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
    const r = await cli(['activations', 'zoo:lenet5', png, '--layer', 'classifier.1', '--out', join(dir, 'b'), '--json', '--colormap', 'gray']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { shape: number[]; png: string; npy: string; scale: number };
    expect(doc.shape).toEqual([1, 120]);
    // 120 units → one 11×11 tile (ceil √120 = 11 wide, 11 rows), scale round(64/11) = 6
    const meta = await sharp(doc.png).metadata();
    expect([meta.width, meta.height]).toEqual([11 * 6 + 2, 11 * 6 + 2]);
    expect(readNpy(doc.npy).dims).toEqual([1, 120]);
  });

  it('writes the kernel grid and the weights of a Conv layer', async () => {
    const r = await cli(['filters', 'zoo:lenet5', '--layer', 'features.3', '--out', join(dir, 'f'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { dims: number[]; png: string; npy: string; view: string; norms: number[]; histogram: { counts: number[] } };
    expect(doc.dims).toEqual([16, 6, 5, 5]);
    expect(doc.view).toBe('slices');
    // 16 rows (filters) × 6 columns (input channels) of 5×5 kernels at scale round(16/5) = 3
    const meta = await sharp(doc.png).metadata();
    expect([meta.width, meta.height]).toEqual([6 * (15 + 1) + 1, 16 * (15 + 1) + 1]);
    const w = tensorFloats(lenet.graph!.initializer.find((t) => t.name === 'features.3.weight')!);
    const npy = readNpy(doc.npy);
    expect(npy.dims).toEqual([16, 6, 5, 5]);
    expect(Array.from(npy.data)).toEqual(Array.from(w));
    expect(doc.histogram.counts.reduce((a, b) => a + b, 0)).toBe(2400);
    expect(doc.norms[0]).toBeCloseTo(Math.hypot(...w.subarray(0, 150)), 4);
  });

  it('names close matches for a bad layer in one line', async () => {
    const r = await cli(['activations', 'zoo:lenet5', 'mnist:test:0', '--layer', 'feature.1', '--out', join(dir, 'c')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no layer or tensor named "feature.1"; did you mean "features.1"/);
    const f = await cli(['filters', 'zoo:lenet5', '--layer', 'features.1', '--out', join(dir, 'c')]);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/"features.1" is a Relu, not a convolution/);
  });
});
