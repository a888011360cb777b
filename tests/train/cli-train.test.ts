// `receptive train` in process: a tiny model on IDX files written here (fast), cancel, and bad input.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { fromBinary, toBinary, ModelProtoSchema } from '../../core/onnx/proto.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';
import { PREPROCESSING_KEY, CLASS_NAMES_KEY } from '../../core/data/types.ts';
import { main } from '../../core/cli/main.ts';
import { runTrain } from '../../core/cli/commands/train.ts';
import { Output } from '../../core/cli/output.ts';
import { Rng } from '../../core/train/rng.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-cli-train-'));
const modelPath = join(dir, 'tiny.onnx');
class Sink { text = ''; isTTY = false; write(s: string) { this.text += s; return true; } }

async function run(argv: string[]) {
  const stdout = new Sink(), stderr = new Sink();
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** Left-bright vs right-bright 4×4 images. */
function writeSet(prefix: string, n: number, seed: number): void {
  const rng = new Rng(seed);
  const img = new Uint8Array(n * 16), lab = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lab[i] = rng.int(2);
    for (let k = 0; k < 16; k++) img[i * 16 + k] = ((k % 4 < 2) === (lab[i] === 0) ? 160 : 30) + rng.int(60);
  }
  writeFileSync(join(dir, `${prefix}-images.idx`), idx([n, 4, 4], img));
  writeFileSync(join(dir, `${prefix}-labels.idx`), idx([n], lab));
}

beforeAll(() => {
  const rng = new Rng(1);
  const g = new GraphBuilder('tiny');
  const x = g.input('input', ['N', 1, 4, 4]);
  const w = g.initializer('fc.weight', Float32Array.from({ length: 32 }, () => rng.normal() * 0.3), [2, 16]);
  const b = g.initializer('fc.bias', new Float32Array(2), [2]);
  g.node('Gemm', [g.op('Flatten', [x]), w, b], { transB: 1 }, { outputs: ['logits'] });
  g.output('logits', ['N', 2]);
  const pre = { size: [4, 4], channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' };
  writeFileSync(modelPath, toBinary(ModelProtoSchema, g.build({ metadata: { [PREPROCESSING_KEY]: JSON.stringify(pre), [CLASS_NAMES_KEY]: '["left","right"]' } })));
  writeSet('train', 400, 2);
  writeSet('test', 200, 3);
});

describe('receptive train', () => {
  it('trains an .onnx file on IDX data, reports test accuracy and writes a model that reloads', async () => {
    const out = join(dir, 'trained.onnx');
    const r = await run(['train', modelPath, '--data', join(dir, 'train-images.idx'), '--labels', join(dir, 'train-labels.idx'),
      '--test-data', join(dir, 'test-images.idx'), '--test-labels', join(dir, 'test-labels.idx'),
      '--epochs', '3', '--batch', '16', '--lr', '0.05', '--optimizer', 'sgd', '--out', out, '--json']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { out: string; cancelled: boolean; steps: number; history: { testAccuracy: number; trainLoss: number }[] };
    expect(doc.cancelled).toBe(false);
    expect(doc.steps).toBe(3 * 25);
    expect(doc.history).toHaveLength(3);
    expect(doc.history[2]!.testAccuracy).toBeGreaterThanOrEqual(0.97);
    const saved = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(out)));
    expect(saved.metadataProps.find((p) => p.key === CLASS_NAMES_KEY)?.value).toBe('["left","right"]');
    const s = await ort.InferenceSession.create(out);
    // Left-bright image → class 0, right-bright → class 1.
    const left = Float32Array.from({ length: 16 }, (_, k) => (k % 4 < 2 ? 0.8 : 0.1));
    const right = Float32Array.from({ length: 16 }, (_, k) => (k % 4 < 2 ? 0.1 : 0.8));
    const y = (await s.run({ input: new ort.Tensor('float32', Float32Array.from([...left, ...right]), [2, 1, 4, 4]) })).logits!.data as Float32Array;
    expect(y[0]!).toBeGreaterThan(y[1]!);
    expect(y[3]!).toBeGreaterThan(y[2]!);
    await s.release();
  });

  it('a cancel (Ctrl-C) before the first step still writes a valid model with the starting weights, status 130', async () => {
    const out = join(dir, 'cancelled.onnx');
    const ac = new AbortController();
    ac.abort();
    const stdout = new Sink(), stderr = new Sink();
    const code = await runTrain({
      args: [modelPath], json: false, provider: 'cpu', out: new Output(stdout, stderr, false),
      values: { data: join(dir, 'train-images.idx'), labels: join(dir, 'train-labels.idx'), epochs: '2', out },
    }, ac.signal);
    expect(code).toBe(130);
    expect(stdout.text).toMatch(/cancelled; saved/);
    const before = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(modelPath))).graph!.initializer;
    const after = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(out))).graph!.initializer;
    for (const t of before) expect(Array.from(tensorFloats(after.find((a) => a.name === t.name)!))).toEqual(Array.from(tensorFloats(t)));
  });

  it('bad command lines exit 2 with a message naming the problem', async () => {
    const noOut = await run(['train', modelPath]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out/);
    const badOpt = await run(['train', modelPath, '--out', join(dir, 'x.onnx'), '--optimizer', 'rmsprop']);
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toMatch(/adam or sgd/);
    const noLabels = await run(['train', modelPath, '--out', join(dir, 'x.onnx'), '--data', join(dir, 'train-images.idx')]);
    expect(noLabels.code).toBe(2);
    expect(noLabels.stderr).toMatch(/--labels/);
    const unknown = await run(['train', 'arch:nope', '--out', join(dir, 'x.onnx')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/arch:lenet5.*arch:fashion-cnn/);
    const size = await run(['train', 'arch:lenet5', '--out', join(dir, 'x.onnx'), '--data', join(dir, 'train-images.idx'), '--labels', join(dir, 'train-labels.idx')]);
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/28×28.*4×4/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });
});
