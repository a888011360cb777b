import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { ApiEvents, EmbedResult, EmbedThumbnail, OpenedModel } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { loadMnist } from '../../core/data/idx.ts';

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
