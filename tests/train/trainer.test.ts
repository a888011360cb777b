import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, float } from '../../core/onnx/builder.ts';
import { fromBinary, toBinary, ModelProtoSchema, type ModelProto } from '../../core/onnx/proto.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';
import { PREPROCESSING_KEY } from '../../core/data/types.ts';
import { Rng } from '../../core/train/rng.ts';
import { Evaluator, train } from '../../core/train/trainer.ts';
import { buildTrainingModel } from '../../core/train/gradient.ts';
import { makeBatch, normaliser, type ImageSet } from '../../core/train/batches.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../../core/train/losses.ts';

const UNIT = { mean: [0], std: [1] };

/** 4×4 gray images: class 0 bright on the left half, class 1 on the right, plus noise; separable. */
function stripes(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 16), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(2);
    labels[i] = c;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
      const lit = c === 0 ? x < 2 : x >= 2;
      images[i * 16 + y * 4 + x] = Math.min(255, Math.round((lit ? 150 : 40) + rng.next() * 80));
    }
  }
  return { images, labels, count, channels: 1, height: 4, width: 4 };
}

/** Flatten → Gemm(16→8) → Relu → Gemm(8→2). */
function tinyNet(seed: number): ModelProto {
  const rng = new Rng(seed);
  const g = new GraphBuilder('tiny');
  const x = g.input('input', ['N', 1, 4, 4]);
  const f = g.op('Flatten', [x], { axis: 1 });
  const w1 = g.initializer('fc1.weight', Float32Array.from({ length: 128 }, () => rng.normal() * 0.35), [8, 16]);
  const b1 = g.initializer('fc1.bias', new Float32Array(8), [8]);
  const h = g.op('Relu', [g.op('Gemm', [f, w1, b1], { transB: 1 })]);
  const w2 = g.initializer('fc2.weight', Float32Array.from({ length: 16 }, () => rng.normal() * 0.5), [2, 8]);
  const b2 = g.initializer('fc2.bias', new Float32Array(2), [2]);
  g.node('Gemm', [h, w2, b2], { transB: 1, alpha: float(1) }, { outputs: ['logits'] });
  g.output('logits', ['N', 2]);
  return g.build();
}

/** Flatten → Gemm(16→4) → Relu → Gemm(4→16) → Sigmoid → Reshape to [N,1,4,4]. */
function tinyAutoencoder(seed: number): ModelProto {
  const rng = new Rng(seed);
  const g = new GraphBuilder('tiny-ae');
  const x = g.input('input', ['N', 1, 4, 4]);
  const f = g.op('Flatten', [x], { axis: 1 });
  const w1 = g.initializer('enc.weight', Float32Array.from({ length: 64 }, () => rng.normal() * 0.35), [4, 16]);
  const b1 = g.initializer('enc.bias', new Float32Array(4), [4]);
  const z = g.op('Relu', [g.op('Gemm', [f, w1, b1], { transB: 1 })]);
  const w2 = g.initializer('dec.weight', Float32Array.from({ length: 64 }, () => rng.normal() * 0.5), [16, 4]);
  const b2 = g.initializer('dec.bias', new Float32Array(16), [16]);
  const y = g.op('Sigmoid', [g.op('Gemm', [z, w2, b2], { transB: 1 })]);
  const shape = g.initializer('shape', BigInt64Array.from([-1n, 1n, 4n, 4n]), [4]);
  g.node('Reshape', [y, shape], {}, { outputs: ['reconstruction'] });
  g.output('reconstruction', ['N', 1, 4, 4]);
  return g.build();
}

const tmp = () => mkdtempSync(join(tmpdir(), 'receptive-train-'));

