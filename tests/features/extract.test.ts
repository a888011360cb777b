import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildZooModel } from '../../core/zoo/index.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { saveModelBytes } from '../../core/onnx/save.ts';
import { Runtime } from '../../core/runtime/index.ts';
import { grayToInput } from '../../core/activations/input.ts';
import { preprocessingOf } from '../../core/data/preprocessing.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import {
  extractFeatures, pixelFeatures, FeatureCache, globalAveragePool, defaultFeatureLayer, builtinSet, limitSet, openImageSet, embeddingCsv,
} from '../../core/features/index.ts';
import { encodePngFixture } from '../data/png-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-features-'));
let runtime: Runtime;
let model: ModelProto;
beforeAll(async () => {
  runtime = await Runtime.create({ provider: 'cpu' });
  model = buildZooModel('lenet5-mnist');
});
afterAll(async () => { await runtime.dispose(); rmSync(dir, { recursive: true, force: true }); });

/** The tensor for items [0, n) straight from onnxruntime, one image at a time. */
async function direct(tensor: string, n: number): Promise<{ rows: Float32Array[]; logits: Float32Array[] }> {
  const session = await ort.InferenceSession.create(saveModelBytes(exposeOutputs(model, [tensor])));
  const prep = preprocessingOf(model).preprocessing;
  const set = builtinSet('mnist-test');
  if (set.kind !== 'gray') throw new Error('mnist-test is a gray set');
  const rows: Float32Array[] = [], logits: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const t = (await grayToInput(set.pixels(i), 28, 28, prep)).tensor;
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', t.data, [...t.dims]) });
    rows.push(out[tensor]!.data as Float32Array);
    logits.push(out[session.outputNames[0]!]!.data as Float32Array);
  }
  await session.release();
  return { rows, logits };
}

describe('global average pooling', () => {
  it('averages each channel plane', () => {
    // N=2, C=2, 2×2 planes.
    const x = new Float32Array([1, 2, 3, 4, 10, 10, 10, 14, -1, 1, -1, 1, 0, 0, 0, 8]);
    const r = globalAveragePool(x, [2, 2, 2, 2]);
    expect(r.dims).toEqual([2, 2]);
    expect(Array.from(r.data)).toEqual([2.5, 11, 0, 2]);
  });
  it('passes [N, C] through and rejects a size mismatch', () => {
    const x = new Float32Array([1, 2, 3]);
    expect(globalAveragePool(x, [1, 3]).data).toBe(x);
    expect(() => globalAveragePool(x, [2, 3])).toThrow(/do not fit/);
  });
});

