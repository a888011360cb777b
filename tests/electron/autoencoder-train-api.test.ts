// aeTrain in fine-tune mode through dispatch with the real service: the open shipped MNIST autoencoder
// fine-tuned on 1s (progress events, held-out MSE before = raw onnxruntime on the original bytes,
// after lower, the record in the returned model), cancel keeping the last step, and clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { AeTrainResult, OpenedModel, ApiEvents } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { ModelProtoSchema, fromBinary, toBinary } from '../../core/onnx/proto.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { FINETUNE_KEY } from '../../core/autoencoder/fine-tune.ts';

const service = createService({ host: 'browser' });
const BYTES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'models', 'autoencoder-mnist.onnx')));
let modelId = '';
afterAll(() => service.close());

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
const call = <T>(method: string, params: unknown, ctx: CallContext = {}) => dispatch(service, method, params, ctx).then((r) => ok<T>(r));
const open = async (name: string, data: Uint8Array) => (await call<OpenedModel>('openModel', { source: { kind: 'bytes', name, data } })).modelId;

/** All 1,135 MNIST test 1s through raw onnxruntime: mean per-pixel squared error. */
async function onesMse(bytes: Uint8Array): Promise<number> {
  const t = loadMnist('test'), idx = [...t.labels.keys()].filter((i) => t.labels[i] === 1);
  const x = new Float32Array(idx.length * 784);
  idx.forEach((i, k) => { for (let j = 0; j < 784; j++) x[k * 784 + j] = t.images[i * 784 + j]! / 255; });
  const s = await ort.InferenceSession.create(bytes);
  const y = (await s.run({ input: new ort.Tensor('float32', x, [idx.length, 1, 28, 28]) })).reconstruction!.data as Float32Array;
  await s.release();
  let e = 0;
  for (let i = 0; i < x.length; i++) e += (y[i]! - x[i]!) ** 2;
  return e / x.length;
}

// A copy: the service may transfer the bytes it is given to its runtime worker.
beforeAll(async () => { modelId = await open('autoencoder-mnist.onnx', BYTES.slice()); });

describe('aeTrain mode finetune', () => {
  it('fine-tunes the open model on 1s: progress, held-out MSE before (= onnxruntime) and lower after, record', async () => {
    const events: ApiEvents['progress'][] = [];
    const r = await call<AeTrainResult>('aeTrain', {
      mode: 'finetune', modelId, data: 'mnist', classes: [1], limit: 2000, epochs: 1, maxStepsPerEpoch: 60, batchSize: 32, jobId: 'ft1',
    }, { emit: (_e, p) => events.push(p) });
    expect(r.mode).toBe('finetune');
    expect(r.steps).toBe(60);
    expect(r.cancelled).toBe(false);
    expect(r.testMseBefore).toBeCloseTo(await onesMse(BYTES), 7);
    const after = await onesMse(r.model);
    expect(r.history[0]!.testMse).toBeCloseTo(after, 7);
    expect(after).toBeLessThan(0.95 * r.testMseBefore!);
    expect(events.at(-1)).toMatchObject({ jobId: 'ft1', done: 60, total: 60 });
    expect(events.some((e) => /epoch 1\/1 loss/.test(e.message))).toBe(true);
    const m = fromBinary(ModelProtoSchema, r.model);
    const rec = JSON.parse(m.metadataProps.find((p) => p.key === FINETUNE_KEY)!.value);
    expect(rec).toMatchObject({ from: 'autoencoder-mnist.onnx', data: 'mnist (class 1)', classes: [1], trainImages: 2000, testImages: 1135, steps: 60, part: 'all' });
    expect(r.notes!.join(' ')).toMatch(/only class 1/);
    console.log(`API fine-tune: held-out 1s MSE ${r.testMseBefore!.toFixed(6)} → ${after.toFixed(6)} in ${r.steps} steps, ${r.seconds.toFixed(1)} s`);
  });

  it('cancel stops after the current step and returns the weights reached (train\'s rule)', async () => {
    const r = await call<AeTrainResult>('aeTrain', { mode: 'finetune', modelId, data: 'mnist', classes: [7], limit: 2000, epochs: 3, batchSize: 16, part: 'decoder', jobId: 'ftstop' },
      { emit: (_e, ev) => { if (ev.done >= 10 && ev.total > 1) void dispatch(service, 'cancel', { jobId: 'ftstop' }); } });
    expect(r.cancelled).toBe(true);
    expect(r.steps).toBeGreaterThanOrEqual(10);
    expect(r.steps).toBeLessThan(3 * 125);
    const rec = JSON.parse(fromBinary(ModelProtoSchema, r.model).metadataProps.find((p) => p.key === FINETUNE_KEY)!.value);
    expect(rec).toMatchObject({ cancelled: true, steps: r.steps, part: 'decoder' });
  });

  it('clear errors: missing modelId, scratch-only fields, untrainable model, ungranted folder', async () => {
    const err = async (params: unknown) => { const r = await dispatch(service, 'aeTrain', params); if (r.ok) throw new Error('expected a failure'); return r.error; };
    expect(await err({ mode: 'finetune', data: 'mnist', epochs: 1 })).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/needs modelId/) });
    expect(await err({ mode: 'finetune', modelId, data: 'mnist', epochs: 1, latent: 4 })).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/latent applies to training from scratch/) });
    expect(await err({ data: 'mnist', epochs: 1 })).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/needs latent and depth/) });
    expect(await err({ data: 'mnist', epochs: 1, latent: 4, depth: 1, classes: [1] })).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/classes applies to fine-tuning/) });
    expect(await err({ mode: 'finetune', modelId, data: { path: '/etc' }, epochs: 1 })).toMatchObject({ code: 'forbidden' });

    const g = new GraphBuilder('floor');
    const x = g.input('image', ['N', 1, 28, 28]);
    const c = g.node('Conv', [x, g.initializer('w', new Float32Array([1]), [1, 1, 1, 1])], {}, { name: 'conv', outputs: ['c'] })[0]!;
    g.output(g.node('Floor', [c], {}, { name: 'floor', outputs: ['y'] })[0]!, ['N', 1, 28, 28]);
    const floorId = await open('floor.onnx', toBinary(ModelProtoSchema, g.build()));
    expect(await err({ mode: 'finetune', modelId: floorId, data: 'mnist', epochs: 1 })).toMatchObject({ code: 'bad-model', message: expect.stringMatching(/floor\.onnx: this model cannot be fine-tuned: no gradient for op "Floor"/) });
  });
});
