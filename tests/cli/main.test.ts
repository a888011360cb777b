// The CLI entry in process (fast): argument handling, error lines, exit statuses, progress output.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { PREPROCESSING_KEY } from '../../core/data/types.ts';
import { main } from '../../core/cli/main.ts';
import { createProgress } from '../../core/cli/progress.ts';
import { topK, toProbabilities } from '../../core/cli/commands/run.ts';
import { encodePngFixture } from '../data/png-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-main-'));
const modelPath = join(dir, 'm.onnx');
const imagePath = join(dir, 'i.png');

class Sink { text = ''; isTTY = false; write(s: string) { this.text += s; return true; } }

async function run(argv: string[]) {
  const stdout = new Sink(), stderr = new Sink();
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(() => {
  // logits = [x0, 3·x3, x1 + x2] for a 2×2 gray input
  const g = new GraphBuilder('known');
  const x = g.input('image', [1, 1, 2, 2]);
  const w = g.initializer('W', new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 3, 0]), [4, 3]);
  g.output(g.op('MatMul', [g.op('Flatten', [x]), w], {}, 'scores'), [1, 3]);
  writeFileSync(modelPath, toBinary(ModelProtoSchema, g.build({ metadata: { [PREPROCESSING_KEY]: JSON.stringify({ preset: 'unit' }) } })));
  writeFileSync(imagePath, encodePngFixture([255, 0, 0, 255], 2, 2, 1));
  writeFileSync(join(dir, 'text.png'), 'not an image');
});

