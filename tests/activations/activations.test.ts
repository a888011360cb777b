// Activations against onnxruntime itself, the cache, top-k, unit windows and dataset examples.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildZooModel } from '../../core/zoo/index.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { ModelProtoSchema, fromBinary, toBinary } from '../../core/onnx/proto.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { encodeModel } from '../../core/activations/encode.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';
import { Runtime } from '../../core/runtime/index.ts';
import { preprocessingOf } from '../../core/data/preprocessing.ts';
import {
  ActivationSession, datasetExamples, extractSubModel, prepareInput, resolveLayer, topK, unitWindow, sampleDataset, parseSampleSpec, ByteLru,
} from '../../core/activations/index.ts';
import { vgg16 } from '../analysis/models.ts';
import { PLUS, plantedDataset, plusDetector } from './models.ts';

let runtime: Runtime;
const lenet = buildZooModel('lenet5', { seed: 3 });
const lenetPrep = preprocessingOf(lenet).preprocessing;
beforeAll(async () => { runtime = await Runtime.create({ provider: 'cpu' }); });
afterAll(async () => { await runtime.dispose(); });

async function ortRun(model: ReturnType<typeof buildZooModel>, input: Float32Array, dims: number[], names: string[]): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(toBinary(ModelProtoSchema, exposeOutputs(model, names)));
  try {
    const r = await s.run({ input: new ort.Tensor('float32', input, dims) }, names);
    return Object.fromEntries(names.map((n) => [n, r[n]!.data as Float32Array]));
  } finally { await s.release(); }
}

