// The score, ae-compare and train-ae commands as a user runs them (child process, real files).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { encodePng } from '../../core/data/png.ts';
import { loadModelFile } from '../../core/onnx/load.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { subspaceAutoencoder } from './models.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin', 'receptive.js');
const dir = mkdtempSync(join(tmpdir(), 'receptive-ae-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number; stdout: string; stderr: string }
function cli(args: string[]): Promise<Result> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, RECEPTIVE_DEBUG: '' }, timeout: 90_000 },
      (err, stdout, stderr) => res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

const S = 6, K = 5;
let seed = 3;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const pixels: Record<string, Uint8Array> = {};

beforeAll(async () => {
  writeFileSync(join(dir, 'sub6.onnx'), toBinary(ModelProtoSchema, subspaceAutoencoder(S, S, K)));
  writeFileSync(join(dir, 'sub28.onnx'), toBinary(ModelProtoSchema, subspaceAutoencoder(28, 28, 16)));
  for (const cls of ['normal', 'odd']) {
    mkdirSync(join(dir, 'set', cls), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const px = Uint8Array.from({ length: S * S }, (_, j) => (j < K || cls === 'odd' ? Math.floor(rand() * 256) : 0));
      pixels[`${cls}/${i}`] = px;
      writeFileSync(join(dir, 'set', cls, `${i}.png`), await encodePng({ width: S, height: S, channels: 1, data: px }));
    }
  }
});

describe('receptive score', () => {
  it('scores a class folder: AUROC 1, CSV of scores, worst-image strips', async () => {
    const out = join(dir, 'out');
    const r = await cli(['score', join(dir, 'sub6.onnx'), join(dir, 'set'), '--normal-label', 'normal', '--out', out, '--worst', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.count).toBe(12);
    expect(doc.evaluation.auroc).toBe(1);
    expect(doc.evaluation.confusion).toMatchObject({ tp: 6, fp: 0, tn: 6, fn: 0 });
    expect(doc.bottleneck).toMatchObject({ tensor: 'code', elements: K });
    const csv = readFileSync(join(out, 'scores.csv'), 'utf8').trim().split('\n');
    expect(csv.length).toBe(13);
    expect(csv[0]).toBe('index,name,label,anomalous,score,flagged');
    // odd/0: mean squared error = energy outside the first K pixels / 36
    const px = pixels['odd/0']!;
    let e = 0; for (let j = K; j < S * S; j++) e += (px[j]! / 255) ** 2;
    const row = csv.find((l) => l.includes(`odd${'/'}0.png`) || l.includes('odd\\0.png'))!.split(',');
    expect(Number(row[4])).toBeCloseTo(e / (S * S), 6);
    expect(row[3]).toBe('1');
    expect(csv.filter((l) => l.split(',')[2] === 'normal').every((l) => Number(l.split(',')[4]) === 0)).toBe(true);
    expect(readdirSync(out).filter((f) => f.startsWith('worst-')).length).toBe(3);
  });

  it('prints AUROC, AP, threshold and confusion for people', async () => {
    const r = await cli(['score', join(dir, 'sub6.onnx'), join(dir, 'set'), '--normal-label', 'normal', '--fpr', '0.1', '--score', 'max-smoothed', '--error', 'l1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/AUROC 1\.0000 {3}AP 1\.0000/);
    expect(r.stdout).toMatch(/confusion: TP 6 {2}FP 0 {2}TN 6 {2}FN 0/);
  });

  it('refuses bad options with exit status 2', async () => {
    const r = await cli(['score', join(dir, 'sub6.onnx'), join(dir, 'set'), '--score', 'median']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--score must be mean, max-smoothed, ssim/);
  });
});

describe('receptive ae-compare and train-ae', () => {
  it('ae-compare --pca reports AE and PCA errors (AE error checked against the digits)', async () => {
    const r = await cli(['ae-compare', join(dir, 'sub28.onnx'), '--pca', '--train', '300', '--test', '20', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pca.k).toBe(16);
    const img = loadMnist('test').images;
    let sum = 0;
    for (let i = 0; i < 20; i++) { let e = 0; for (let j = 16; j < 784; j++) e += (img[i * 784 + j]! / 255) ** 2; sum += e / 784; }
    expect(doc.pca.aeMeanMse).toBeCloseTo(sum / 20, 6);
    expect(doc.pca.pcaMeanMse).toBeGreaterThan(0);
  });

  it('train-ae trains on a folder and writes a loadable autoencoder', async () => {
    const out = join(dir, 'trained.onnx');
    const r = await cli(['train-ae', join(dir, 'set'), '--size', '6', '--depth', '1', '--latent', '2', '--epochs', '2', '--batch', '4', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/saved .*trained\.onnx .*6 steps/);
    expect(existsSync(out)).toBe(true);
    const m = loadModelFile(out).model;
    expect(m.graph!.input[0]!.name).toBe('input');
    expect(m.metadataProps.find((p) => p.key === 'receptive.preprocessing')?.value).toMatch(/"size":\[6,6\]/);
  });
});
