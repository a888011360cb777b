// `receptive train-ae … --from MODEL.onnx` as a user runs it (child process, real files): a short
// fine-tune of the shipped MNIST autoencoder on 1s, its JSON and saved record, and the usage errors.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { loadModelFile } from '../../core/onnx/load.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { PREPROCESSING_KEY } from '../../core/data/types.ts';
import { FINETUNE_KEY } from '../../core/autoencoder/fine-tune.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin', 'receptive.js');
const MODEL = join(root, 'resources', 'models', 'autoencoder-mnist.onnx');
const dir = mkdtempSync(join(tmpdir(), 'receptive-ft-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number; stdout: string; stderr: string }
function cli(args: string[]): Promise<Result> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, RECEPTIVE_DEBUG: '' }, timeout: 90_000 },
      (err, stdout, stderr) => res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

describe('receptive train-ae --from', () => {
  it('fine-tunes the shipped autoencoder on 1s: JSON, saved record, MSE numbers that onnxruntime reproduces', async () => {
    const out = join(dir, 'ones.onnx');
    const r = await cli(['train-ae', 'mnist', '--from', MODEL, '--classes', '1', '--limit', '400', '--epochs', '1', '--steps-per-epoch', '6', '--batch', '16', '--threads', '2', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ out, cancelled: false, steps: 6 });
    expect(doc.record).toMatchObject({ data: 'mnist (class 1)', classes: [1], trainImages: 400, testImages: 1135, part: 'all', steps: 6, batchSize: 16 });
    const saved = loadModelFile(out).model;
    const meta = new Map(saved.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.get(FINETUNE_KEY)!)).toEqual(doc.record);
    expect(JSON.parse(meta.get(PREPROCESSING_KEY)!)).toMatchObject({ size: [28, 28], channels: 1 });
    // The reported held-out MSE after fine-tuning is the saved model's error on all 1,135 test 1s.
    const t = loadMnist('test'), idx = [...t.labels.keys()].filter((i) => t.labels[i] === 1);
    const x = new Float32Array(idx.length * 784);
    idx.forEach((i, k) => { for (let j = 0; j < 784; j++) x[k * 784 + j] = t.images[i * 784 + j]! / 255; });
    const s = await ort.InferenceSession.create(readFileSync(out));
    const y = (await s.run({ input: new ort.Tensor('float32', x, [idx.length, 1, 28, 28]) })).reconstruction!.data as Float32Array;
    await s.release();
    let e = 0;
    for (let i = 0; i < x.length; i++) e += (y[i]! - x[i]!) ** 2;
    expect(doc.testMseAfter).toBeCloseTo(e / x.length, 7);
    expect(r.stderr).toMatch(/fine-tuning autoencoder-mnist\.onnx \(all weights\) on mnist \(class 1\): 400 images, held out 1135/);
  });

  it('usage errors: scratch-only and fine-tune-only flags, same in/out file, bad classes, untrainable model', async () => {
    const cases: [string[], RegExp][] = [
      [['train-ae', 'mnist', '--from', MODEL, '--latent', '4', '--out', join(dir, 'a.onnx')], /--latent applies to training a new autoencoder/],
      [['train-ae', 'mnist', '--classes', '1', '--out', join(dir, 'a.onnx')], /--classes applies to fine-tuning \(--from MODEL\.onnx\)/],
      [['train-ae', 'mnist', '--from', MODEL, '--out', MODEL], /--out must differ from --from/],
      [['train-ae', 'mnist', '--from', MODEL, '--classes', 'one', '--out', join(dir, 'a.onnx')], /--classes takes label numbers/],
    ];
    const g = new GraphBuilder('floor');
    const xin = g.input('image', ['N', 1, 28, 28]);
    const c = g.node('Conv', [xin, g.initializer('w', new Float32Array([1]), [1, 1, 1, 1])], {}, { name: 'conv', outputs: ['c'] })[0]!;
    g.output(g.node('Floor', [c], {}, { name: 'floor', outputs: ['y'] })[0]!, ['N', 1, 28, 28]);
    writeFileSync(join(dir, 'floor.onnx'), toBinary(ModelProtoSchema, g.build()));
    cases.push([['train-ae', 'mnist', '--from', join(dir, 'floor.onnx'), '--out', join(dir, 'a.onnx')], /cannot be fine-tuned: no gradient for op "Floor"/]);
    for (const [args, msg] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(existsSync(join(dir, 'a.onnx'))).toBe(false);
  });
});