describe('ActivationSession', () => {
  it('returns the same numbers as an onnxruntime session on the exposed model, with stats', async () => {
    const session = new ActivationSession({ model: lenet, runtime, name: 'lenet5' });
    const input = await prepareInput({ kind: 'sample', dataset: 'mnist-test', index: 0 }, lenetPrep);
    expect(input.label).toBe(7); // the first MNIST test digit is a 7
    expect(input.tensor.dims).toEqual([1, 1, 28, 28]);
    const names = ['features.1', 'features.3', 'features.5', 'classifier.1'];
    const ref = await ortRun(lenet, input.tensor.data, [1, 1, 28, 28], names);
    for (const n of names) {
      const a = await session.activations(input.tensor, n);
      expect(a.data.length).toBe(ref[n]!.length);
      let maxDiff = 0;
      for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i]! - ref[n]![i]!));
      expect(maxDiff).toBeLessThan(1e-5);
    }
    const a = await session.activations(input.tensor, 'features.1');
    expect(a.dims).toEqual([1, 6, 28, 28]);
    expect(a.channels).toBe(6);
    expect(a.plane).toBe(784);
    // stats by hand for channel 2
    const ch = ref['features.1']!.subarray(2 * 784, 3 * 784);
    expect(a.stats[2]!.max).toBeCloseTo(Math.max(...ch), 6);
    expect(a.stats[2]!.zeros).toBe(ch.filter((v) => v === 0).length);
    const zeros = ref['features.1']!.filter((v) => v === 0).length;
    expect(a.zeroFraction).toBeCloseTo(zeros / (6 * 784), 10);
    expect(a.zeroFraction).toBeGreaterThan(0.05); // ReLU output has exact zeros
    expect(a.receptiveField).toEqual({ size: [5, 5], jump: [1, 1], start: [0, 0] });
    expect(a.formula).toBeUndefined(); // a Relu has no size formula
    const conv = await session.activations(input.tensor, 'features.3');
    expect(conv.formula).toContain('floor((14 − 5) / 1) + 1 = 10');
    // node names resolve to their output; an FC layer has one plane per unit
    const fc = await session.activations(input.tensor, 'classifier.4');
    expect(fc.layer.tensor).toBe('logits');
    expect(fc.channels).toBe(10);
    expect(fc.plane).toBe(1);
    await session.dispose();
  });

  it('serves repeated requests from the cache without running again, and bounds it by bytes', async () => {
    const session = new ActivationSession({ model: lenet, runtime, cacheBytes: 6 * 784 * 4 + 16 * 100 * 4, strategy: 'layer' });
    const input = await prepareInput({ kind: 'sample', dataset: 'mnist-test', index: 1 }, lenetPrep);
    const first = await session.activations(input.tensor, 'features.0');
    expect(first.cached).toBe(false);
    const runs = session.counters.runs, compiles = session.counters.compiles;
    const again = await session.activations(input.tensor, 'features.0');
    expect(again.cached).toBe(true);
    expect(session.counters.runs).toBe(runs);
    expect(again.data).toBe(first.data); // the very same array
    // a copy of the input (same values) hits too: the key is the content hash
    const copy = { ...input.tensor, data: input.tensor.data.slice() };
    expect((await session.activations(copy, 'features.0')).cached).toBe(true);
    // another layer needs a run; the budget holds features.0 + features.3 but not also features.1
    await session.activations(input.tensor, 'features.3');
    expect(session.cacheBytes).toBe(6 * 784 * 4 + 16 * 100 * 4);
    await session.activations(input.tensor, 'features.1');
    expect(session.cacheBytes).toBeLessThanOrEqual(6 * 784 * 4 + 16 * 100 * 4);
    const r0 = session.counters.runs;
    expect((await session.activations(input.tensor, 'features.0')).cached).toBe(false); // evicted (least recent)
    expect(session.counters.runs).toBe(r0 + 1);
    expect(session.counters.compiles).toBe(compiles + 2); // features.0's sub-model was kept compiled
    await session.dispose();
  });

  it("the 'all' strategy runs once per input and serves every layer from that run", async () => {
    const session = new ActivationSession({ model: lenet, runtime });
    expect(session.strategy).toBe('all'); // LeNet-5 is cheap
    const tensors = session.layerTensors();
    expect(tensors).toEqual(['features.0', 'features.1', 'features.2', 'features.3', 'features.4', 'features.5', 'flatten', 'classifier.0', 'classifier.1', 'classifier.2', 'classifier.3', 'logits']);
    const input = await prepareInput({ kind: 'sample', dataset: 'mnist-test', index: 2 }, lenetPrep);
    const ref = await ortRun(lenet, input.tensor.data, [1, 1, 28, 28], tensors);
    const first = await session.activations(input.tensor, 'features.4');
    expect(first.cached).toBe(false);
    expect(session.counters).toMatchObject({ runs: 1, compiles: 1 });
    for (const t of tensors) {
      const a = await session.activations(input.tensor, t);
      expect(a.cached).toBe(true);
      expect(Array.from(a.data)).toEqual(Array.from(ref[t]!));
    }
    expect(session.counters).toMatchObject({ runs: 1, compiles: 1 });
    // a second input: one more run, no more compiles
    const other = await prepareInput({ kind: 'sample', dataset: 'mnist-test', index: 3 }, lenetPrep);
    await session.activations(other.tensor, 'features.0');
    await session.activations(other.tensor, 'classifier.2');
    expect(session.counters).toMatchObject({ runs: 2, compiles: 1 });
    // the per-layer strategy gives the same numbers
    const layerwise = new ActivationSession({ model: lenet, runtime, strategy: 'layer' });
    expect(Array.from((await layerwise.activations(other.tensor, 'classifier.2')).data)).toEqual(Array.from((await session.activations(other.tensor, 'classifier.2')).data));
    await Promise.all([session.dispose(), layerwise.dispose()]);
  });

  it('encodes models with large weights to bytes that parse to the same model', async () => {
    const b = new GraphBuilder('big');
    const x = b.input('input', ['N', 300]);
    const w = Float32Array.from({ length: 300 * 1000 }, (_, i) => Math.sin(i) / 10); // 1.2 MB: copied in directly
    const y = b.op('Gemm', [x, b.initializer('w', w, [1000, 300]), b.initializer('b', Float32Array.from({ length: 1000 }, (_, i) => i / 1000), [1000])], { transB: 1 }, 'fc');
    b.output(y, ['N', 1000]);
    const m = b.build();
    const fast = encodeModel(m);
    // one extra graph field header (tag + length varint) on top of protobuf-es's encoding
    expect(fast.length - toBinary(ModelProtoSchema, m).length).toBe(1 + 4);
    const back = fromBinary(ModelProtoSchema, fast);
    expect(back.graph!.initializer.map((t) => t.name).sort()).toEqual(['b', 'w']);
    expect(Buffer.from(back.graph!.initializer.find((t) => t.name === 'w')!.rawData).equals(Buffer.from(w.buffer))).toBe(true);
    expect(back.graph!.node.map((n) => n.opType)).toEqual(['Gemm']);
    const s = await ort.InferenceSession.create(fast);
    const xin = Float32Array.from({ length: 300 }, (_, i) => (i % 7) - 3);
    const out = (await s.run({ input: new ort.Tensor('float32', xin, [1, 300]) }))[y]!.data as Float32Array;
    await s.release();
    let ref = 0.005; // unit 5: b[5] + Σ x·w[5, :]
    for (let k = 0; k < 300; k++) ref += xin[k]! * w[5 * 300 + k]!;
    expect(out[5]).toBeCloseTo(ref, 4);
  });

  it('sub-models keep only what the tensor needs', () => {
    const sub = extractSubModel(lenet, ['features.2']);
    expect(sub.graph!.node.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool']);
    expect(sub.graph!.output.map((o) => o.name)).toEqual(['features.2']);
    expect(sub.graph!.initializer.map((t) => t.name).sort()).toEqual(['features.0.bias', 'features.0.weight'].sort());
  });

  it('predicts the top k classes (softmax of logits; sorted; ties keep the lower index)', async () => {
    const session = new ActivationSession({ model: lenet, runtime });
    const input = await prepareInput({ kind: 'sample', dataset: 'mnist-test', index: 0 }, lenetPrep);
    const p = (await session.predictions(input.tensor, 3, ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']))!;
    const logits = (await session.activations(input.tensor, 'logits')).data;
    const max = Math.max(...logits);
    const z = [...logits].reduce((s, v) => s + Math.exp(v - max), 0);
    const expected = [...logits].map((v, i) => ({ i, p: Math.exp(v - max) / z })).sort((a, b) => b.p - a.p);
    expect(p.softmax).toBe(true);
    expect(p.top.map((t) => t.index)).toEqual(expected.slice(0, 3).map((e) => e.i));
    expect(p.top[0]!.probability).toBeCloseTo(expected[0]!.p, 6);
    expect(p.top[0]!.label).toBe(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][expected[0]!.i]);
    await session.dispose();

    const ties = topK([0.1, 0.4, 0.1, 0.4], 4);
    expect(ties.softmax).toBe(false); // already a distribution
    expect(ties.top.map((t) => t.index)).toEqual([1, 3, 0, 2]);
    expect(ties.top[0]!.probability).toBeCloseTo(0.4, 12);
    const sm = topK([2, 1, 0], 2);
    expect(sm.top.map((t) => t.index)).toEqual([0, 1]);
    expect(sm.top[0]!.probability).toBeCloseTo(Math.exp(2) / (Math.exp(2) + Math.exp(1) + 1), 12);
  });

  it('names unknown layers with close matches', () => {
    expect(() => resolveLayer(lenet, 'features.33')).toThrow(/no layer or tensor named "features.33"; did you mean .*"features.3"/);
    expect(resolveLayer(lenet, 'classifier.4')).toMatchObject({ tensor: 'logits', op: 'Gemm' });
  });
});