describe('receptive main()', () => {
  it('bad images are one-line errors with status 1', async () => {
    const missing = await run(['run', modelPath, join(dir, 'nope.png')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n').at(-1)).toMatch(/^receptive: .*nope\.png: no such file$/);
    const notImage = await run(['run', modelPath, join(dir, 'text.png'), '--json']);
    expect(notImage.code).toBe(1);
    expect(JSON.parse(notImage.stdout)).toEqual({ error: { code: 'invalid-request', message: expect.stringMatching(/text\.png: not an image/) } });
  });

  it('usage errors have status 2 and name the command', async () => {
    const cases: [string[], RegExp][] = [
      [['run', modelPath, imagePath, '--frobnicate'], /^receptive run: Unknown option '--frobnicate'/],
      [['frobnicate'], /^receptive: unknown command "frobnicate" \(commands: .*inspect.*run.*zoo/],
      [['run', modelPath, imagePath, '--provider', 'tpu'], /^receptive run: --provider must be one of auto, cuda, dml, webgpu, cpu \(got "tpu"\)/],
      [['run', modelPath], /^receptive run: missing MODEL and IMAGE/],
      [['inspect', modelPath, 'extra'], /^receptive inspect: unexpected argument "extra"/],
      [['run', modelPath, imagePath, '--size', 'huge'], /^receptive run: --size: expected N or HxW/],
      [['run', modelPath, imagePath, '--gray', '--rgb'], /^receptive run: --gray and --rgb contradict/],
      [['run', modelPath, imagePath, '--size', '3x3'], /^receptive run: m\.onnx takes 2×2 images but the preprocessing size is 3×3/],
      [['run', modelPath, imagePath, '--rgb'], /^receptive run: m\.onnx takes 1 channel but the preprocessing gives 3/],
      [['zoo', 'fly'], /^receptive zoo: unknown subcommand "fly"/],
      [['run', 'zoo:nonet', imagePath], /^receptive run: unknown zoo model "nonet"/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(re);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });

  it('--preset mnist changes the input as the formula says', async () => {
    const r = await run(['run', modelPath, imagePath, '--preset', 'mnist', '--json']);
    expect(r.code).toBe(0);
    const top = (JSON.parse(r.stdout) as { results: { top: { index: number; score: number }[] }[] }).results[0]!.top;
    const hi = (1 - 0.1307) / 0.3081, lo = -0.1307 / 0.3081;
    expect(top.find((t) => t.index === 1)!.score).toBeCloseTo(3 * hi, 4);
    expect(top.find((t) => t.index === 2)!.score).toBeCloseTo(2 * lo, 4);
    expect(top.find((t) => t.index === 0)!.score).toBeCloseTo(hi, 4);
  });

  it('several images: one result each; table mode prints per image', async () => {
    const other = join(dir, 'j.png');
    writeFileSync(other, encodePngFixture([0, 255, 255, 0], 2, 2, 1)); // logits [0, 0, 2] → bird first
    const r = await run(['run', modelPath, imagePath, other, '--top', '1', '--json']);
    const res = (JSON.parse(r.stdout) as { results: { image: string; top: { index: number }[] }[] }).results;
    expect(res.map((x) => [x.image, x.top[0]!.index])).toEqual([[imagePath, 1], [other, 2]]);
  });
});

describe('receptive main(): other commands in process', () => {
  it('run --help describes the options', async () => {
    const h = await run(['run', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^usage: receptive run MODEL IMAGE/);
    expect(h.stdout).toMatch(/--top K +how many classes/);
  });

  it('inspect: table rows and totals; --json errors are a JSON document too', async () => {
    const t = await run(['inspect', modelPath]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^ *1 +scores +MatMul +\[1×3\]/m);
    expect(t.stdout).toMatch(/total: 2 layers, 12 parameters, 12 MACs/);
    const bad = await run(['inspect', join(dir, 'text.png'), '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ error: { code: 'bad-model', message: expect.stringMatching(/text\.png is not an ONNX file/) } });
  });

  it('zoo list --json and unknown names', async () => {
    const list = await run(['zoo', 'list', '--json']);
    expect(list.code).toBe(0);
    const models = (JSON.parse(list.stdout) as { models: { name: string; inputShape: number[]; params: number; task: string }[] }).models;
    expect(models.find((m) => m.name === 'lenet5')).toMatchObject({ inputShape: [1, 28, 28], params: 61_706, task: 'classifier' });
    expect(models.find((m) => m.name === 'autoencoder')!.task).toBe('autoencoder');
    const bad = await run(['zoo', 'export', 'nonet', join(dir, 'x.onnx')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^receptive zoo: unknown zoo model "nonet"; available: .*lenet5/);
  });

  it('a pinned provider that is not available fails naming what is', async () => {
    if (process.platform === 'win32') return;
    const r = await run(['run', modelPath, imagePath, '--provider', 'dml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^receptive: execution provider 'dml' is not available: only on Windows; available here: .*cpu/);
  });
});

describe('top-K', () => {
  it('softmax for logits, identity for probabilities, ties by index', () => {
    const { probs, softmax } = toProbabilities(new Float32Array([0, Math.log(3)]));
    expect(softmax).toBe(true);
    expect(probs[1]).toBeCloseTo(0.75, 6);
    expect(toProbabilities(new Float32Array([0.25, 0.75])).softmax).toBe(false);
    const t = topK(new Float32Array([2, 5, 5, -1]), 3, ['a', 'b', 'c', 'd']);
    expect(t.top.map((x) => x.label)).toEqual(['b', 'c', 'a']);
  });
});

describe('progress', () => {
  it('plain mode: a line per 10 % step, then a final line', () => {
    const s = new Sink();
    let t = 0;
    const p = createProgress({ total: 20, label: 'work', stream: s, tty: false, now: () => t });
    for (let i = 0; i < 20; i++) { t += 100; p.tick(); }
    p.done();
    const lines = s.text.trim().split('\n');
    expect(lines[0]).toBe('work 1/20   5% eta 2s');
    expect(lines.at(-1)).toMatch(/^work 20\/20 100%/);
    expect(lines.length).toBeLessThanOrEqual(12);
  });
  it('TTY mode redraws one line in place and ends with a newline', () => {
    const s = new Sink();
    let t = 0;
    const p = createProgress({ total: 4, label: 'x', stream: s, tty: true, now: () => t });
    for (let i = 0; i < 4; i++) { t += 200; p.tick(); }
    p.done();
    expect(s.text.split('\r').length).toBeGreaterThan(3);
    expect(s.text.endsWith('\n')).toBe(true);
    expect(s.text.split('\n')).toHaveLength(2);
    expect(s.text).toMatch(/\[█{24}\] x 4\/4 100%/);
  });
  it('silent mode writes nothing', () => {
    const s = new Sink();
    const p = createProgress({ total: 3, label: 'x', stream: s, silent: true });
    p.tick(); p.done();
    expect(s.text).toBe('');
  });
});
