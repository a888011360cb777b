// Opening an embedding point in Activations and Heatmaps (issue #6 §3): the `{ kind: 'embedding' }`
// input source of setInput, explain and loadImageForReview resolves to the real image of the point —
// the dataset row for MNIST test/train, the ORIGINAL file (full size) for a folder set.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService } from '../../electron/api/service.ts';
import type { EmbedResult, InputSet, LayerActivationsResult, OpenedModel } from '../../electron/api/contract.ts';
import type { ExplainResult } from '../../electron/api/explain-contract.ts';
import type { ReviewImage } from '../../electron/api/image-review-contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { PathGrants } from '../../electron/security/grants.ts';
import { loadMnist } from '../../core/data/idx.ts';

const grants = new PathGrants();
const service = createService({ host: 'browser', grants, embedCacheDir: null });
const dir = mkdtempSync(join(tmpdir(), 'receptive-embed-open-'));
let modelId = '';
let conv = '';

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
function err(r: Envelope): { code: string; message: string } {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}
const embed = async (dataset: unknown, limit: number, pixels = false) =>
  ok<EmbedResult>(await dispatch(service, 'embedStart', { ...(pixels ? { pixels: true } : { modelId }), dataset, limit, method: 'pca', dims: 2 }));

/** A digit-like picture larger than any thumbnail (embedThumbnail shrinks to 64 px), unique per seed. */
const written = new Map<string, Uint8Array>();
async function writePng(path: string, seed: number): Promise<void> {
  const W = 120, H = 90, px = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = ((x * (seed + 3) + y * (seed + 7)) % 97 < 30) ? 230 : 10;
  await sharp(px, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(path);
  written.set(path, px);
}

beforeAll(async () => {
  const opened = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5-mnist' } }));
  modelId = opened.modelId;
  conv = opened.summary.layers.find((l) => l.op === 'Conv')!.name;
  for (const [c, n] of [['ankle', 2], ['bag', 2]] as const) {
    mkdirSync(join(dir, c));
    for (let i = 0; i < n; i++) await writePng(join(dir, c, `img${i}.png`), c.length * 10 + i);
  }
});
afterAll(async () => { await service.close(); rmSync(dir, { recursive: true, force: true }); });

describe('embedding points as inputs', () => {
  let mnist: EmbedResult;

  it('setInput of an mnist-test point is the dataset row: same tensor, activations and predictions as the sample source', async () => {
    mnist = await embed('mnist-test', 200);
    const i = 123;
    const viaPoint = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: mnist.embeddingId, index: i }, topK: 3 }));
    const viaSample = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: i }, topK: 3 }));
    const row = loadMnist('test');
    // The model sees 28×28 with the MNIST mean/std; the preview undoes that, giving the stored pixels back.
    expect(Array.from(viaPoint.preview.data)).toEqual(Array.from(row.images.subarray(i * 784, (i + 1) * 784)));
    expect(viaPoint).toMatchObject({ name: 'mnist-test #123', label: row.labels[i], labelName: String(row.labels[i]), inputDims: [1, 1, 28, 28], sample: { dataset: 'mnist-test', index: i } });
    expect(viaSample.sample).toEqual({ dataset: 'mnist-test', index: i });
    expect(viaPoint.geometry).toEqual(viaSample.geometry);
    expect(viaPoint.predictions!.top.map((p) => [p.index, p.score])).toEqual(viaSample.predictions!.top.map((p) => [p.index, p.score]));
    expect(viaPoint.predictions!.top[0]!.index).toBe(mnist.predictions![i]);
    const a = ok<LayerActivationsResult>(await dispatch(service, 'getActivations', { modelId, inputId: viaPoint.inputId, layer: conv }));
    const b = ok<LayerActivationsResult>(await dispatch(service, 'getActivations', { modelId, inputId: viaSample.inputId, layer: conv }));
    expect(a.data.length).toBe(6 * 28 * 28);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('an mnist-train point (not a sample dataset) opens its training row', async () => {
    const train = await embed('mnist-train', 50, true);
    const i = 41;
    const r = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: train.embeddingId, index: i } }));
    const row = loadMnist('train');
    expect(Array.from(r.preview.data)).toEqual(Array.from(row.images.subarray(i * 784, (i + 1) * 784)));
    expect([r.name, r.label]).toEqual(['mnist-train #41', row.labels[i]]);
    expect(r.sample).toBeUndefined(); // not a row of a sample dataset: the pickers cannot step from it
    const review = ok<ReviewImage>(await dispatch(service, 'loadImageForReview', { source: { kind: 'embedding', embeddingId: train.embeddingId, index: i } }));
    expect([review.width, review.height, review.channels, review.kind]).toEqual([28, 28, 1, 'sample']);
    expect(Array.from(review.values)).toEqual(Array.from(row.images.subarray(i * 784, (i + 1) * 784)));
  });

  it('explain of a point gives the same maps as the sample source', async () => {
    const i = 7;
    const input = { kind: 'embedding', embeddingId: mnist.embeddingId, index: i };
    const p = ok<ExplainResult>(await dispatch(service, 'explain', { modelId, input, methods: ['gradcam', 'saliency'] }));
    const s = ok<ExplainResult>(await dispatch(service, 'explain', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: i }, methods: ['gradcam', 'saliency'] }));
    expect(p.input).toBe('mnist-test #7');
    expect(p.predicted).toEqual(s.predicted);
    expect(p.geometry).toEqual(s.geometry);
    for (const k of [0, 1]) {
      expect(p.maps[k]!.map.length).toBe(784);
      expect(Array.from(p.maps[k]!.map)).toEqual(Array.from(s.maps[k]!.map));
    }
    // A map with some structure, not all zeros.
    expect(Math.max(...p.maps[1]!.map)).toBeGreaterThan(0);
  });

  it('a folder point opens the ORIGINAL file at full size (not the thumbnail) in setInput, explain and loadImageForReview', async () => {
    grants.grant(dir);
    const folder = await embed({ kind: 'path', path: dir }, 4);
    expect(folder.n).toBe(4);
    const i = 2; // sorted: ankle/img0, ankle/img1, bag/img0, bag/img1
    const file = join(dir, 'bag', 'img0.png');
    grants.grant(file);
    const viaPoint = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: folder.embeddingId, index: i } }));
    const viaPath = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'path', path: file } }));
    expect(viaPoint.geometry.original).toEqual({ width: 120, height: 90 });
    expect(viaPoint.geometry).toEqual(viaPath.geometry);
    expect(Array.from(viaPoint.preview.data)).toEqual(Array.from(viaPath.preview.data));
    expect(viaPoint.predictions!.top.map((t) => t.score)).toEqual(viaPath.predictions!.top.map((t) => t.score));
    expect(viaPoint).toMatchObject({ name: 'bag/img0.png', label: 1, labelName: 'bag' });
    expect(viaPoint.sample).toBeUndefined();
    // The embedding's thumbnail is smaller: the point must not be opened from it.
    const thumb = ok<{ width: number }>(await dispatch(service, 'embedThumbnail', { embeddingId: folder.embeddingId, index: i }));
    expect(thumb.width).toBeLessThan(120);

    const ep = ok<ExplainResult>(await dispatch(service, 'explain', { modelId, input: { kind: 'embedding', embeddingId: folder.embeddingId, index: i }, methods: ['gradcam'] }));
    const ef = ok<ExplainResult>(await dispatch(service, 'explain', { modelId, input: { kind: 'path', path: file }, methods: ['gradcam'] }));
    expect(ep.geometry.original).toEqual({ width: 120, height: 90 });
    expect(Array.from(ep.maps[0]!.map)).toEqual(Array.from(ef.maps[0]!.map));
    expect(ep.maps[0]!.original.width * ep.maps[0]!.original.step).toBeGreaterThanOrEqual(120);

    const review = ok<ReviewImage>(await dispatch(service, 'loadImageForReview', { source: { kind: 'embedding', embeddingId: folder.embeddingId, index: i } }));
    expect([review.original.width, review.original.height, review.channels]).toEqual([120, 90, 1]);
    expect(Array.from(review.values)).toEqual(Array.from(written.get(file)!)); // the pixels written, losslessly

    // A file moved away since the embedding: an error naming the point, not a crash.
    rmSync(join(dir, 'ankle', 'img1.png'));
    const moved = err(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: folder.embeddingId, index: 1 } }));
    expect(moved).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/ankle\/img1\.png/) });
    expect(err(await dispatch(service, 'explain', { modelId, input: { kind: 'embedding', embeddingId: folder.embeddingId, index: 1 }, methods: ['gradcam'] })).code).toBe('invalid-request');
    expect(err(await dispatch(service, 'loadImageForReview', { source: { kind: 'embedding', embeddingId: folder.embeddingId, index: 1 } })).message).toMatch(/img1\.png: cannot read the file/);
  });

  it('an IDX-file point opens its stored plane (resized for the model like the same picture as a file)', async () => {
    const W = 10, H = 12, N = 3;
    const px = Uint8Array.from({ length: N * H * W }, (_, k) => (k * 37) % 256);
    const header = (magic: number, dims: number[]) => { const b = Buffer.alloc(4 + 4 * dims.length); b.writeUInt32BE(magic, 0); dims.forEach((d, j) => b.writeUInt32BE(d, 4 + 4 * j)); return b; };
    const images = join(dir, 'tiny-images-idx3-ubyte');
    writeFileSync(images, Buffer.concat([header(0x803, [N, H, W]), px]));
    writeFileSync(join(dir, 'tiny-labels-idx1-ubyte'), Buffer.concat([header(0x801, [N]), Buffer.from([4, 0, 2])]));
    grants.grant(images);
    const idx = await embed({ kind: 'path', path: images }, 3, true);
    const i = 1, plane = px.subarray(i * H * W, (i + 1) * H * W);
    const png = join(dir, 'plane.png');
    await sharp(plane, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(png);
    grants.grant(png);
    const viaPoint = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: idx.embeddingId, index: i } }));
    const viaPng = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'path', path: png } }));
    expect(viaPoint).toMatchObject({ name: 'tiny-images-idx3-ubyte #1', label: 0, labelName: '0' });
    expect(viaPoint.geometry.original).toEqual({ width: W, height: H });
    expect(Array.from(viaPoint.preview.data)).toEqual(Array.from(viaPng.preview.data));
    const review = ok<ReviewImage>(await dispatch(service, 'loadImageForReview', { source: { kind: 'embedding', embeddingId: idx.embeddingId, index: i } }));
    expect(Array.from(review.values)).toEqual(Array.from(plane));
  });

  it('bad points get clear, typed errors', async () => {
    const outOfRange = err(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: mnist.embeddingId, index: 200 } }));
    expect(outOfRange).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/200 is out of range.*200 points/) });
    const unknown = err(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: 'e_nothing', index: 0 } }));
    expect(unknown).toMatchObject({ code: 'not-found', message: expect.stringMatching(/no longer kept.*run the embedding again/) });
    expect(err(await dispatch(service, 'explain', { modelId, input: { kind: 'embedding', embeddingId: 'e_nothing', index: 0 }, methods: ['gradcam'] })).code).toBe('not-found');
    expect(err(await dispatch(service, 'loadImageForReview', { source: { kind: 'embedding', embeddingId: mnist.embeddingId, index: 5000 } })).code).toBe('invalid-request');
    // Schema: negative index, a bad id, extra keys.
    for (const source of [
      { kind: 'embedding', embeddingId: mnist.embeddingId, index: -1 },
      { kind: 'embedding', embeddingId: '../x', index: 0 },
      { kind: 'embedding', embeddingId: mnist.embeddingId, index: 0, path: '/etc/passwd' },
    ]) expect(err(await dispatch(service, 'setInput', { modelId, source })).code).toBe('invalid-request');
    // A DICOM window belongs to files and dropped bytes only: an embedding point is an 8-bit image.
    const windowed = { kind: 'embedding', embeddingId: mnist.embeddingId, index: 0, window: { center: 100, width: 50, fn: 'LINEAR' } };
    expect(err(await dispatch(service, 'explain', { modelId, input: windowed, methods: ['gradcam'] })).code).toBe('invalid-request');
  });

  it('a point whose embedding was dropped (only the last few are kept) asks to run the embedding again', async () => {
    const first = await embed('mnist-test', 3, true);
    for (let k = 0; k < 4; k++) await embed('mnist-test', 3 + k, true);
    const gone = err(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: first.embeddingId, index: 0 } }));
    expect(gone).toMatchObject({ code: 'not-found', message: expect.stringMatching(/run the embedding again/) });
  });
});