describe('feature extraction', () => {
  it('defaults to the penultimate layer (input of the last Gemm)', () => {
    expect(defaultFeatureLayer(model)).toBe('classifier.3');
  });

  it('equals a direct onnxruntime run, item by item, with predictions and correctness', async () => {
    const n = 70; // more than one batch of 64
    const set = limitSet(builtinSet('mnist-test'), n);
    const f = await extractFeatures(model, runtime, set);
    expect(f.layer).toBe('classifier.3');
    expect([f.n, f.d]).toEqual([n, 84]);
    expect(f.itemDims).toEqual([84]);
    const ref = await direct('classifier.3', n);
    for (const i of [0, 1, 63, 64, 69]) {
      const row = f.features.subarray(i * 84, (i + 1) * 84);
      for (let j = 0; j < 84; j++) expect(row[j]).toBeCloseTo(ref.rows[i]![j]!, 4);
      const l = ref.logits[i]!;
      expect(f.predictions[i]).toBe(l.indexOf(Math.max(...l)));
      expect(f.correct![i]).toBe(f.predictions[i] === set.labels![i] ? 1 : 0);
    }
    // The trained net gets nearly all of these right.
    expect(f.correct!.reduce((s, c) => s + c, 0)).toBeGreaterThanOrEqual(66);
  });

  it('pools a conv layer to one value per channel (mean of the direct map)', async () => {
    const set = limitSet(builtinSet('mnist-test'), 3);
    const f = await extractFeatures(model, runtime, set, { layer: 'features.4', pool: true });
    expect([f.n, f.d]).toEqual([3, 16]);
    expect(f.itemDims).toEqual([16, 10, 10]);
    const ref = await direct('features.4', 3);
    for (let i = 0; i < 3; i++) for (let c = 0; c < 16; c++) {
      let s = 0;
      for (let k = 0; k < 100; k++) s += ref.rows[i]![c * 100 + k]!;
      expect(f.features[i * 16 + c]).toBeCloseTo(s / 100, 4);
    }
  });

  it('serves a second look from the memory cache and a new process from disk', async () => {
    const cacheDir = join(dir, 'cache');
    const set = limitSet(builtinSet('mnist-test'), 50);
    const cache = new FeatureCache(cacheDir);
    const a = await extractFeatures(model, runtime, set, { cache });
    expect(a.cached).toBe(false);
    const b = await extractFeatures(model, runtime, set, { cache });
    expect(b.cached).toBe(true);
    expect(cache.hits.memory).toBe(1);
    expect(Array.from(b.features)).toEqual(Array.from(a.features));
    const fresh = new FeatureCache(cacheDir);
    const c = await extractFeatures(model, runtime, set, { cache: fresh });
    expect(c.cached).toBe(true);
    expect(fresh.hits.disk).toBe(1);
    expect(Array.from(c.features)).toEqual(Array.from(a.features));
    expect(Array.from(c.predictions)).toEqual(Array.from(a.predictions));
    // A different layer or dataset prefix is a different key.
    expect((await extractFeatures(model, runtime, set, { cache, layer: 'classifier.1' })).cached).toBe(false);
    expect((await extractFeatures(model, runtime, limitSet(builtinSet('mnist-test'), 49), { cache })).cached).toBe(false);
  });

  it('stops on cancel', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(extractFeatures(model, runtime, limitSet(builtinSet('mnist-test'), 200), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('image sets', () => {
  it('reads a folder of class sub-folders and a CSV list; pixels are [0, 1]', async () => {
    const root = join(dir, 'folder');
    for (const [cls, v] of [['bright', 200], ['dark', 20]] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < 3; i++) writeFileSync(join(root, cls, `${i}.png`), encodePngFixture(new Array(16).fill(v + i), 4, 4, 1));
    }
    const s = openImageSet(root);
    expect(s.count).toBe(6);
    expect(s.classNames).toEqual(['bright', 'dark']);
    expect(Array.from(s.labels!)).toEqual([0, 0, 0, 1, 1, 1]);
    const px = await pixelFeatures(s, { size: [4, 4] });
    expect(px.d).toBe(16);
    expect(px.features[0]).toBeCloseTo(200 / 255, 5);
    expect(px.features[5 * 16]).toBeCloseTo(22 / 255, 5);
    const csv = join(dir, 'list.csv');
    writeFileSync(csv, `path,label\nfolder/dark/0.png,cat\nfolder/bright/1.png,dog\nfolder/dark/2.png,cat\n`);
    const c = openImageSet(csv);
    expect(c.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(c.labels!)).toEqual([0, 1, 0]);
    expect(() => openImageSet(join(dir, 'nope'))).toThrow(/no dataset/);
  });

  it('reads an IDX image file with the labels file found beside it', () => {
    const idx = (dims: number[], data: number[]) => {
      const head = Buffer.alloc(4 + 4 * dims.length);
      head.writeUInt32BE(0x0800 + dims.length, 0);
      dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
      return Buffer.concat([head, Buffer.from(data)]);
    };
    const imgs = join(dir, 'toy-images-idx3-ubyte');
    writeFileSync(imgs, idx([3, 2, 2], [0, 0, 0, 0, 255, 255, 255, 255, 9, 9, 9, 9]));
    writeFileSync(join(dir, 'toy-labels-idx1-ubyte'), idx([3], [4, 1, 4]));
    const s = openImageSet(imgs);
    expect(s.kind).toBe('gray');
    expect(s.count).toBe(3);
    expect(Array.from(s.labels!)).toEqual([4, 1, 4]);
    if (s.kind === 'gray') expect(Array.from(s.pixels(1))).toEqual([255, 255, 255, 255]);
    expect(() => openImageSet(join(dir, 'folder'), { labels: imgs })).toThrow(/IDX image files only/);
  });

  it('writes CSV rows id,label,prediction,x,y with class names', () => {
    const text = embeddingCsv({ coords: new Float32Array([1, 2, 3, 4]), dims: 2, labels: [0, 1], predictions: [1, 1], classNames: ['a', 'b'], selected: new Set([1]) });
    expect(text).toBe('id,label,prediction,x,y,selected\n0,a,b,1,2,0\n1,b,b,3,4,1\n');
  });
});

describe('quality figures', () => {
  it('sampled 10-NN accuracy agrees with the exact one', async () => {
    const { knnAccuracy } = await import('../../core/embed/index.ts');
    const { sampledKnnAccuracy } = await import('../../core/features/project.ts');
    const { seededRng } = await import('../../core/embed/rng.ts');
    // Three overlapping 2-D blobs: accuracy well below 1, so agreement is a real check.
    const n = 3000, rng = seededRng(5), y = new Float32Array(n * 2), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) { labels[i] = i % 3; y[i * 2] = labels[i]! * 1.2 + rng.next() * 2; y[i * 2 + 1] = rng.next() * 2; }
    const exact = knnAccuracy(y, n, 2, labels, 10);
    expect(exact).toBeGreaterThan(0.4);
    expect(exact).toBeLessThan(0.95);
    expect(sampledKnnAccuracy(y, n, 2, labels, 10, n * 4, 1)).toBeCloseTo(exact, 1);
  });
});
