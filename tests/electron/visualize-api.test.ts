// Feature visualisation through the API: the objective rises, previews stream as binary images,
// cancel stops it, and requests are validated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { ApiEvents, OpenedModel, VisualizeChannelResult } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';

const service = createService({ host: 'browser' });
let modelId = '';
beforeAll(async () => {
  modelId = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5-mnist' } })).modelId;
});
afterAll(async () => { await service.close(); });

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

describe('visualizeChannel', () => {
  it('raises the channel objective and streams previews of the input size', async () => {
    const events: ApiEvents['progress'][] = [];
    const ctx: CallContext = { emit: (e, p) => { if (e === 'progress') events.push(p as ApiEvents['progress']); } };
    const r = ok<VisualizeChannelResult>(await dispatch(service, 'visualizeChannel', { modelId, layer: 'features.4', channel: 3, steps: 64, seed: 1, jobId: 'vis1' }, ctx));
    expect(r.dims).toEqual([1, 28, 28]);
    expect(r.image).toBeInstanceOf(Float32Array);
    expect(r.image.length).toBe(784);
    expect(Math.min(...r.image)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.image)).toBeLessThanOrEqual(1);
    expect(r.history.length).toBe(64);
    expect(r.objective).toBeGreaterThan(5 * Math.max(r.initialObjective, 1e-3));
    const previews = events.filter((e) => e.preview);
    expect(previews.length).toBeGreaterThan(2);
    expect(previews[0]!.preview!.dims).toEqual([1, 28, 28]);
    expect(previews[0]!.preview!.data.length).toBe(784);
    expect(events.at(-1)!.done).toBe(64);
  });
  it('is cancelled by cancel', async () => {
    const run = dispatch(service, 'visualizeChannel', { modelId, layer: 'features.4', channel: 1, steps: 2000, jobId: 'vis2' }, {});
    await new Promise((r) => setTimeout(r, 300));
    ok(await dispatch(service, 'cancel', { jobId: 'vis2' }));
    const env = await run;
    expect(env.ok).toBe(false);
    if (!env.ok) expect(env.error.code).toBe('cancelled');
  });
  it('validates requests', async () => {
    const noTarget = await dispatch(service, 'visualizeChannel', { modelId, layer: 'features.4' });
    expect(noTarget.ok).toBe(false);
    const tooMany = await dispatch(service, 'visualizeChannel', { modelId, channel: 0, steps: 1e6 });
    expect(tooMany.ok).toBe(false);
    const badLayer = await dispatch(service, 'visualizeChannel', { modelId, layer: 'nope', channel: 0, steps: 4 });
    expect(badLayer.ok).toBe(false);
    if (!badLayer.ok) expect(badLayer.error.message).toMatch(/nope/);
  });
});