describe('training graph', () => {
  it('cross-entropy loss and weight gradients match a hand computation (mean over the batch)', async () => {
    const model = tinyNet(3);
    const set = stripes(8, 5);
    const b = makeBatch(set, Uint32Array.from({ length: 8 }, (_, i) => i), 0, 8, normaliser(UNIT, 1));
    const trainable = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'];
    const tg = buildTrainingModel(model, { output: 'logits', loss: 'softmax-cross-entropy', trainable });
    const s = await ort.InferenceSession.create(toBinary(ModelProtoSchema, tg.model));
    const init = new Map(model.graph!.initializer.map((t) => [t.name, tensorFloats(t)]));
    const feeds: Record<string, ort.Tensor> = {
      input: new ort.Tensor('float32', b.x, [8, 1, 4, 4]),
      [tg.labelsInput]: new ort.Tensor('int64', b.labels!, [8]),
    };
    for (const n of trainable) feeds[n] = new ort.Tensor('float32', init.get(n)!, n.endsWith('weight') ? (n === 'fc1.weight' ? [8, 16] : [2, 8]) : [n === 'fc1.bias' ? 8 : 2]);
    const r = await s.run(feeds);
    // Independent forward/backward in JS (float64).
    const W1 = init.get('fc1.weight')!, B1 = init.get('fc1.bias')!, W2 = init.get('fc2.weight')!, B2 = init.get('fc2.bias')!;
    const logits = new Float32Array(16), dW2 = new Float64Array(16), dB2 = new Float64Array(2);
    for (let i = 0; i < 8; i++) {
      const xi = b.x.subarray(i * 16, i * 16 + 16);
      const h = Array.from({ length: 8 }, (_, j) => Math.max(0, B1[j]! + xi.reduce((a, v, k) => a + v * W1[j * 16 + k]!, 0)));
      const z = [0, 1].map((c) => B2[c]! + h.reduce((a, v, j) => a + v * W2[c * 8 + j]!, 0));
      logits.set(z, i * 2);
      const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), sum = e[0]! + e[1]!;
      for (let c = 0; c < 2; c++) {
        const d = (e[c]! / sum - (Number(b.labels![i]) === c ? 1 : 0)) / 8;
        dB2[c]! += d;
        for (let j = 0; j < 8; j++) dW2[c * 8 + j]! += d * h[j]!;
      }
    }
    const loss = (r[tg.lossOutput]!.data as Float32Array)[0]!;
    expect(loss).toBeCloseTo(softmaxCrossEntropy(logits, b.labels!, 2), 5);
    const gW2 = r[tg.gradients['fc2.weight']!]!.data as Float32Array, gB2 = r[tg.gradients['fc2.bias']!]!.data as Float32Array;
    for (let k = 0; k < 16; k++) expect(gW2[k]).toBeCloseTo(dW2[k]!, 5);
    for (let c = 0; c < 2; c++) expect(gB2[c]).toBeCloseTo(dB2[c]!, 5);
    await s.release();
  });
});

