// LeNet-5, the autoencoder, the layer helpers and the zoo API, checked against independent
// computations (hand-written forward passes, closed-form parameter counts, onnxruntime).
import { describe, expect, it } from 'vitest';
import { buildZooModel, trainableParamCount, zooNames, zooSpec, zooWarnings, BUFFERS_KEY } from '../../core/zoo/index.ts';
import { Net } from '../../core/zoo/net.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import type { ValueInfoProto } from '../../core/onnx/proto.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY, type Preprocessing } from '../../core/data/types.ts';
import { initializer, initializerDims, meanStd, metadata, runModel, testInput } from './helpers.ts';

// ---- independent reference ops (NCHW, batch 1) ----
function conv2d(x: Float32Array, c: number, h: number, w: number, wt: Float32Array, b: Float32Array, out: number, k: number, pad: number): [Float32Array, number, number] {
  const oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
  const y = new Float32Array(out * oh * ow);
  for (let o = 0; o < out; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let s = b[o]!;
    for (let ci = 0; ci < c; ci++) for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) {
      const yy = i + u - pad, xx = j + v - pad;
      if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
      s += x[(ci * h + yy) * w + xx]! * wt[((o * c + ci) * k + u) * k + v]!;
    }
    y[(o * oh + i) * ow + j] = s;
  }
  return [y, oh, ow];
}
const relu = (a: Float32Array) => a.map((v) => Math.max(0, v));
function maxpool2(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const oh = h >> 1, ow = w >> 1, y = new Float32Array(c * oh * ow);
  for (let ci = 0; ci < c; ci++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let m = -Infinity;
    for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) m = Math.max(m, x[(ci * h + 2 * i + u) * w + 2 * j + v]!);
    y[(ci * oh + i) * ow + j] = m;
  }
  return y;
}
function linear(x: Float32Array, wt: Float32Array, b: Float32Array, out: number): Float32Array {
  const n = x.length, y = new Float32Array(out);
  for (let o = 0; o < out; o++) { let s = b[o]!; for (let i = 0; i < n; i++) s += wt[o * n + i]! * x[i]!; y[o] = s; }
  return y;
}

/** Closed-form trainable parameters of the autoencoder (see core/zoo/autoencoder.ts). */
function autoencoderParams(size: number, latent: number, depth: number): number {
  let n = 0, c = 1, s = size;
  const chans: number[] = [];
  for (let i = 0; i < depth; i++) { const o = 16 * 2 ** i; n += c * o * 9 + o; chans.push(c); c = o; s = Math.floor(s / 2); }
  const f = c * s * s;
  n += f * latent + latent + latent * f + f;
  for (let i = depth - 1; i >= 0; i--) { const o = chans[i]!; n += c * o * 9 + o; c = o; }
  return n;
}

