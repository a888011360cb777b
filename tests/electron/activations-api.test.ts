// The activation API through dispatch with the real service and core: numbers against a direct
// onnxruntime session, the cache, filters against the weights, dataset examples against a
// brute-force ranking, cancellation, and request validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { ApiEvents, ColormapInfo, DatasetExamplesResult, InputSet, LayerActivationsResult, LayerFiltersResult, OpenedModel, SampleSetInfo } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { decodeFrame, encodeFrame } from '../../electron/api/wire.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';
import { loadMnist } from '../../core/data/idx.ts';

const service = createService({ host: 'browser' });
const lenet = buildZooModel('lenet5'); // the service builds the same (default seed)
const mnist = loadMnist('test');
let modelId = '';
let ortSession: ort.InferenceSession;
const EXPOSED = ['features.3', 'features.1'];

beforeAll(async () => {
  modelId = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } })).modelId;
  ortSession = await ort.InferenceSession.create(toBinary(ModelProtoSchema, exposeOutputs(lenet, EXPOSED)));
});
afterAll(async () => { await ortSession.release(); await service.close(); });

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
function err(r: Envelope): { code: string; message: string } {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}
/** MNIST test image i normalised as LeNet-5 expects (mean 0.1307, std 0.3081). */
function mnistInput(i: number): Float32Array {
  return Float32Array.from(mnist.images.subarray(i * 784, (i + 1) * 784), (p) => (p / 255 - 0.1307) / 0.3081);
}