describe('unitWindow', () => {
  it('matches hand-computed windows on LeNet-5', () => {
    const s = analyzeModel(lenet);
    const rf = s.layers.find((l) => l.name === 'features.3')!.receptiveField!;
    // conv5 after pool2 after conv5 pad 2: size 5 + 1 + 4·2 = 14, jump 2, start (0 + 0.5) + (2 − 0)·2 = 4.5
    expect(rf).toEqual({ size: [14, 14], jump: [2, 2], start: [4.5, 4.5] });
    // unit (0,0): centre 4.5, pixels 4.5 ∓ 6.5 = −2 … 11 → clipped 0 … 11
    expect(unitWindow(rf, 0, 0, 28, 28)).toMatchObject({ top: 0, left: 0, height: 12, width: 12, full: { top: -2, left: -2, bottom: 11, right: 11 } });
    // unit (9, 3): centres 22.5 and 10.5 → rows 16 … 29 (clipped to 27), cols 4 … 17
    expect(unitWindow(rf, 9, 3, 28, 28)).toMatchObject({ top: 16, left: 4, height: 12, width: 14, centre: [22.5, 10.5] });
    const c1 = s.layers.find((l) => l.name === 'features.0')!.receptiveField!;
    expect(unitWindow(c1, 10, 20, 28, 28)).toMatchObject({ top: 8, left: 18, height: 5, width: 5 });
  });

  it('matches hand-computed windows on VGG-16 geometry', () => {
    const s = analyzeModel(vgg16({ withData: false }));
    const rf = (n: string) => s.layers.find((l) => l.name === n)!.receptiveField!;
    // conv1_1 3, conv1_2 5, pool1 6 (jump 2, start 0.5), conv2_1 6 + 2·2 = 10
    expect(rf('conv2_1')).toEqual({ size: [10, 10], jump: [2, 2], start: [0.5, 0.5] });
    expect(unitWindow(rf('conv2_1'), 5, 7, 224, 224)).toMatchObject({ top: 6, left: 10, height: 10, width: 10 });
    // conv5_3: 196 pixels, jump 16, start 0.5 + ... ; unit (13,13) centre 0.5 + 7.5·… checked by formula
    const r5 = rf('conv5_3');
    expect(r5.size).toEqual([196, 196]);
    expect(r5.jump).toEqual([16, 16]);
    const w = unitWindow(r5, 13, 13, 224, 224);
    const centre = r5.start[0] + 13 * 16;
    expect(w.centre[0]).toBe(centre);
    expect(w.full.top).toBe(Math.ceil(centre - 97.5));
    expect(w.top + w.height - 1).toBe(223); // clipped at the bottom edge
    expect(unitWindow(r5, 0, 0, 224, 224)).toMatchObject({ top: 0, left: 0 });
  });
});

