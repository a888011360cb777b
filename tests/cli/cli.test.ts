import { describe, expect, it, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY } from '../../core/data/types.ts';
import { encodePngFixture } from '../data/png-fixture.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin', 'receptive.js');
const dir = mkdtempSync(join(tmpdir(), 'receptive-cli-'));

interface Result { code: number; stdout: string; stderr: string }
function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env, RECEPTIVE_DEBUG: env.RECEPTIVE_DEBUG ?? '' }, timeout: 60_000 },
      (err, stdout, stderr) => res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

// A 2×2 gray "classifier" whose logits are x·W for the flattened pixels x in [0, 1]:
// cat = x0, dog = 3·x3, bird = x1 + x2. The image [255, 0; 0, 255] gives logits [1, 3, 0].
function knownModel(softmaxInside: boolean): Uint8Array {
  const g = new GraphBuilder('known');
  const x = g.input('image', [1, 1, 2, 2]);
  const f = g.op('Flatten', [x]);
  const w = g.initializer('W', new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 3, 0]), [4, 3]);
  const logits = g.op('MatMul', [f, w], {}, 'scores');
  g.output(softmaxInside ? g.op('Softmax', [logits], { axis: 1 }, 'probs') : logits, [1, 3]);
  return toBinary(ModelProtoSchema, g.build({
    metadata: {
      [PREPROCESSING_KEY]: JSON.stringify({ size: [2, 2], channels: 1, preset: 'unit', mean: [0], std: [1], resize: 'stretch' }),
      [CLASS_NAMES_KEY]: JSON.stringify(['cat', 'dog', 'bird']),
    },
  }));
}

const modelPath = join(dir, 'known.onnx');
const probsPath = join(dir, 'probs.onnx');
const imagePath = join(dir, 'diag.png');
const e = [Math.E, Math.E ** 3, 1];
const z = e[0]! + e[1]! + e[2]!;
const expected = { dog: e[1]! / z, cat: e[0]! / z, bird: e[2]! / z };

beforeAll(() => {
  writeFileSync(modelPath, knownModel(false));
  writeFileSync(probsPath, knownModel(true));
  writeFileSync(imagePath, encodePngFixture([255, 0, 0, 255], 2, 2, 1));
  writeFileSync(join(dir, 'notes.onnx'), 'this is not a model at all, just text');
});

describe.concurrent('receptive CLI (child processes, run concurrently)', () => {
  it('--help lists the commands; no arguments is a usage error', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['inspect', 'run', 'zoo', 'providers']) expect(h.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    const none = await cli([]);
    expect(none.code).toBe(2);
  });

  it('run --json: top-K in order with softmax probabilities of the known logits', async () => {
    const r = await cli(['run', modelPath, imagePath, '--top', '3', '--json', '--provider', 'cpu']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      output: string; provider: { chosen: string }; preprocessing: { source: string; size: number[] };
      results: { image: string; softmax: boolean; top: { rank: number; index: number; label: string; probability: number; score: number }[] }[];
    };
    expect(doc.provider.chosen).toBe('cpu');
    expect(doc.preprocessing).toMatchObject({ source: 'metadata', size: [2, 2] });
    expect(doc.results).toHaveLength(1);
    const top = doc.results[0]!.top;
    expect(top.map((t) => t.label)).toEqual(['dog', 'cat', 'bird']);
    expect(top.map((t) => t.index)).toEqual([1, 0, 2]);
    expect(top.map((t) => t.score)).toEqual([3, 1, 0]);
    expect(top[0]!.probability).toBeCloseTo(expected.dog, 6);
    expect(top[1]!.probability).toBeCloseTo(expected.cat, 6);
    expect(top[2]!.probability).toBeCloseTo(expected.bird, 6);
    expect(doc.results[0]!.softmax).toBe(true);
  });

  it('run on a model that already outputs probabilities does not apply softmax twice; table mode', async () => {
    const r = await cli(['run', probsPath, imagePath, '--top', '2']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^ +1 +1 +dog +${(expected.dog * 100).toFixed(2)}%$`));
    expect(rows[1]).toMatch(new RegExp(`^ +2 +0 +cat +${(expected.cat * 100).toFixed(2)}%$`));
    expect(r.stderr).toMatch(/^provider: \w+/m);
  });

  it('a file that is not a model: exit 1, one line on stderr, no stack trace (unless RECEPTIVE_DEBUG=1)', async () => {
    const bad = join(dir, 'notes.onnx');
    const r = await cli(['inspect', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^receptive: notes\.onnx is not an ONNX file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const dbg = await cli(['inspect', bad], { RECEPTIVE_DEBUG: '1' });
    expect(dbg.code).toBe(1);
    expect(dbg.stderr).toMatch(/\n\s+at /);
  });

  it('a usage error exits with status 2 and one line', async () => {
    const topZero = await cli(['run', modelPath, imagePath, '--top', '0']);
    expect(topZero.code).toBe(2);
    expect(topZero.stderr).toBe('receptive run: --top must be a positive integer (got "0")\n');
  });

  it('inspect --json: the summary of the known model', async () => {
    const r = await cli(['inspect', modelPath, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { summary: { layers: { op: string }[]; totals: { params: number; macs: number } } };
    expect(doc.summary.layers.map((l) => l.op)).toEqual(['Flatten', 'MatMul']);
    expect(doc.summary.totals.params).toBe(12);
    expect(doc.summary.totals.macs).toBe(12);
  });

  it('zoo export writes a model that inspect reads back with the zoo parameter count', async () => {
    const lenet = { params: 61_706 };
    const out = join(dir, 'lenet.onnx');
    const ex = await cli(['zoo', 'export', 'lenet5', out, '--json']);
    expect(ex.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(ex.stdout)).toMatchObject({ name: 'lenet5', path: out, params: lenet.params });
    const ins = await cli(['inspect', out, '--json']);
    expect((JSON.parse(ins.stdout) as { summary: { totals: { params: number } } }).summary.totals.params).toBe(lenet.params);
  });

  it('providers --json lists every provider and what auto picks', async () => {
    const r = await cli(['providers', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { chosen: string; providers: { provider: string; ok: boolean; reason: string }[] };
    expect(doc.providers.map((p) => p.provider)).toEqual(['cuda', 'dml', 'webgpu', 'cpu']);
    expect(doc.providers.find((p) => p.provider === 'cpu')!.ok).toBe(true);
    expect(doc.providers.find((p) => p.provider === doc.chosen)!.ok).toBe(true);
  });
});
