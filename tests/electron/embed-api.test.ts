import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { AeInfo, AeScoreSetResult, ApiEvents, EmbedResult, EmbedThumbnail, InputSet, OpenedModel } from '../../electron/api/contract.ts';
import { decodeFrame, encodeFrame, type ResponseFrame } from '../../electron/api/wire.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { loadFashion } from '../../core/data/fashion.ts';

const service = createService({ host: 'browser', embedCacheDir: null });
let modelId = '';
function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
beforeAll(async () => {
  modelId = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5-mnist' } })).modelId;
});
afterAll(() => service.close());

describe('embedding API', () => {
  let pcaRun: EmbedResult;

  it('embedStart (PCA) returns coords, labels, predictions and quality; progress under the job id', async () => {
    const events: ApiEvents['progress'][] = [];
    const ctx: CallContext = { emit: (_e, p) => events.push(p) };
    pcaRun = ok<EmbedResult>(await dispatch(service, 'embedStart', { modelId, dataset: 'mnist-test', limit: 300, method: 'pca', dims: 2, jobId: 'emb1' }, ctx));
    expect(pcaRun).toMatchObject({ n: 300, d: 84, layer: 'classifier.3', dims: 2, method: 'pca', stopped: false });
    expect(pcaRun.coords).toBeInstanceOf(Float32Array);
    expect(pcaRun.coords.length).toBe(600);
    const mnist = loadMnist('test');
    expect(Array.from(pcaRun.labels!)).toEqual(Array.from(mnist.labels.subarray(0, 300)));
    expect(pcaRun.predictions!.filter((p, i) => p === pcaRun.labels![i]).length).toBeGreaterThan(285);
    expect(pcaRun.quality.knnAccuracy).toBeGreaterThan(0.6);
    expect(pcaRun.quality.trustworthiness).toBeGreaterThan(0.7);
    expect(pcaRun.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ jobId: 'emb1', done: 300, total: 300 });
  });

  it('scalars: confidence = the top softmax probability setInput reports, entropy bounds, feature norms', async () => {
    const { confidence, entropy, norm } = pcaRun.scalars;
    expect(Object.keys(pcaRun.scalars).sort()).toEqual(['confidence', 'entropy', 'norm']);
    for (const a of [confidence, entropy, norm]) { expect(a).toBeInstanceOf(Float32Array); expect(a!.length).toBe(300); }
    // Independent path: the activations service's own top-1 probability for the same images.
    for (const i of [0, 7, 123, 299]) {
      const inp = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: i }, topK: 10 }));
      const top = inp.predictions!.top;
      expect(confidence![i]).toBeCloseTo(top[0]!.probability, 4);
      const h = -top.reduce((s, e) => s + (e.probability > 0 ? e.probability * Math.log(e.probability) : 0), 0);
      expect(entropy![i]).toBeCloseTo(h, 3);
    }
    for (let i = 0; i < 300; i++) {
      // H ≥ −ln(max p) and H ≤ ln 10 for any distribution over 10 classes.
      expect(entropy![i]! + 1e-5).toBeGreaterThanOrEqual(-Math.log(confidence![i]!));
      expect(entropy![i]!).toBeLessThanOrEqual(Math.log(10) + 1e-5);
      expect(confidence![i]!).toBeGreaterThanOrEqual(0.1 - 1e-6);
      expect(norm![i]!).toBeGreaterThan(0);
    }
    // Misclassified digits are less confident on average than correct ones.
    const mean = (f: (i: number) => boolean) => { let s = 0, c = 0; for (let i = 0; i < 300; i++) if (f(i)) { s += confidence![i]!; c++; } return c ? s / c : NaN; };
    const right = mean((i) => pcaRun.predictions![i] === pcaRun.labels![i]), wrong = mean((i) => pcaRun.predictions![i] !== pcaRun.labels![i]);
    if (!Number.isNaN(wrong)) expect(wrong).toBeLessThan(right);
  });

  it('scalars survive the browser wire as Float32Arrays inside a record', () => {
    const frame: ResponseFrame = { kind: 'response', id: 9, ok: true, result: pcaRun };
    const back = decodeFrame(encodeFrame(frame)) as ResponseFrame;
    const r = back.result as EmbedResult;
    expect(Object.keys(r.scalars).sort()).toEqual(['confidence', 'entropy', 'norm']);
    for (const k of ['confidence', 'entropy', 'norm']) {
      expect(r.scalars[k]).toBeInstanceOf(Float32Array);
      expect(Array.from(r.scalars[k]!)).toEqual(Array.from(pcaRun.scalars[k]!));
    }
    expect(r.coords).toBeInstanceOf(Float32Array);
  });

  it('an autoencoder bottleneck: anomaly = the per-image score aeScoreSet computes; norm = |latent code|; Fashion scores above MNIST', async () => {
    const ae = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'autoencoder-mnist' } })).modelId;
    const info = ok<AeInfo>(await dispatch(service, 'aeInfo', { modelId: ae }));
    const r = ok<EmbedResult>(await dispatch(service, 'embedStart', { modelId: ae, dataset: 'mnist-test', limit: 120, layer: info.bottleneck.tensor, pool: false, method: 'pca', dims: 2 }));
    expect(r).toMatchObject({ n: 120, d: info.bottleneck.elements, layer: info.bottleneck.tensor, predictions: null });
    expect(Object.keys(r.scalars).sort()).toEqual(['anomaly', 'norm']);
    const s = ok<AeScoreSetResult>(await dispatch(service, 'aeScoreSet', { modelId: ae, set: { kind: 'builtin', parts: ['mnist-test'], limit: 120 } }));
    expect(s.scores.length).toBe(120);
    for (let i = 0; i < 120; i++) expect(r.scalars.anomaly![i]).toBeCloseTo(s.scores[i]!, 6);
    const lat = ok<{ latents: Float32Array; k: number }>(await dispatch(service, 'aeLatents', { modelId: ae, set: { kind: 'builtin', parts: ['mnist-test'], limit: 120 } }));
    for (const i of [0, 50, 119]) {
      const code = lat.latents.subarray(i * lat.k, (i + 1) * lat.k);
      expect(r.scalars.norm![i]).toBeCloseTo(Math.hypot(...code), 4);
    }
    // The mixed set (MNIST and Fashion alternating, labelled by source): the trained model's anomaly
    // score separates them (AUROC by pair counting).
    const mixed = ok<EmbedResult>(await dispatch(service, 'embedStart', { modelId: ae, dataset: 'mnist-fashion-test', limit: 200, layer: info.bottleneck.tensor, pool: false, method: 'pca' }));
    expect(mixed.classNames).toEqual(['MNIST digit', 'Fashion-MNIST']);
    const a = mixed.scalars.anomaly!, normal: number[] = [], odd: number[] = [];
    for (let i = 0; i < 200; i++) (mixed.labels![i] === 0 ? normal : odd).push(a[i]!);
    expect([normal.length, odd.length]).toEqual([100, 100]);
    let wins = 0;
    for (const x of odd) for (const y of normal) wins += x > y ? 1 : x === y ? 0.5 : 0;
    expect(wins / (odd.length * normal.length)).toBeGreaterThan(0.95);
    await dispatch(service, 'closeModel', { modelId: ae });
  });

  it('Fashion-MNIST (classes interleaved at the source) embeds every class in its first 10; a point opens its own dataset row', async () => {
    const r = ok<EmbedResult>(await dispatch(service, 'embedStart', { pixels: true, dataset: 'fashion-test', limit: 30, method: 'pca' }));
    expect(Array.from(r.labels!.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const f = loadFashion('test'), row = 1;
    expect(f.labels[row]).toBe(1);
    const t = ok<EmbedThumbnail>(await dispatch(service, 'embedThumbnail', { embeddingId: r.embeddingId, index: 1 }));
    expect(Array.from(t.data)).toEqual(Array.from(f.images.subarray(row * 784, (row + 1) * 784)));
    const inp = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'embedding', embeddingId: r.embeddingId, index: 1 } }));
    expect(inp.sample).toEqual({ dataset: 'fashion-test', index: row });
    expect(inp.name).toBe(`fashion-test #${row}`);
  });

  it('embedThumbnail gives the dataset image; embedNeighbors ranks by original-feature distance', async () => {
    const t = ok<EmbedThumbnail>(await dispatch(service, 'embedThumbnail', { embeddingId: pcaRun.embeddingId, index: 5 }));
    expect([t.width, t.height, t.channels, t.label]).toEqual([28, 28, 1, loadMnist('test').labels[5]]);
    expect(Array.from(t.data)).toEqual(Array.from(loadMnist('test').images.subarray(5 * 784, 6 * 784)));
    const nb = ok<{ indices: Int32Array; distances: Float32Array }>(await dispatch(service, 'embedNeighbors', { embeddingId: pcaRun.embeddingId, index: 0, k: 5 }));
    expect(nb.indices.length).toBe(5);
    expect(Array.from(nb.indices)).not.toContain(0);
    for (let i = 1; i < 5; i++) expect(nb.distances[i]!).toBeGreaterThanOrEqual(nb.distances[i - 1]!);
    // Neighbours of a 7 in LeNet's penultimate space are 7s.
    expect(Array.from(nb.indices).filter((j) => pcaRun.labels![j] === 7).length).toBeGreaterThanOrEqual(4);
    const bad = await dispatch(service, 'embedNeighbors', { embeddingId: pcaRun.embeddingId, index: 300, k: 5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('embedExportCsv marks the selection', async () => {
    const r = ok<{ csv: string; name: string }>(await dispatch(service, 'embedExportCsv', { embeddingId: pcaRun.embeddingId, selected: new Int32Array([1, 2]) }));
    const lines = r.csv.trim().split('\n');
    expect(lines[0]).toBe('id,label,prediction,x,y,selected');
    expect(lines).toHaveLength(301);
    expect(lines[2]!.endsWith(',1')).toBe(true);
    expect(lines[4]!.endsWith(',0')).toBe(true);
    expect(Number(lines[1]!.split(',')[3])).toBeCloseTo(pcaRun.coords[0]!, 4);
  });

  it('t-SNE streams intermediate layouts; cancel stops it and keeps the last layout', async () => {
    const layouts: Float32Array[] = [];
    const ctx: CallContext = {
      emit: (_e, p) => {
        if (p.layout) {
          layouts.push(p.layout.coords);
          if (layouts.length === 2) void dispatch(service, 'cancel', { jobId: 'tsne1' });
        }
      },
    };
    const r = ok<EmbedResult>(await dispatch(service, 'embedStart', { modelId, dataset: 'mnist-test', limit: 300, method: 'tsne', params: { iterations: 1000, every: 10, seed: 3 }, jobId: 'tsne1' }, ctx));
    expect(r.stopped).toBe(true);
    expect(r.cached).toBe(true); // same features as the PCA run: the memory cache
    expect(layouts.length).toBeGreaterThanOrEqual(2);
    expect(layouts.length).toBeLessThan(20);
    expect(layouts[0]!.length).toBe(600);
    expect(Array.from(r.coords)).toEqual(Array.from(layouts.at(-1)!));
  });

  it('validates requests', async () => {
    expect(await dispatch(service, 'embedStart', { dataset: 'mnist-test', method: 'pca' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await dispatch(service, 'embedStart', { modelId, dataset: 'cifar', method: 'pca' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await dispatch(service, 'embedStart', { modelId, dataset: { kind: 'path', path: '/etc' }, method: 'pca' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatch(service, 'embedStart', { modelId, dataset: 'mnist-test', limit: 10, layer: 'nope', method: 'pca' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
