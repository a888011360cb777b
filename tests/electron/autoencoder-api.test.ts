// The autoencoder methods through dispatch with the real service (zod validation, runtime worker,
// jobs, progress, cancel). The model is the identity on the first 16 pixels of a 28×28 image, so each
// image's mean-L2 score is the sum of its squared pixels beyond the first 16, over 784 — computed here
// independently from the dataset bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { AeInfo, AeReconstruction, AeScoreSetResult, AeDecoded, AePcaResult, AeDenoiseResult, AeTrainResult, OpenedModel, ApiEvents } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { ModelProtoSchema, toBinary, fromBinary } from '../../core/onnx/proto.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { loadFashion } from '../../core/data/fashion.ts';
import { auroc } from '../../core/anomaly/roc.ts';
import { subspaceAutoencoder } from '../autoencoder/models.ts';

const service = createService({ host: 'browser' });
let modelId = '';
afterAll(() => service.close());

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
const call = <T>(method: string, params: unknown, ctx: CallContext = {}) => dispatch(service, method, params, ctx).then((r) => ok<T>(r));
const meanSq = (px: Uint8Array) => { let s = 0; for (let j = 16; j < px.length; j++) s += (px[j]! / 255) ** 2; return s / px.length; };

beforeAll(async () => {
  const bytes = toBinary(ModelProtoSchema, subspaceAutoencoder(28, 28, 16));
  modelId = (await call<OpenedModel>('openModel', { source: { kind: 'bytes', name: 'sub.onnx', data: bytes } })).modelId;
});