describe('activation API', () => {
  it('lists shipped datasets and colour maps', async () => {
    const s = ok<SampleSetInfo[]>(await dispatch(service, 'listSamples', {}));
    expect(s.map((x) => [x.id, x.count])).toEqual([['mnist-test', 10000], ['fashion-test', 10000]]);
    expect(s[1]!.classNames[9]).toBe('Ankle boot');
    const c = ok<ColormapInfo[]>(await dispatch(service, 'getColormaps', {}));
    expect(c.map((x) => x.name)).toContain('viridis');
    const v = c.find((x) => x.name === 'viridis')!;
    expect(v.lut).toBeInstanceOf(Uint8Array);
    expect(v.lut.length).toBe(768);
    expect(Array.from(v.lut.subarray(0, 3))).toEqual([0x44, 0x01, 0x54]); // matplotlib's first viridis colour
  });

  it('sets a sample input with preview and predictions, and a dropped PNG gives the same', async () => {
    const a = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 0 }, topK: 3 }));
    expect(a.label).toBe(7);
    expect(a.labelName).toBe('7');
    expect(a.inputDims).toEqual([1, 1, 28, 28]);
    expect([a.preview.width, a.preview.height, a.preview.channels]).toEqual([28, 28, 1]);
    expect(Array.from(a.preview.data)).toEqual(Array.from(mnist.images.subarray(0, 784))); // un-normalised = the digit
    const logits = (await ortSession.run({ input: new ort.Tensor('float32', mnistInput(0), [1, 1, 28, 28]) })).logits!.data as Float32Array;
    const order = Array.from(logits.keys()).sort((x, y) => logits[y]! - logits[x]! || x - y);
    expect(a.predictions!.top.map((t) => t.index)).toEqual(order.slice(0, 3));
    expect(a.predictions!.softmax).toBe(true);
    const png = new Uint8Array(await sharp(mnist.images.subarray(0, 784), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer());
    const b = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'bytes', name: 'seven.png', data: png }, topK: 3 }));
    expect(b.predictions!.top.map((t) => t.probability)).toEqual(a.predictions!.top.map((t) => t.probability));
    expect(b.inputId).not.toBe(a.inputId);
  });

  it('rejects bad inputs with clear errors', async () => {
    expect(err(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 10000 } }))).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/out of range \(0–9999\)/) });
    expect(err(await dispatch(service, 'setInput', { modelId, source: { kind: 'path', path: '/etc/passwd' } })).code).toBe('forbidden');
    expect(err(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 0 }, preprocessing: { size: [32, 32] } }))).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/28×28.*32×32/) });
    expect(err(await dispatch(service, 'setInput', { modelId, source: { kind: 'bytes', name: 'x.png', data: new Uint8Array([1, 2, 3]) } }))).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/x\.png/) });
    expect(err(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'cifar', index: 0 } })).code).toBe('invalid-request');
    expect(err(await dispatch(service, 'getActivations', { modelId, inputId: 'in_nothing', layer: 'features.1' })).code).toBe('not-found');
    expect(err(await dispatch(service, 'getActivations', { modelId: 'm_gone', inputId: 'in_x', layer: 'features.1' })).code).toBe('not-found');
    expect(err(await dispatch(service, 'datasetExamples', { modelId, layer: 'features.3', channel: 0, dataset: 'mnist-test', count: 0, n: 5 })).code).toBe('invalid-request');
    expect(err(await dispatch(service, 'getFilters', { modelId, layer: 'features.0', extra: 1 })).code).toBe('invalid-request');
  });

  it('returns activations equal to onnxruntime, binary, with stats and geometry; the second request is cached', async () => {
    const inp = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 5 } }));
    const ref = await ortSession.run({ input: new ort.Tensor('float32', mnistInput(5), [1, 1, 28, 28]) }, EXPOSED);
    const a = ok<LayerActivationsResult>(await dispatch(service, 'getActivations', { modelId, inputId: inp.inputId, layer: 'features.3' }));
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(a.dims).toEqual([1, 16, 10, 10]);
    const want = ref['features.3']!.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i]! - want[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(a.stats.length).toBe(16);
    expect(a.stats[4]!.mean).toBeCloseTo(want.subarray(400, 500).reduce((s, v) => s + v, 0) / 100, 5);
    expect(a.receptiveField).toEqual({ size: [14, 14], jump: [2, 2], start: [4.5, 4.5] });
    expect(a.formula).toMatch(/= 10/);
    expect(a.op).toBe('Conv');
    // LeNet-5 is cheap, so setInput's prediction ran the all-layers session and cached every layer
    expect(a.cached).toBe(true);
    const again = ok<LayerActivationsResult>(await dispatch(service, 'getActivations', { modelId, inputId: inp.inputId, layer: 'features.3' }));
    expect(again.cached).toBe(true);
    expect(Array.from(again.data)).toEqual(Array.from(a.data));
    // the browser host's binary frames carry the tensor as bytes and give back the same values
    const back = decodeFrame(encodeFrame({ kind: 'response', id: 1, ok: true, result: a })) as { result: LayerActivationsResult };
    expect(back.result.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.result.data)).toEqual(Array.from(a.data));
    const bad = err(await dispatch(service, 'getActivations', { modelId, inputId: inp.inputId, layer: 'feature.3' }));
    expect(bad.code).toBe('not-found');
    expect(bad.message).toMatch(/did you mean "features.3"/);
  });

  it('returns filters equal to the weights, with histogram and norms', async () => {
    const f = ok<LayerFiltersResult>(await dispatch(service, 'getFilters', { modelId, layer: 'features.0', bins: 10 }));
    const w = tensorFloats(lenet.graph!.initializer.find((t) => t.name === 'features.0.weight')!);
    expect(f.dims).toEqual([6, 1, 5, 5]);
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f.data)).toEqual(Array.from(w));
    expect(f.view).toBe('gray');
    expect(f.histogram.counts).toBeInstanceOf(Uint32Array);
    expect(f.histogram.counts.reduce((s, v) => s + v, 0)).toBe(150);
    expect(f.histogram.min).toBe(Math.min(...w));
    expect(f.norms[5]).toBeCloseTo(Math.hypot(...w.subarray(125, 150)), 5);
    expect(err(await dispatch(service, 'getFilters', { modelId, layer: 'features.1' }))).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/Relu, not a convolution/) });
  });

  it('finds dataset examples in the order a brute-force ranking gives, with progress', async () => {
    const count = 200, channel = 3;
    const events: ApiEvents['progress'][] = [];
    const ctx: CallContext = { emit: (_e, p) => events.push(p) };
    const r = ok<DatasetExamplesResult>(await dispatch(service, 'datasetExamples', { modelId, layer: 'features.3', channel, dataset: 'mnist-test', count, n: 5, jobId: 'ex1' }, ctx));
    // brute force: every image through onnxruntime, the channel's max
    const all = new Float32Array(count * 784);
    for (let i = 0; i < count; i++) all.set(mnistInput(i), i * 784);
    const out = (await ortSession.run({ input: new ort.Tensor('float32', all, [count, 1, 28, 28]) }, ['features.3']))['features.3']!.data as Float32Array;
    const best = Array.from({ length: count }, (_, i) => {
      let m = -Infinity, at = 0;
      for (let p = 0; p < 100; p++) { const v = out[i * 1600 + channel * 100 + p]!; if (v > m) { m = v; at = p; } }
      return { i, m, at };
    }).sort((a, b) => b.m - a.m || a.i - b.i);
    expect(r.examples.map((e) => e.index)).toEqual(best.slice(0, 5).map((b) => b.i));
    expect(r.examples[0]!.value).toBeCloseTo(best[0]!.m, 4);
    expect(r.examples[0]!.unit).toEqual([Math.floor(best[0]!.at / 10), best[0]!.at % 10]);
    expect(r.examples[0]!.label).toBe(mnist.labels[best[0]!.i]);
    const win = r.examples[0]!.window;
    expect([r.examples[0]!.patch.width, r.examples[0]!.patch.height]).toEqual([win.width, win.height]);
    expect(events.filter((e) => e.jobId === 'ex1').at(-1)).toMatchObject({ done: count, total: count });
    expect(events.length).toBeGreaterThanOrEqual(3);
  });

  it('cancels a running dataset-example job', async () => {
    let cancelled: Promise<Envelope> | undefined;
    const ctx: CallContext = { emit: (_e, p) => { if (p.done > 0 && !cancelled) cancelled = dispatch(service, 'cancel', { jobId: 'ex2' }); } };
    const r = await dispatch(service, 'datasetExamples', { modelId, layer: 'features.1', channel: 0, dataset: 'mnist-test', count: 10000, n: 5, jobId: 'ex2' }, ctx);
    expect(err(r).code).toBe('cancelled');
    expect(ok<{ cancelled: boolean }>(await cancelled!).cancelled).toBe(true);
  });

  it('forgets inputs when the model is closed', async () => {
    const other = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name: 'lenet5' } })).modelId;
    const inp = ok<InputSet>(await dispatch(service, 'setInput', { modelId: other, source: { kind: 'sample', dataset: 'fashion-test', index: 2 } }));
    expect(inp.labelName).toBeDefined();
    ok(await dispatch(service, 'getActivations', { modelId: other, inputId: inp.inputId, layer: 'features.0' }));
    ok(await dispatch(service, 'closeModel', { modelId: other }));
    expect(err(await dispatch(service, 'getActivations', { modelId: other, inputId: inp.inputId, layer: 'features.0' })).code).toBe('not-found');
  });
});
