// The service against the real core (zoo, loader, analysis, runtime). Model facts are checked
// against LeNet-5's architecture worked out by hand, not against the analysis itself.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { ApiEvents, OpenedModel, ZooEntry } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';

const LENET_OPS = ['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm'];
// conv1 6×1×5×5+6, conv2 16×6×5×5+16, fc 400→120→84→10 with biases
const LENET_PARAMS = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10);

const dir = mkdtempSync(join(tmpdir(), 'receptive-svc-'));
let chosen: string | null = null;
const service = createService({ host: 'electron', chooseModelFile: async () => chosen });
const worker = createService({ host: 'browser', offThread: 'always' });
afterAll(async () => {
  await Promise.all([service.close(), worker.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function collect(): { ctx: CallContext; events: ApiEvents['progress'][] } {
  const events: ApiEvents['progress'][] = [];
  return { events, ctx: { emit: (_e, p) => events.push(p) } };
}
function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

function expectLenet(m: OpenedModel): void {
  expect(m.summary.layers.map((l) => l.op)).toEqual(LENET_OPS);
  expect(m.summary.totals.layers).toBe(12);
  expect(m.summary.totals.params).toBe(LENET_PARAMS);
  expect(m.summary.layers[0]!.outputShapes[0]!.slice(1)).toEqual([6, 28, 28]); // pad 2: 28 + 4 − 5 + 1
  expect(m.summary.layers[5]!.outputShapes[0]!.slice(1)).toEqual([16, 5, 5]); // (28/2 − 5 + 1)/2, ×25 = fc's 400
}

describe('service with the real core', () => {
  it('reports info and the zoo', async () => {
    const info = ok<{ host: string; version: string; defaultModel: string; providers: { chosen: string; attempts: { provider: string; ok: boolean }[] } }>(await dispatch(service, 'getInfo', {}));
    expect(info).toMatchObject({ host: 'electron', version: '0.1.0', defaultModel: 'lenet5' });
    expect(info.providers.attempts.some((a) => a.provider === 'cpu' && a.ok)).toBe(true);
    const zoo = ok<ZooEntry[]>(await dispatch(service, 'listZoo', {}));
    const byName = new Map(zoo.map((z) => [z.name, z]));
    expect(byName.get('lenet5')).toMatchObject({ task: 'classifier', inputShape: [1, 28, 28], params: LENET_PARAMS });
    expect(byName.get('vgg16')?.params).toBe(138_357_544);
    expect(byName.get('autoencoder')?.task).toBe('autoencoder');
  });

  it('opens lenet5 from the zoo with progress, preprocessing and class names, then closes it', async () => {
    const { ctx, events } = collect();
    const m = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5' }, jobId: 'open1' }, ctx));
    expectLenet(m);
    expect(m.name).toBe('lenet5');
    expect(m.modelId).toMatch(/^m_[0-9a-f]{16}$/);
    expect(m.preprocessing).toMatchObject({ size: [28, 28], channels: 1, mean: [0.1307], std: [0.3081], preset: 'mnist' });
    expect(m.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(m.provider.chosen).not.toBe('none');
    expect(events.map((e) => e.done)).toEqual([0, 1, 2, 3]);
    expect(events.every((e) => e.jobId === 'open1' && e.total === 3)).toBe(true);
    expect(ok(await dispatch(service, 'getSummary', { modelId: m.modelId }))).toEqual(m.summary);
    expect(ok(await dispatch(service, 'closeModel', { modelId: m.modelId }))).toEqual({ closed: true });
    const gone = await dispatch(service, 'getSummary', { modelId: m.modelId });
    expect(gone.ok ? null : gone.error.code).toBe('not-found');
  });

  it('opens dropped bytes, and names what is wrong with bad ones', async () => {
    const bytes = toBinary(ModelProtoSchema, buildZooModel('lenet5'));
    const m = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'bytes', name: 'dropped.onnx', data: bytes.slice() } }));
    expectLenet(m);
    expect(m.name).toBe('dropped.onnx');
    for (const data of [new Uint8Array(0), new TextEncoder().encode('<html>not a model</html>'), bytes.slice(0, 1000)]) {
      const r = await dispatch(service, 'openModel', { source: { kind: 'bytes', name: 'bad.onnx', data } });
      expect(r.ok).toBe(false);
      if (!r.ok) { expect(r.error.code).toBe('bad-model'); expect(r.error.message).toContain('bad.onnx'); }
    }
    await dispatch(service, 'closeModel', { modelId: m.modelId });
  });

  it('opens a file only after the dialog granted it', async () => {
    const file = join(dir, 'lenet.onnx');
    writeFileSync(file, toBinary(ModelProtoSchema, buildZooModel('lenet5')));
    const denied = await dispatch(service, 'openModel', { source: { kind: 'path', path: file } });
    expect(denied.ok ? null : denied.error.code).toBe('forbidden');
    chosen = file;
    expect(ok(await dispatch(service, 'chooseModelFile', {}))).toEqual({ path: file });
    const m = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'path', path: file } }));
    expectLenet(m);
    expect(m.name).toBe('lenet.onnx');
    await dispatch(service, 'closeModel', { modelId: m.modelId });
  });

  it('gives the same answer off the event loop, in the worker thread', async () => {
    const { ctx, events } = collect();
    const m = ok<OpenedModel>(await dispatch(worker, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } }, ctx));
    expectLenet(m);
    expect(events.map((e) => e.done)).toEqual([0, 1, 2, 3]);
    const bad = await dispatch(worker, 'openModel', { source: { kind: 'bytes', name: 'junk.onnx', data: new Uint8Array([0xff, 0xff, 0xff]) } });
    expect(bad.ok ? null : bad.error.code).toBe('bad-model');
  });

  it('cancels a running worker job and keeps working', async () => {
    const { ctx, events } = collect();
    const running = dispatch(worker, 'openModel', { source: { kind: 'zoo', name: 'resnet18' }, jobId: 'big' }, {
      emit: (e, p) => { ctx.emit?.(e, p); if (p.done === 0) void dispatch(worker, 'cancel', { jobId: 'big' }).then((r) => events.push({ jobId: 'cancel-result', done: ok<{ cancelled: boolean }>(r).cancelled ? 1 : 0, total: 0, message: '' })); },
    });
    const r = await running;
    expect(r.ok ? null : r.error.code).toBe('cancelled');
    await new Promise((res) => setTimeout(res, 10));
    expect(events.find((e) => e.jobId === 'cancel-result')?.done).toBe(1);
    expect(ok(await dispatch(worker, 'cancel', { jobId: 'big' }))).toEqual({ cancelled: false });
    expectLenet(ok<OpenedModel>(await dispatch(worker, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } })));
  });

  it('stops the jobs of a caller that went away', async () => {
    const gone = new AbortController();
    const t0 = performance.now();
    const r = await dispatch(worker, 'openModel', { source: { kind: 'zoo', name: 'resnet18' } }, {
      signal: gone.signal,
      emit: (_e, p) => { if (p.done === 0) gone.abort(); },
    });
    expect(r.ok ? null : r.error.code).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(20_000);
    const already = await dispatch(worker, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } }, { signal: gone.signal });
    expect(already.ok ? null : already.error.code).toBe('cancelled');
  });

  it('refuses a job id in use, unknown zoo names, and more open models than allowed', async () => {
    const small = createService({ host: 'browser', maxOpenModels: 2 });
    try {
      const a = dispatch(small, 'openModel', { source: { kind: 'zoo', name: 'lenet5' }, jobId: 'same' });
      const b = await dispatch(small, 'openModel', { source: { kind: 'zoo', name: 'lenet5' }, jobId: 'same' });
      expect(b.ok ? null : b.error.code).toBe('invalid-request');
      const first = ok<OpenedModel>(await a);
      const nf = await dispatch(small, 'openModel', { source: { kind: 'zoo', name: 'lenet6' } });
      expect(nf.ok ? null : nf.error).toMatchObject({ code: 'not-found', message: expect.stringContaining('lenet5') });
      ok(await dispatch(small, 'openModel', { source: { kind: 'zoo', name: 'autoencoder' } }));
      const full = await dispatch(small, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } });
      expect(full.ok ? null : full.error.message).toMatch(/close one/);
      ok(await dispatch(small, 'closeModel', { modelId: first.modelId }));
      expectLenet(ok<OpenedModel>(await dispatch(small, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } })));
    } finally {
      await small.close();
    }
  });
});