describe('samples', () => {
  it('reads MNIST and Fashion-MNIST test images and CLI specs', () => {
    const m = sampleDataset('mnist-test');
    expect(m.count).toBe(10000);
    expect(m.label(0)).toBe(7);
    expect(m.pixels(0).length).toBe(784);
    expect(() => m.pixels(10000)).toThrow(/out of range/);
    expect(parseSampleSpec('mnist:test:123')).toEqual({ dataset: 'mnist-test', index: 123 });
    expect(parseSampleSpec('fashion:test:5')).toEqual({ dataset: 'fashion-test', index: 5 });
    expect(parseSampleSpec('digit.png')).toBeUndefined();
  });

  it('ByteLru evicts least recently used values by bytes', () => {
    const evicted: string[] = [];
    const l = new ByteLru<number>(10, (k) => evicted.push(k));
    l.set('a', 1, 4); l.set('b', 2, 4); l.get('a'); l.set('c', 3, 4);
    expect(evicted).toEqual(['b']);
    expect(l.bytes).toBe(8);
    expect(l.set('huge', 4, 11)).toBe(false);
  });
});

describe('datasetExamples', () => {
  const plants = [
    { index: 17, y: 3, x: 20, intensity: 0.8 },
    { index: 3, y: 10, x: 5, intensity: 1 },
    { index: 29, y: 22, x: 0, intensity: 0.6 },
  ];
  const model = plusDetector();
  const prep = preprocessingOf(model).preprocessing;

  it('ranks images by the channel maximum and crops the arg-max unit window', async () => {
    const session = new ActivationSession({ model, runtime });
    const ds = plantedDataset(40, plants);
    const progress: number[] = [];
    const r = await datasetExamples(session, ds, { layer: 'detect', channel: 0, count: 40, n: 3, preprocessing: prep, batchSize: 16, onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([16, 32, 40]);
    expect(r.evaluated).toBe(40);
    expect(r.examples.map((e) => e.index)).toEqual([3, 17, 29]);
    expect(r.examples.map((e) => e.unit)).toEqual([[10, 5], [3, 20], [22, 0]]);
    // rf of a 5×5 conv: start 2, so the window is exactly where the plus was planted
    expect(r.examples[0]!.window).toMatchObject({ top: 10, left: 5, height: 5, width: 5 });
    const patch = r.examples[0]!.patch;
    expect([patch.width, patch.height, patch.channels]).toEqual([5, 5, 1]);
    expect(Array.from(patch.data)).toEqual(Array.from(PLUS, (v, i) => (v ? 255 : ds.pixels(3)[(10 + Math.floor(i / 5)) * 28 + 5 + (i % 5)]!)));
    // the value is the conv response: sum of (PLUS − 9/25) · pixel/255 over the window
    const px = ds.pixels(17);
    let expected = 0;
    for (let k = 0; k < 25; k++) expected += (PLUS[k]! - 9 / 25) * (px[(3 + Math.floor(k / 5)) * 28 + 20 + (k % 5)]! / 255);
    expect(r.examples[1]!.value).toBeCloseTo(expected, 4);
    expect(r.examples[1]!.label).toBe(7);
    await session.dispose();
  });

  it('stops when cancelled and rejects a channel that does not exist', async () => {
    const session = new ActivationSession({ model, runtime });
    const ds = plantedDataset(40, plants);
    const ac = new AbortController();
    await expect(datasetExamples(session, ds, { layer: 'detect', channel: 0, count: 40, n: 3, preprocessing: prep, batchSize: 8, signal: ac.signal, onProgress: (d) => { if (d >= 16) ac.abort(); } }))
      .rejects.toMatchObject({ name: 'AbortError' });
    await expect(datasetExamples(session, ds, { layer: 'detect', channel: 1, count: 8, n: 3, preprocessing: prep })).rejects.toThrow(/channel 1 does not exist.*1 channels/);
    await session.dispose();
  });
});
