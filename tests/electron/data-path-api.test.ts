// The user's own data sets: chooseDataPath (Electron's dialog, granted) and listDataPaths (the browser
// host's `--data DIR`, granting exactly the sets it lists, never a symlink out of the folder). The
// granted paths then work in embedStart and aeScoreSet; anything else stays 'forbidden'.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService } from '../../electron/api/service.ts';
import type { AeScoreSetResult, AeTrainResult, DataPathList, EmbedResult, OpenedModel } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { isInside, MAX_DATA_ENTRIES } from '../../electron/api/data-paths.ts';
import { loadMnist } from '../../core/data/idx.ts';

const base = mkdtempSync(join(tmpdir(), 'receptive-data-paths-'));
const root = join(base, 'data');
const outside = join(base, 'outside');
const mnist = loadMnist('test');
const plane = 28 * 28;
/** Files per class of the `digits` folder, and the MNIST rows written there (class c: rows with label c). */
const PER_CLASS = [4, 3, 5];
const rowsOf: number[][] = [];

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
const code = (r: Envelope) => (r.ok ? 'ok' : r.error.code);

async function png(path: string, row: number): Promise<void> {
  await sharp(Buffer.from(mnist.images.subarray(row * plane, (row + 1) * plane)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path);
}

function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08; head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  mkdirSync(outside, { recursive: true });
  // digits/0..2: the first MNIST test rows of each class.
  for (let c = 0; c < PER_CLASS.length; c++) {
    mkdirSync(join(root, 'digits', String(c)), { recursive: true });
    const rows: number[] = [];
    for (let i = 0; i < mnist.count && rows.length < PER_CLASS[c]!; i++) if (mnist.labels[i] === c) rows.push(i);
    for (const [k, r] of rows.entries()) await png(join(root, 'digits', String(c), `d${k}.png`), r);
    rowsOf.push(rows);
  }
  // flat/: two images, no classes (an unlabelled folder set).
  mkdirSync(join(root, 'flat'));
  await png(join(root, 'flat', 'a.png'), 0); await png(join(root, 'flat', 'b.png'), 1);
  // Not data sets: a folder without images, a text file, a hidden folder, an IDX label file.
  mkdirSync(join(root, 'empty', 'sub'), { recursive: true });
  writeFileSync(join(root, 'empty', 'sub', 'readme.txt'), 'no images here');
  writeFileSync(join(root, 'notes.txt'), 'hello');
  mkdirSync(join(root, '.hidden', '0'), { recursive: true });
  await png(join(root, '.hidden', '0', 'x.png'), 2);
  // An IDX pair (images with labels beside), and a CSV list with a header.
  writeFileSync(join(root, 'few-images-idx3-ubyte'), idx([10, 28, 28], mnist.images.subarray(0, 10 * plane)));
  writeFileSync(join(root, 'few-labels-idx1-ubyte'), idx([10], mnist.labels.subarray(0, 10)));
  writeFileSync(join(root, 'list.csv'), 'path,label\n# a comment\ndigits/0/d0.png,zero\ndigits/1/d0.png,one\n\ndigits/2/d0.png,two\n');
  // Symlinks leading out of the folder: to a folder of classes, to a CSV, and one image inside a class folder.
  mkdirSync(join(outside, 'secret', '7'), { recursive: true });
  await png(join(outside, 'secret', '7', 's.png'), 3);
  await png(join(outside, 'secret', '7', 't.png'), 5);
  await png(join(outside, 'secret', '7', 'u.png'), 6);
  writeFileSync(join(outside, 'elsewhere.csv'), `path,label\n${join(outside, 'secret', '7', 's.png')},7\n`);
  symlinkSync(join(outside, 'secret'), join(root, 'escape'));
  symlinkSync(join(outside, 'elsewhere.csv'), join(root, 'escape.csv'));
  mkdirSync(join(root, 'leaky', 'a'), { recursive: true });
  await png(join(root, 'leaky', 'a', 'ok.png'), 4);
  symlinkSync(join(outside, 'secret', '7', 's.png'), join(root, 'leaky', 'a', 'out.png'));
  // A symlink to a set inside the folder is the same set (listed once).
  symlinkSync(join(root, 'flat'), join(root, 'zz-alias'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('listDataPaths (browser host --data DIR)', () => {
  const service = createService({ host: 'browser', dataDir: root, embedCacheDir: null });
  let listed: DataPathList;
  afterAll(() => service.close());

  it('lists folders with images, IDX image files and CSV lists directly under the root, nothing else', async () => {
    listed = ok<DataPathList>(await dispatch(service, 'listDataPaths', {}));
    expect(listed.root).toBe(root);
    expect(listed.entries).toEqual([
      { path: join(root, 'digits'), kind: 'folder', name: 'digits', items: 12, labelled: true },
      { path: join(root, 'few-images-idx3-ubyte'), kind: 'idx', name: 'few-images-idx3-ubyte', items: 10 },
      { path: join(root, 'flat'), kind: 'folder', name: 'flat', items: 2, labelled: false },
      { path: join(root, 'list.csv'), kind: 'csv', name: 'list.csv', items: 3 },
    ]);
  });

  it('grants exactly the listed sets: each works in embedStart with the right points and labels', async () => {
    const digits = ok<EmbedResult>(await dispatch(service, 'embedStart', { pixels: true, dataset: { kind: 'path', path: join(root, 'digits') }, method: 'pca', dims: 2 }));
    expect(digits.n).toBe(12);
    expect(digits.classNames).toEqual(['0', '1', '2']);
    expect(Array.from(digits.labels!)).toEqual(PER_CLASS.flatMap((n, c) => Array<number>(n).fill(c)));
    const idxSet = ok<EmbedResult>(await dispatch(service, 'embedStart', { pixels: true, dataset: { kind: 'path', path: join(root, 'few-images-idx3-ubyte') }, method: 'pca', dims: 2 }));
    expect(idxSet.n).toBe(10);
    expect(Array.from(idxSet.labels!)).toEqual(Array.from(mnist.labels.subarray(0, 10)));
    const csv = ok<EmbedResult>(await dispatch(service, 'embedStart', { pixels: true, dataset: { kind: 'path', path: join(root, 'list.csv') }, method: 'pca', dims: 2 }));
    expect(csv.n).toBe(3);
    expect(csv.classNames).toEqual(['one', 'two', 'zero']);
    expect(Array.from(csv.labels!)).toEqual([2, 0, 1]);
  });

  it('keeps everything else forbidden: paths outside, symlinks out, sub-folders of a listed set, unlisted files', async () => {
    const embed = (path: string) => dispatch(service, 'embedStart', { pixels: true, dataset: { kind: 'path', path }, method: 'pca', dims: 2 });
    for (const p of [join(outside, 'secret'), join(root, 'escape'), join(root, 'escape.csv'), join(root, 'leaky'), join(root, 'digits', '0'), join(root, 'empty'), root, join(root, '.hidden'), join(root, 'few-labels-idx1-ubyte')]) {
      expect(code(await embed(p)), p).toBe('forbidden');
    }
  });

  it('scores a listed folder with an autoencoder: every file scored, class folders are the labels', async () => {
    const ae = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'autoencoder-mnist' } })).modelId;
    const r = ok<AeScoreSetResult>(await dispatch(service, 'aeScoreSet', { modelId: ae, set: { kind: 'path', path: join(root, 'digits') }, normalLabels: ['0', '1'], worst: 3 }));
    expect(r.count).toBe(12);
    expect(r.scores.length).toBe(12);
    expect(r.scores.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
    expect(r.labelNames).toEqual(['0', '1', '2']);
    expect(r.evaluation?.normalCount).toBe(7);
    expect(r.evaluation?.anomalousCount).toBe(5);
    expect(Array.from(r.anomalous!)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // A file scores as its MNIST row does: flat/ holds test rows 0 and 1 as PNGs.
    const flat = ok<AeScoreSetResult>(await dispatch(service, 'aeScoreSet', { modelId: ae, set: { kind: 'path', path: join(root, 'flat') } }));
    const rows = ok<AeScoreSetResult>(await dispatch(service, 'aeScoreSet', { modelId: ae, set: { kind: 'builtin', parts: ['mnist-test'], limit: 2 }, normalLabels: ['7'] }));
    expect(flat.count).toBe(2);
    expect(flat.labelNote).toMatch(/no labels/);
    for (let i = 0; i < 2; i++) expect(flat.scores[i]).toBeCloseTo(rows.scores[i]!, 6);
  });

  it('fine-tunes an autoencoder on a listed folder; an unlisted one is forbidden', async () => {
    const ae = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'autoencoder-mnist' } })).modelId;
    const train = (path: string) => dispatch(service, 'aeTrain', { mode: 'finetune', modelId: ae, data: { path }, epochs: 1, maxStepsPerEpoch: 2, batchSize: 4, seed: 1 });
    expect(code(await train(join(outside, 'secret')))).toBe('forbidden');
    const r = ok<AeTrainResult>(await train(join(root, 'digits')));
    expect(r.mode).toBe('finetune');
    expect(r.steps).toBe(2);
    expect(r.model.byteLength).toBeGreaterThan(1000);
  });

  it('re-listing replaces the grants: a set removed from the folder is no longer readable', async () => {
    const svc = createService({ host: 'browser', dataDir: root, embedCacheDir: null });
    try {
      ok(await dispatch(svc, 'listDataPaths', {}));
      const moved = join(base, 'moved-flat');
      rmSync(join(root, 'zz-alias'));
      const { renameSync } = await import('node:fs');
      renameSync(join(root, 'flat'), moved);
      try {
        const again = ok<DataPathList>(await dispatch(svc, 'listDataPaths', {}));
        expect(again.entries.map((e) => e.name)).toEqual(['digits', 'few-images-idx3-ubyte', 'list.csv']);
        renameSync(moved, join(root, 'flat'));
        expect(code(await dispatch(svc, 'embedStart', { pixels: true, dataset: { kind: 'path', path: join(root, 'flat') }, method: 'pca', dims: 2 }))).toBe('forbidden');
      } finally {
        try { renameSync(moved, join(root, 'flat')); } catch { /* already back */ }
        symlinkSync(join(root, 'flat'), join(root, 'zz-alias'));
      }
    } finally { await svc.close(); }
  });

  it(`lists at most ${MAX_DATA_ENTRIES} sets`, async () => {
    const many = join(base, 'many');
    mkdirSync(many);
    for (let i = 0; i < MAX_DATA_ENTRIES + 20; i++) writeFileSync(join(many, `s${String(i).padStart(3, '0')}.csv`), 'a.png,x\n');
    const svc = createService({ host: 'browser', dataDir: many, embedCacheDir: null });
    try {
      const r = ok<DataPathList>(await dispatch(svc, 'listDataPaths', {}));
      expect(r.entries.length).toBe(MAX_DATA_ENTRIES);
      expect(r.entries.at(-1)!.name).toBe(`s${MAX_DATA_ENTRIES - 1}.csv`);
    } finally { await svc.close(); }
  });

  it('containment is by path segment, not by string prefix', () => {
    expect(isInside('/d/data', '/d/data')).toBe(true);
    expect(isInside('/d/data', '/d/data/digits/0')).toBe(true);
    expect(isInside('/d/data', '/d/data/..x')).toBe(true);
    expect(isInside('/d/data', '/d/data-evil/x')).toBe(false);
    expect(isInside('/d/data', '/d')).toBe(false);
    expect(isInside('/d/data', '/etc/passwd')).toBe(false);
  });

  it('without a data folder (and in Electron) lists nothing', async () => {
    for (const svc of [createService({ host: 'browser' }), createService({ host: 'electron' })]) {
      expect(ok(await dispatch(svc, 'listDataPaths', {}))).toEqual({ root: null, entries: [] });
      await svc.close();
    }
  });
});

