// Whole-model gradient checks on zoo models at small input sizes: w.r.t. the input, an inner
// activation and a conv weight, on a few sampled coordinates each.
import { describe, it, expect } from 'vitest';
import { buildZooModel } from '../../core/zoo/index.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { checkGradients, summary, randn, rng, type Feeds } from './fd.ts';

function pick(model: ModelProto) {
  const g = model.graph!;
  const relus = g.node.filter((n) => n.opType === 'Relu');
  const convs = g.node.filter((n) => n.opType === 'Conv' || n.opType === 'ConvTranspose');
  // The pre-activation of a Relu: its output has exact zeros that tie inside max-pool windows,
  // where central differences see half the one-sided slope.
  const inner = relus[Math.floor(relus.length * 0.4)]!.input[0]!;
  const weight = convs[Math.floor(convs.length * 0.6)]!.input[1]!;
  return { input: g.input[0]!.name, inner, weight, output: g.output[0]!.name };
}

function dimsOfInput(model: ModelProto): number[] {
  const t = model.graph!.input[0]!.type!.value.value as { shape: { dim: { value: { value: unknown } }[] } };
  return t.shape.dim.map((d) => Number(d.value.value as bigint));
}

async function checkZoo(name: string, inputSize: number | undefined, outDims: (n: number[]) => number[], o: { samples?: number; loss?: boolean } = {}) {
  const model = buildZooModel(name, { batch: 1, ...(inputSize ? { inputSize } : {}) });
  const p = pick(model);
  const xd = dimsOfInput(model);
  const r = rng(31);
  const n = xd.reduce((a, b) => a * b, 1);
  const x = randn(n, r);
  const od = outDims(xd);
  const target = o.loss
    ? { kind: 'loss' as const, loss: 'mse' as const, tensor: p.output, labelsInput: 'labels' }
    : { kind: 'weighted-sum' as const, tensor: p.output, weightsInput: 'W' };
  const extra: Feeds = o.loss ? { labels: { data: randn(od.reduce((a, b) => a * b, 1), r), dims: od } } : { W: { data: randn(od.reduce((a, b) => a * b, 1), r), dims: od } };
  const rs = await checkGradients(model, { target, wrt: [p.input, p.inner, p.weight] }, { input: { data: x, dims: xd }, ...extra },
    { eps: 1e-3, samples: o.samples ?? 5, rtol: 2e-2 });
  expect(rs.map((q) => q.coords).every((c) => c >= 1)).toBe(true);
  expect(rs.every((q) => q.ok), summary(rs)).toBe(true);
}

describe('zoo models: gradients vs finite differences', () => {
  it('lenet5 (28×28)', () => checkZoo('lenet5', undefined, () => [1, 10]));
  it('autoencoder (28×28, mse loss)', () => checkZoo('autoencoder', undefined, (x) => x, { loss: true }));
  it('resnet18 (32×32)', () => checkZoo('resnet18', 32, () => [1, 1000]));
  it('googlenet (32×32)', () => checkZoo('googlenet', 32, () => [1, 1000]));
  it('densenet121 (32×32)', () => checkZoo('densenet121', 32, () => [1, 1000]));
});

describe('symbolic batch dimension', () => {
  it('lenet5 and autoencoder built with batch "N" differentiate at batch 3 (trainer setup)', async () => {
    for (const name of ['lenet5', 'autoencoder']) {
      const model = buildZooModel(name, { batch: 'N' });
      const g = model.graph!;
      const weights = g.initializer.filter((t) => t.dims.length > 1).map((t) => t.name);
      const pickW = [weights[0]!, weights[weights.length - 1]!];
      const r = rng(8);
      const x = randn(3 * 784, r);
      const ae = name === 'autoencoder';
      const target = ae
        ? { kind: 'loss' as const, loss: 'l1' as const, tensor: g.output[0]!.name, labelsInput: 'labels' }
        : { kind: 'loss' as const, loss: 'softmax-cross-entropy' as const, tensor: g.node.find((n) => n.opType === 'Gemm' && n.output[0] === g.output[0]!.name)?.output[0] ?? g.output[0]!.name, labelsInput: 'labels' };
      const labels: Feeds = ae ? { labels: { data: Float32Array.from(randn(3 * 784, r), (v) => 0.5 + 0.5 * v), dims: [3, 1, 28, 28] } } : { labels: { data: BigInt64Array.from([1n, 7n, 3n]), dims: [3] } };
      const rs = await checkGradients(model, { target, wrt: [g.input[0]!.name, ...pickW], initializersAsInputs: weights },
        { [g.input[0]!.name]: { data: x, dims: [3, 1, 28, 28] }, ...labels }, { eps: 1e-3, samples: 5, rtol: 2e-2 });
      expect(rs.every((q) => q.ok), `${name}\n${summary(rs)}`).toBe(true);
    }
  });
});