describe('lenet5', () => {
  const model = buildZooModel('lenet5', { batch: 1, seed: 3 });

  it('has 61,706 trainable parameters (156 + 2,416 + 48,120 + 10,164 + 850)', () => {
    expect(trainableParamCount(model)).toBe(61_706);
    expect(zooSpec('lenet5').expectedParams).toBe(61_706);
  });

  it('matches a hand-written forward pass in onnxruntime', async () => {
    const x = testInput(784, 5);
    const r = await runModel(model, x, [1, 1, 28, 28], ['features.5']);
    expect(r.logits!.dims).toEqual([1, 10]);
    expect(r['features.5']!.dims).toEqual([1, 16, 5, 5]);
    const p = (n: string) => initializer(model, n);
    let [a] = conv2d(x, 1, 28, 28, p('features.0.weight'), p('features.0.bias'), 6, 5, 2);
    a = maxpool2(relu(a), 6, 28, 28);
    [a] = conv2d(a, 6, 14, 14, p('features.3.weight'), p('features.3.bias'), 16, 5, 0);
    a = maxpool2(relu(a), 16, 10, 10);
    a = relu(linear(a, p('classifier.0.weight'), p('classifier.0.bias'), 120));
    a = relu(linear(a, p('classifier.2.weight'), p('classifier.2.bias'), 84));
    a = linear(a, p('classifier.4.weight'), p('classifier.4.bias'), 10);
    const scale = Math.max(...a.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    for (let i = 0; i < 10; i++) expect(Math.abs(r.logits!.data[i]! - a[i]!)).toBeLessThan(1e-4 * scale + 1e-6);
  });

  it('records MNIST preprocessing, digit class names, names its tensors and uses a symbolic batch by default', () => {
    const pre = JSON.parse(metadata(model, PREPROCESSING_KEY)!) as Preprocessing;
    expect(pre).toMatchObject({ size: [28, 28], channels: 1, mean: [0.1307], std: [0.3081], preset: 'mnist' });
    expect(JSON.parse(metadata(model, CLASS_NAMES_KEY)!)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(JSON.parse(metadata(model, BUFFERS_KEY)!)).toEqual([]);
    expect(model.graph!.node.map((n) => n.name).slice(0, 3)).toEqual(['features.0', 'features.1', 'features.2']);
    expect(initializerDims(model, 'features.0.weight')).toEqual([6, 1, 5, 5]);
    const dyn = buildZooModel('lenet5');
    const dim0 = (vi: ValueInfoProto | undefined) => (vi!.type!.value.value as { shape: { dim: { value: { value: unknown } }[] } }).shape.dim.map((d) => d.value.value);
    expect(dim0(dyn.graph!.input[0])).toEqual(['N', 1n, 28n, 28n]);
    expect(dyn.graph!.input[0]!.name).toBe('input');
    expect(dim0(dyn.graph!.output[0])).toEqual(['N', 10n]);
    expect(dyn.graph!.output[0]!.name).toBe('logits');
  });

  it('is deterministic per seed and He-initialised (fan_in)', () => {
    const again = buildZooModel('lenet5', { batch: 1, seed: 3 });
    const other = buildZooModel('lenet5', { batch: 1, seed: 4 });
    for (const t of model.graph!.initializer) {
      expect(Buffer.compare(Buffer.from(t.rawData), Buffer.from(again.graph!.initializer.find((u) => u.name === t.name)!.rawData))).toBe(0);
    }
    const w = initializer(model, 'classifier.0.weight');
    expect(w.some((v, i) => v !== initializer(other, 'classifier.0.weight')[i])).toBe(true);
    const { mean, std } = meanStd(w); // 48,000 samples, fan_in 400
    expect(Math.abs(mean)).toBeLessThan(0.01 * Math.sqrt(2 / 400) * 10);
    expect(std / Math.sqrt(2 / 400)).toBeGreaterThan(0.95);
    expect(std / Math.sqrt(2 / 400)).toBeLessThan(1.05);
    expect(initializer(model, 'features.0.bias').every((v) => v === 0)).toBe(true);
  });

  it('refuses another input size', () => {
    expect(() => buildZooModel('lenet5', { inputSize: 32 })).toThrow(/lenet5: the input size is fixed at 28×28/);
  });
});

describe('autoencoder', () => {
  it('has 111,521 trainable parameters by default and reconstructs 1×28×28 in (0, 1)', async () => {
    const m = buildZooModel('autoencoder', { batch: 1 });
    expect(trainableParamCount(m)).toBe(111_521);
    expect(autoencoderParams(28, 32, 2)).toBe(111_521);
    const r = await runModel(m, testInput(784), [1, 1, 28, 28], ['latent']);
    expect(r.reconstruction!.dims).toEqual([1, 1, 28, 28]);
    expect(r.latent!.dims).toEqual([1, 32]);
    expect(r.reconstruction!.data.every((v) => v > 0 && v < 1)).toBe(true);
    expect(JSON.parse(metadata(m, PREPROCESSING_KEY)!)).toMatchObject({ size: [28, 28], channels: 1, mean: [0], std: [1], preset: 'unit' });
    expect(metadata(m, CLASS_NAMES_KEY)).toBeUndefined();
  });

  it.each([
    { latent: 8, depth: 1, size: 28 },
    { latent: 64, depth: 3, size: 28 }, // 28 → 14 → 7 → 3, decoder 3 → 7 (odd) → 14 → 28
    { latent: 16, depth: 4, size: 28 },
    { latent: 10, depth: 3, size: 27 }, // 27 → 13 → 6 → 3
    { latent: 5, depth: 2, size: 8 },
  ])('latent $latent, depth $depth, size $size: bottleneck and output shape follow', async ({ latent, depth, size }) => {
    const m = buildZooModel('autoencoder', { batch: 1, latent, depth, inputSize: size });
    expect(trainableParamCount(m)).toBe(autoencoderParams(size, latent, depth));
    const r = await runModel(m, testInput(size * size, latent), [1, 1, size, size], ['latent']);
    expect(r.latent!.dims).toEqual([1, latent]);
    expect(r.reconstruction!.dims).toEqual([1, 1, size, size]);
    expect(initializerDims(m, 'bottleneck.fc.weight')[0]).toBe(latent);
  });

  it('explains impossible depth, latent and size', () => {
    expect(() => buildZooModel('autoencoder', { depth: 5 })).toThrow(/a 28-pixel input cannot be halved 5 times; use depth ≤ 4/);
    expect(() => buildZooModel('autoencoder', { depth: 0 })).toThrow(/depth must be an integer from 1 to 6/);
    expect(() => buildZooModel('autoencoder', { latent: 2.5 })).toThrow(/latent must be an integer/);
    expect(() => buildZooModel('lenet5', { latent: 4 })).toThrow(/latent and depth apply to the autoencoder only/);
    expect(zooSpec('autoencoder').minInputSize).toBe(4);
    expect(() => buildZooModel('autoencoder', { depth: 5, inputSize: 31 })).toThrow(/cannot be halved 5 times.*smallest input size is 32/);
  });
});

describe('adaptive average pooling (torch semantics)', () => {
  // PyTorch: window i spans [floor(i·n/out), ceil((i+1)·n/out)).
  function reference(x: Float32Array, c: number, h: number, w: number, out: number): Float32Array {
    const y = new Float32Array(c * out * out);
    for (let ci = 0; ci < c; ci++) for (let i = 0; i < out; i++) for (let j = 0; j < out; j++) {
      const y0 = Math.floor((i * h) / out), y1 = Math.ceil(((i + 1) * h) / out);
      const x0 = Math.floor((j * w) / out), x1 = Math.ceil(((j + 1) * w) / out);
      let s = 0;
      for (let u = y0; u < y1; u++) for (let v = x0; v < x1; v++) s += x[(ci * h + u) * w + v]!;
      y[(ci * out + i) * out + j] = s / ((y1 - y0) * (x1 - x0));
    }
    return y;
  }

  it.each([[5, 3], [1, 6], [13, 6], [12, 6], [6, 6]])('%i×%i maps → %i×%i', async (n, out) => {
    const net = new Net('pool', 0);
    const x = net.input([2, n, n], 1);
    const y = net.adaptiveAvgPool('avgpool', x, out);
    expect(y.shape).toEqual([2, out, out]);
    const ops = net.g.nodes.map((d) => d.opType);
    if (n === out) expect(ops).toEqual([]);
    else if (n % out === 0) expect(ops).toEqual(['AveragePool']);
    else expect(ops.filter((o) => o === 'MatMul')).toHaveLength(2);
    const id = n === out ? net.relu('relu', y) : y; // identity case: give the graph a node
    net.output(id, 1);
    const m = net.g.build();
    expect(trainableParamCount(m)).toBe(0);
    const input = testInput(2 * n * n, n).map((v) => v - 0.25);
    const r = await runModel(m, input, [1, 2, n, n]);
    const ref = reference(input, 2, n, n, out).map((v) => (n === out ? Math.max(0, v) : v));
    const got = r[id.name]!;
    expect(got.dims).toEqual([1, 2, out, out]);
    for (let i = 0; i < ref.length; i++) expect(got.data[i]).toBeCloseTo(ref[i]!, 5);
  });
});

describe('trainableParamCount on arbitrary models', () => {
  it('excludes BN running statistics found in the graph and integer initializers', () => {
    const g = new GraphBuilder('bn');
    g.input('x', [1, 3, 4, 4]);
    const p = (n: string) => g.initializer(n, new Float32Array(3), [3]);
    const y = g.op('BatchNormalization', ['x', p('s'), p('b'), p('m'), p('v')]);
    const shape = g.initializer('shape', BigInt64Array.from([1n, -1n]), [2]);
    const z = g.op('Reshape', [y, shape]);
    g.output(z);
    expect(trainableParamCount(g.build())).toBe(6);
    // without a graph reference, the metadata list decides
    const withMeta = g.build({ metadata: { [BUFFERS_KEY]: JSON.stringify(['s']) } });
    expect(trainableParamCount(withMeta)).toBe(3);
  });
});

describe('zoo API', () => {
  it('lists every built-in model and explains unknown names', () => {
    expect(zooNames().slice(0, 9)).toEqual(['lenet5', 'alexnet', 'zfnet', 'googlenet', 'vgg16', 'resnet18', 'resnet50', 'densenet121', 'autoencoder']);
    expect(() => zooSpec('resnet1000')).toThrow(/unknown zoo model "resnet1000"; available: lenet5, alexnet/);
    for (const n of zooNames()) expect(n).toMatch(/^[a-z0-9_-]+$/);
  });

  it('validates seed, batch and input size', () => {
    expect(() => buildZooModel('lenet5', { seed: 0.5 })).toThrow(/seed must be an integer/);
    expect(() => buildZooModel('lenet5', { batch: 0 })).toThrow(/batch must be a positive integer or 'N'/);
    expect(() => buildZooModel('alexnet', { inputSize: 62 })).toThrow(/alexnet: input size 62 is too small .*smallest input size is 63/);
    expect(() => buildZooModel('vgg16', { inputSize: 5000 })).toThrow(/inputSize must be an integer from 1 to 1024/);
  });
});

describe('trained models in resources/models', () => {
  it('lists <name>.onnx with a <name>.json sidecar and loads it; ignores files without a sidecar', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { toBinary, ModelProtoSchema } = await import('../../core/onnx/proto.ts');
    const { setTrainedModelsDir } = await import('../../core/zoo/index.ts');
    const dir = mkdtempSync(join(tmpdir(), 'receptive-zoo-'));
    try {
      setTrainedModelsDir(dir);
      const m = buildZooModel('lenet5', { batch: 1, seed: 9 });
      writeFileSync(join(dir, 'lenet5-mnist.onnx'), toBinary(ModelProtoSchema, m));
      writeFileSync(join(dir, 'lenet5-mnist.json'), JSON.stringify({ title: 'LeNet-5 (MNIST)', task: 'classifier', params: 61706, accuracy: 0.99 }));
      writeFileSync(join(dir, 'orphan.onnx'), toBinary(ModelProtoSchema, m));
      expect(zooNames()).toContain('lenet5-mnist');
      expect(zooNames()).not.toContain('orphan');
      const spec = zooSpec('lenet5-mnist');
      expect(spec).toMatchObject({ title: 'LeNet-5 (MNIST)', trained: true, task: 'classifier', inputShape: [1, 28, 28], expectedParams: 61706 });
      expect(spec.preprocessing.preset).toBe('mnist'); // from the model's metadata
      expect(spec.classNames).toHaveLength(10);
      const loaded = buildZooModel('lenet5-mnist');
      expect(trainableParamCount(loaded)).toBe(61_706);
      expect(Buffer.from(loaded.graph!.initializer[0]!.rawData).equals(Buffer.from(m.graph!.initializer[0]!.rawData))).toBe(true);
      expect(() => buildZooModel('lenet5-mnist', { inputSize: 32 })).toThrow(/a trained model cannot change inputSize/);
      writeFileSync(join(dir, 'broken.onnx'), new Uint8Array([1, 2, 3]));
      writeFileSync(join(dir, 'broken.json'), '{"task": "detector"}');
      expect(() => zooSpec('broken')).toThrow(/broken.json is not a valid sidecar: task/);
      expect(zooNames()).not.toContain('broken'); // one bad sidecar must not break listing the zoo
      expect(zooWarnings()).toEqual([expect.stringMatching(/trained model broken: .*broken.json is not a valid sidecar/)]);
    } finally {
      setTrainedModelsDir(undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