describe('autoencoder API', () => {
  it('aeInfo: bottleneck, split and ratio 784/16 = 49', async () => {
    const info = await call<AeInfo>('aeInfo', { modelId });
    expect(info.bottleneck).toMatchObject({ tensor: 'code', elements: 16 });
    expect(info.compressionRatio).toBe(49);
    expect(info.encoderNodes).toEqual(['flat', 'code']);
    expect(info.decoderNodes).toEqual(['back', 'recon']);
    // Per node, matched by output tensor (the graph view tints these).
    expect(info.nodeParts).toEqual([
      { node: 'flat', output: 'flat', part: 'encoder' }, { node: 'code', output: 'code', part: 'bottleneck' },
      { node: 'back', output: 'back', part: 'decoder' }, { node: 'recon', output: 'recon', part: 'decoder' },
    ]);
    expect(info.preprocessing.size).toEqual([28, 28]);
  });

  it('aeReconstruct: binary images, maps and scores matching a direct computation', async () => {
    const r = await call<AeReconstruction>('aeReconstruct', { modelId, inputs: [{ kind: 'sample', dataset: 'mnist-test', index: 0 }, { kind: 'sample', dataset: 'fashion-test', index: 3 }] });
    expect(r.input).toBeInstanceOf(Float32Array);
    expect(r.dims).toEqual([1, 28, 28]);
    expect(r.errorMaps.length).toBe(2 * 784);
    const m = loadMnist('test').images.subarray(0, 784), f = loadFashion('test').images.subarray(3 * 784, 4 * 784);
    for (let j = 0; j < 784; j += 13) expect(r.recon[784 + j]).toBeCloseTo(j < 16 ? f[j]! / 255 : 0, 6);
    expect(r.scores.mean[0]).toBeCloseTo(meanSq(m), 6);
    expect(r.scores.mean[1]).toBeCloseTo(meanSq(f), 6);
    expect(r.errorMaps[200]).toBeCloseTo((m[200]! / 255) ** 2, 6);
  });

  it('aeScoreSet: scores, labels, AUROC equal to a direct computation; progress events', async () => {
    const events: ApiEvents['progress'][] = [];
    const r = await call<AeScoreSetResult>('aeScoreSet', {
      modelId, set: { kind: 'builtin', parts: ['mnist-test', 'fashion-test'], limit: 60 }, normalLabels: ['mnist-test'], batchSize: 25, worst: 2, jobId: 'score1',
    }, { emit: (_e, p) => events.push(p) });
    const mn = loadMnist('test').images, fa = loadFashion('test').images;
    const direct = Float32Array.from({ length: 120 }, (_, i) => meanSq(i < 60 ? mn.subarray(i * 784, (i + 1) * 784) : fa.subarray((i - 60) * 784, (i - 59) * 784)));
    for (let i = 0; i < 120; i += 7) expect(r.scores[i]).toBeCloseTo(direct[i]!, 6);
    expect(r.labelNames).toEqual(['mnist-test', 'fashion-test']);
    expect(r.labelIndex).toBeInstanceOf(Uint16Array);
    expect(Array.from(r.anomalous!).reduce((a, b) => a + b, 0)).toBe(60);
    expect(r.evaluation!.auroc).toBeCloseTo(auroc(direct, Uint8Array.from({ length: 120 }, (_, i) => (i < 60 ? 0 : 1))), 6);
    expect(r.evaluation!.roc.fpr).toBeInstanceOf(Float64Array);
    expect(r.worst.length).toBe(2);
    expect(events.at(-1)).toMatchObject({ jobId: 'score1', done: 120, total: 120 });
  });

  it('aeScoreSet is cancelled by cancel(jobId)', async () => {
    const p = dispatch(service, 'aeScoreSet', { modelId, set: { kind: 'builtin', parts: ['mnist-test'], limit: 5000 }, batchSize: 50, jobId: 'stopme' },
      { emit: (_e, ev) => { if (ev.done >= 100) void dispatch(service, 'cancel', { jobId: 'stopme' }); } });
    const r = await p;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('cancelled');
  });

  it('rejects bad requests with clear codes', async () => {
    const bad = await dispatch(service, 'aeScoreSet', { modelId, set: { kind: 'builtin', parts: ['mnist-test', 'fashion-test'], limit: 5 }, normalLabels: ['cats'] });
    expect(bad.ok || bad.error.code).toBe('invalid-request');
    if (!bad.ok) expect(bad.error.message).toMatch(/no item has the normal label "cats"/);
    const forbidden = await dispatch(service, 'aeScoreSet', { modelId, set: { kind: 'path', path: '/etc' } });
    expect(forbidden.ok || forbidden.error.code).toBe('forbidden');
    const schema = await dispatch(service, 'aeInterpolate', { modelId, a: { kind: 'sample', dataset: 'mnist-test', index: 0 }, b: { kind: 'sample', dataset: 'mnist-test', index: 1 }, steps: 1 });
    expect(schema.ok || schema.error.code).toBe('invalid-request');
  });

  it('aeInterpolate and aeWalk decode through the decoder half', async () => {
    const r = await call<AeDecoded>('aeInterpolate', { modelId, a: { kind: 'sample', dataset: 'mnist-test', index: 0 }, b: { kind: 'sample', dataset: 'mnist-test', index: 1 }, steps: 3 });
    expect(r.images.length).toBe(3 * 784);
    expect(Array.from(r.t)).toEqual([0, 0.5, 1]);
    const w = await call<AeDecoded>('aeWalk', { modelId, input: { kind: 'sample', dataset: 'mnist-test', index: 0 }, axis: 3, from: 0, to: 1, steps: 3 });
    expect([w.images[3], w.images[784 + 3], w.images[2 * 784 + 3]]).toEqual([0, 0.5, 1]);
  });

  it('aeCompareWithPca and aeDenoise', async () => {
    const c = await call<AePcaResult>('aeCompareWithPca', { modelId, trainCount: 300, testCount: 40, keep: 2 });
    expect(c.k).toBe(16);
    expect(c.aeMse.length).toBe(40);
    const mn = loadMnist('test').images;
    expect(c.aeMse[5]).toBeCloseTo(meanSq(mn.subarray(5 * 784, 6 * 784)), 6);
    expect(c.pcaMeanMse).toBeLessThan(c.aeMeanMse); // the identity-on-corner "AE" is a poor autoencoder
    const d = await call<AeDenoiseResult>('aeDenoise', { modelId, inputs: [{ kind: 'sample', dataset: 'mnist-test', index: 0 }], kind: 'masking', amount: 0.5, seed: 1 });
    expect(d.restored.every((v) => v === 0)).toBe(true);
    expect(d.restoredMse[0]).toBeCloseTo(meanSq(mn.subarray(0, 784)), 6);
  });

  it('aeTrain returns a trained ONNX model (two quick steps) with its history', async () => {
    const r = await call<AeTrainResult>('aeTrain', { data: 'mnist', latent: 4, depth: 1, epochs: 1, maxStepsPerEpoch: 2, batchSize: 16 });
    expect(r.steps).toBe(2);
    expect(r.history.length).toBe(1);
    expect(r.history[0]!.testMse).toBeGreaterThan(0);
    const m = fromBinary(ModelProtoSchema, r.model);
    expect(m.graph!.output[0]!.name).toBe('reconstruction');
  });
});
