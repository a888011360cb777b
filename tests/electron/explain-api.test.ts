// The saliency API methods through dispatch (validation included) against the real core.
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { ApiEvents, OpenedModel } from '../../electron/api/contract.ts';
import type { ExplainResult, ExplainerDescription, FaithfulnessResult, SanityCheckResult } from '../../electron/api/explain-contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { Runtime } from '../../core/runtime/index.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { ExplainModel } from '../../core/explain/model.ts';
import { explainImage } from '../../core/explain/explain.ts';
import { sampleDataset } from '../../core/activations/samples.ts';
import { toTensor } from '../../core/data/image.ts';
import { preprocessingOf } from '../../core/data/preprocessing.ts';

const service = createService({ host: 'browser' });
afterAll(async () => { await service.close(); });

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
const events: ApiEvents['progress'][] = [];
const ctx: CallContext = { emit: (e, p) => { if (e === 'progress') events.push(p as ApiEvents['progress']); } };

describe('saliency API', () => {
  let modelId = '';
  it('lists the explainers with kinds, defaults and papers', async () => {
    const list = ok<ExplainerDescription[]>(await dispatch(service, 'listExplainers', {}, ctx));
    expect(list.map((e) => e.name)).toEqual(['gradcam', 'gradcam++', 'xgradcam', 'hirescam', 'layercam', 'saliency', 'gradxinput', 'smoothgrad', 'ig', 'guided-backprop', 'guided-gradcam', 'scorecam', 'ablationcam', 'eigencam', 'occlusion', 'rise']);
    expect(list.find((e) => e.name === 'rise')).toMatchObject({ kind: 'perturbation', manyPasses: true, defaults: { masks: 2000, p: 0.5 } });
    for (const e of list) expect(e.paper).toMatch(/\d{4}/);
  });

  it('explains a dataset sample: maps at input size and on the original, progress under the job id, same numbers as the core', async () => {
    modelId = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } }, ctx)).modelId;
    const r = ok<ExplainResult>(await dispatch(service, 'explain', {
      modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 0 }, methods: ['gradcam', 'ig', 'rise'], jobId: 'ex1',
      options: { rise: { masks: 300 }, ig: { steps: 16 } },
    }, ctx));
    expect(r.maps.map((m) => m.method)).toEqual(['gradcam', 'ig', 'rise']);
    for (const m of r.maps) {
      expect(m.map).toBeInstanceOf(Float32Array);
      expect([m.width, m.height, m.map.length]).toEqual([28, 28, 784]);
      expect([m.original.width, m.original.height]).toEqual([28, 28]);
      expect(m.targetClass).toBe(r.target.index);
    }
    expect(r.maps[0]!.layer).toBe('features.4');
    expect(r.maps[0]!.layerMap!.data.length).toBe(100);
    expect(r.target.index).toBe(r.predicted.index);
    const mine = events.filter((e) => e.jobId === 'ex1');
    expect(mine.length).toBeGreaterThan(3);
    expect(mine[mine.length - 1]!.done).toBe(mine[mine.length - 1]!.total);
    // Independently: the core on the same model and the same sample.
    const model = buildZooModel('lenet5');
    const ds = sampleDataset('mnist-test');
    const x = toTensor(ds.pixels(0), 28, 28, 1, 255, preprocessingOf(model).preprocessing).data;
    const rt = await Runtime.create({ provider: 'cpu' });
    try {
      const em = ExplainModel.create(model, rt);
      const direct = await explainImage(em, x, { methods: ['gradcam'] });
      expect(direct.target.index).toBe(r.target.index);
      const a = direct.results[0]!.map, b = r.maps[0]!.map;
      for (let i = 0; i < 784; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
    } finally { await rt.dispose(); }
  });

  it('scores faithfulness of a map and rejects a map of the wrong size', async () => {
    const r = ok<ExplainResult>(await dispatch(service, 'explain', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 1 }, methods: ['gradcam'], target: 3 }, ctx));
    expect(r.target.index).toBe(3);
    const f = ok<FaithfulnessResult>(await dispatch(service, 'faithfulness', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 1 }, map: r.maps[0]!.map, target: 3, steps: 10 }, ctx));
    expect(f.targetClass).toBe(3);
    for (const v of [f.deletionAuc, f.insertionAuc, f.road.morfAuc, f.road.lerfAuc]) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
    expect(f.road.percentages).toHaveLength(9);
    const bad = await dispatch(service, 'faithfulness', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 1 }, map: new Float32Array(10) }, ctx);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/28×28/) });
  });

  it('runs a sanity check with the requested number of steps', async () => {
    const s = ok<SanityCheckResult>(await dispatch(service, 'sanityCheck', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 2 }, method: 'gradcam', steps: 2 }, ctx));
    expect(s.steps).toHaveLength(2);
    expect(s.steps[1]!.fraction).toBe(1);
    expect(s.layers).toHaveLength(5);
    expect(typeof s.flagged).toBe('boolean');
  });

  it('cancels a long explanation, refuses ungranted paths, unknown methods and extra keys', async () => {
    const jobId = 'long1';
    const p = dispatch(service, 'explain', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 0 }, methods: ['rise'], options: { rise: { masks: 20000 } }, jobId }, {
      emit: (e, p) => {
        const ev = p as ApiEvents['progress'];
        if (e === 'progress' && ev.jobId === jobId && ev.done > 0) void dispatch(service, 'cancel', { jobId }, {});
      },
    });
    const r = await p;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('cancelled');
    const forb = await dispatch(service, 'explain', { modelId, input: { kind: 'path', path: '/etc/passwd' }, methods: ['gradcam'] }, ctx);
    expect(!forb.ok && forb.error.code).toBe('forbidden');
    const unk = await dispatch(service, 'explain', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 0 }, methods: ['gradkam'] }, ctx);
    expect(!unk.ok && unk.error).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/unknown method/) });
    const extra = await dispatch(service, 'explain', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 0 }, methods: ['gradcam'], bogus: 1 }, ctx);
    expect(!extra.ok && extra.error.code).toBe('invalid-request');
  });
});