describe('chooseDataPath (Electron dialog)', () => {
  it('grants the path the dialog returns (then embedStart reads it), passing the kind through', async () => {
    const asked: string[] = [];
    let answer: string | null = join(outside, 'secret', '..', 'secret');
    const svc = createService({ host: 'electron', embedCacheDir: null, chooseDataPath: async (kind) => { asked.push(kind); return answer; } });
    try {
      const embed = () => dispatch(svc, 'embedStart', { pixels: true, dataset: { kind: 'path', path: join(outside, 'secret') }, method: 'pca', dims: 2 });
      expect(code(await embed())).toBe('forbidden');
      expect(ok(await dispatch(svc, 'chooseDataPath', { kind: 'folder' }))).toEqual({ path: join(outside, 'secret') });
      const r = ok<EmbedResult>(await embed());
      expect(r.n).toBe(3);
      expect(r.classNames).toEqual(['7']);
      answer = null;
      expect(ok(await dispatch(svc, 'chooseDataPath', { kind: 'csv' }))).toBeNull();
      expect(asked).toEqual(['folder', 'csv']);
    } finally { await svc.close(); }
  });

  it('grants a chosen folder that then embeds with its class labels', async () => {
    const svc = createService({ host: 'electron', embedCacheDir: null, chooseDataPath: async () => join(root, 'digits') });
    try {
      const { path } = ok<{ path: string }>(await dispatch(svc, 'chooseDataPath', { kind: 'folder' }));
      const r = ok<EmbedResult>(await dispatch(svc, 'embedStart', { pixels: true, dataset: { kind: 'path', path }, method: 'pca', dims: 2 }));
      expect(r.n).toBe(12);
      expect(r.classNames).toEqual(['0', '1', '2']);
    } finally { await svc.close(); }
  });

  it('returns null without a dialog (the browser host)', async () => {
    const svc = createService({ host: 'browser' });
    expect(ok(await dispatch(svc, 'chooseDataPath', { kind: 'idx' }))).toBeNull();
    await svc.close();
  });

  it('rejects bad requests by schema', async () => {
    const svc = createService({ host: 'browser' });
    for (const [m, p] of [['chooseDataPath', { kind: 'zip' }], ['chooseDataPath', {}], ['chooseDataPath', { kind: 'folder', path: '/etc' }], ['listDataPaths', { root: '/' }]] as const) {
      const r = await dispatch(svc, m, p);
      expect(code(r), JSON.stringify(p)).toBe('invalid-request');
    }
    await svc.close();
  });
});