describe('train()', () => {
  it('trains a 2-layer net on a separable set to ≥ 97% test accuracy with a falling loss', async () => {
    const r = await train({
      model: tinyNet(1), task: 'classification', loss: 'softmax-cross-entropy', train: stripes(600, 1), test: stripes(300, 2),
      preprocessing: UNIT, epochs: 4, batchSize: 32, lr: 0.01, optimizer: { kind: 'adam' }, seed: 7,
    });
    const losses = r.history.map((h) => h.trainLoss);
    expect(losses).toHaveLength(4);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]! * 1.02);
    expect(losses[3]!).toBeLessThan(losses[0]! * 0.5);
    expect(r.history[3]!.testAccuracy!).toBeGreaterThanOrEqual(0.97);
    expect(r.steps).toBe(4 * Math.ceil(600 / 32));
    expect(r.cancelled).toBe(false);
  });

  it('an MSE autoencoder learns (reconstruction error falls) and its reported test MSE is right', async () => {
    const set = stripes(400, 3);
    const r = await train({
      model: tinyAutoencoder(2), task: 'reconstruction', loss: 'mse', train: set, test: stripes(100, 4),
      preprocessing: UNIT, epochs: 3, batchSize: 20, lr: 0.02, optimizer: { kind: 'adam' }, seed: 1,
    });
    const h = r.history;
    expect(h[2]!.testMse!).toBeLessThan(h[0]!.trainLoss * 0.8);
    // The reported test MSE equals an independent computation on the trained weights.
    const ev = await Evaluator.create(r.model, [], 'input', 'reconstruction');
    const b = makeBatch(stripes(100, 4), Uint32Array.from({ length: 100 }, (_, i) => i), 0, 100, normaliser(UNIT, 1));
    const y = await ev.run(b.x, 100, [1, 4, 4], new Map());
    expect(meanSquaredError(y, b.x)).toBeCloseTo(h[2]!.testMse!, 6);
    await ev.release();
  });

  it('SGD with Nesterov momentum and L2 weight decay trains the classifier too', async () => {
    const r = await train({
      model: tinyNet(5), task: 'classification', loss: 'softmax-cross-entropy', train: stripes(600, 11), test: stripes(300, 12),
      preprocessing: UNIT, epochs: 3, batchSize: 20, lr: 0.05, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
      schedule: { kind: 'step', everyEpochs: 2, gamma: 0.5 }, seed: 3,
    });
    expect(r.history[2]!.testAccuracy!).toBeGreaterThanOrEqual(0.97);
    expect(r.history[2]!.trainLoss).toBeLessThan(r.history[0]!.trainLoss);
  });

  it('cancel saves a valid ONNX whose weights and outputs equal the in-memory ones', async () => {
    const dir = tmp(), out = join(dir, 'cancelled.onnx');
    const ac = new AbortController();
    const events: number[] = [];
    const r = await train({
      model: tinyNet(4), task: 'classification', loss: 'softmax-cross-entropy', train: stripes(640, 6),
      preprocessing: UNIT, epochs: 5, batchSize: 16, lr: 0.01, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-3 }, seed: 2,
      signal: ac.signal, outPath: out, progressEvery: 1, metadata: { [PREPROCESSING_KEY]: JSON.stringify({ note: 'test' }) },
      onProgress: (p) => { if (p.phase === 'step') { events.push(p.step); if (p.step === 7) ac.abort(); } },
    });
    expect(r.cancelled).toBe(true);
    expect(r.steps).toBe(7);
    expect(events).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(readdirSync(dir)).toEqual(['cancelled.onnx']); // no temp file left
    const saved = fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(out)));
    expect(saved.metadataProps.find((p) => p.key === PREPROCESSING_KEY)?.value).toBe('{"note":"test"}');
    for (const t of saved.graph!.initializer) expect(Array.from(tensorFloats(t))).toEqual(Array.from(r.weights.get(t.name)!));
    // Weights moved away from the initial ones.
    const init = tinyNet(4).graph!.initializer.find((t) => t.name === 'fc1.weight')!;
    expect(Array.from(tensorFloats(init))).not.toEqual(Array.from(r.weights.get('fc1.weight')!));
    // Outputs of the reloaded file vs the evaluator fed the in-memory weights.
    const set = stripes(50, 9);
    const b = makeBatch(set, Uint32Array.from({ length: 50 }, (_, i) => i), 0, 50, normaliser(UNIT, 1));
    const s = await ort.InferenceSession.create(out);
    const fromFile = (await s.run({ input: new ort.Tensor('float32', b.x, [50, 1, 4, 4]) })).logits!.data as Float32Array;
    const ev = await Evaluator.create(tinyNet(4), r.trainable, 'input', 'logits');
    const fromMemory = await ev.run(b.x, 50, [1, 4, 4], r.weights);
    for (let i = 0; i < fromFile.length; i++) expect(fromFile[i]).toBeCloseTo(fromMemory[i]!, 5);
    await s.release(); await ev.release();
  });

  it('rejects bad settings with messages that say what to change', async () => {
    const base = { model: tinyNet(1), train: stripes(10, 1), preprocessing: UNIT, batchSize: 4, lr: 0.01, optimizer: { kind: 'adam' } as const, seed: 1 };
    await expect(train({ ...base, task: 'classification', loss: 'mse', epochs: 1 })).rejects.toThrow(/softmax-cross-entropy/);
    await expect(train({ ...base, task: 'classification', loss: 'softmax-cross-entropy', epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(train({ ...base, task: 'classification', loss: 'softmax-cross-entropy', epochs: 1, lr: -1 })).rejects.toThrow(/learning rate/);
  });
});
