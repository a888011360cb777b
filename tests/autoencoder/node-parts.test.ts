// Each node's part of the encoder/bottleneck/decoder split (what the graph view tints), on the zoo
// autoencoder, the shipped MNIST one and hand-built graphs with skip connections and side
// branches, whose answers are worked out by hand below; and the renderer's matching of those
// parts to the drawn graph (layers by output tensor, terminals) and its legend wording.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GraphBuilder, tensorAttr, type Attrs } from '../../core/onnx/builder.ts';
import { makeTensor } from '../../core/onnx/tensor-proto.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { loadModelFile } from '../../core/onnx/load.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';
import { findBottleneck, partsOfNodes, splitAt, type AePart } from '../../core/autoencoder/bottleneck.ts';
import { buildGraph } from '../../renderer/src/lib/graph-model.ts';
import { bottleneckLegend, formatRatio, graphNodeParts, layerSplit, mayBeAutoencoder } from '../../renderer/src/lib/ae-split.ts';
import { skipModel } from './models.ts';

const op = (g: GraphBuilder, type: string, inputs: string[], attrs: Attrs, name: string) => g.node(type, inputs, attrs, { name, outputs: [name] })[0]!;
const w = (g: GraphBuilder, name: string, dims: number[]) => g.initializer(name, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims);

/**
 * Residual block in the encoder (r = e1 + relu(e1)), a dead-end head off it (aux), the 2×2 pool as
 * the bottleneck, a dead-end branch after it (side), a residual block in the decoder and a Constant
 * feeding the final Reshape. Per-sample sizes: 16, 16, 16, 4 (p), 16, …
 */
function residualAe(): ModelProto {
  const g = new GraphBuilder('residual-ae');
  const x = g.input('x', ['N', 1, 4, 4]);
  const e1 = op(g, 'Conv', [x, w(g, 'w1', [1, 1, 1, 1])], {}, 'e1');
  const e2 = op(g, 'Relu', [e1], {}, 'e2');
  const r = op(g, 'Add', [e1, e2], {}, 'r');
  op(g, 'ReduceMean', [r], { keepdims: 0 }, 'aux');
  const p = op(g, 'MaxPool', [r], { kernel_shape: [2, 2], strides: [2, 2] }, 'p');
  op(g, 'Sigmoid', [p], {}, 'side');
  const u = op(g, 'ConvTranspose', [p, w(g, 'wu', [1, 1, 2, 2])], { strides: [2, 2] }, 'u');
  const d1 = op(g, 'Relu', [u], {}, 'd1');
  const d2 = op(g, 'Add', [u, d1], {}, 'd2');
  const shape = op(g, 'Constant', [], { value: tensorAttr(makeTensor('shape', BigInt64Array.from([-1n, 1n, 4n, 4n]), [4])) }, 'shape');
  const out = op(g, 'Reshape', [d2, shape], {}, 'out');
  g.output(out, ['N', 1, 4, 4]);
  return g.build();
}

/** Node name → part, for readable expectations. */
const byName = (m: ModelProto, parts: readonly AePart[]) => Object.fromEntries(m.graph!.node.map((n, i) => [n.name, parts[i]]));

describe('partsOfNodes', () => {
  it('splits the zoo autoencoder at its latent Gemm: 7 encoder nodes, the Gemm, 8 decoder nodes', () => {
    const m = buildZooModel('autoencoder');
    const s = findBottleneck(m);
    const parts = Object.fromEntries(s.nodeParts.map((p) => [p.node, p.part]));
    expect(parts).toEqual({
      'encoder.0': 'encoder', 'encoder.1': 'encoder', 'encoder.2': 'encoder', 'encoder.3': 'encoder', 'encoder.4': 'encoder', 'encoder.5': 'encoder',
      'bottleneck.flatten': 'encoder', 'bottleneck.fc': 'bottleneck',
      'decoder.fc': 'decoder', 'decoder.relu': 'decoder', 'decoder.unflatten.shape_1': 'decoder', 'decoder.unflatten': 'decoder',
      'decoder.0': 'decoder', 'decoder.1': 'decoder', 'decoder.2': 'decoder', 'decoder.3': 'decoder',
    });
    // Consistent with the split's node lists (which count the bottleneck's node with the encoder).
    expect(s.nodeParts.filter((p) => p.part !== 'decoder').map((p) => p.node)).toEqual(s.encoderNodes);
    expect(s.nodeParts.filter((p) => p.part === 'decoder').map((p) => p.node)).toEqual(s.decoderNodes);
    expect(s.nodeParts.find((p) => p.part === 'bottleneck')!.output).toBe('latent');
    expect(s.nodeParts.map((p) => p.output)).toEqual(m.graph!.node.map((n) => n.output[0]));
  });

  it('moves with a picked bottleneck: at bottleneck.flatten the latent Gemm becomes decoder', () => {
    const s = splitAt(buildZooModel('autoencoder'), 'encoder.5');
    const count = (part: AePart) => s.nodeParts.filter((p) => p.part === part).length;
    expect(s.nodeParts.find((p) => p.part === 'bottleneck')!.node).toBe('encoder.5');
    expect([count('encoder'), count('bottleneck'), count('decoder')]).toEqual([5, 1, 10]);
    expect(s.nodeParts.find((p) => p.node === 'bottleneck.fc')!.part).toBe('decoder');
  });

  it('handles residual skips inside each half, dead-end branches and a Constant', () => {
    const m = residualAe();
    const s = findBottleneck(m);
    expect(s.bottleneck).toMatchObject({ tensor: 'p', elements: 4 });
    expect(s.compressionRatio).toBe(4);
    expect(byName(m, s.nodeParts.map((p) => p.part))).toEqual({
      e1: 'encoder', e2: 'encoder', r: 'encoder', aux: 'encoder', p: 'bottleneck',
      side: 'decoder', u: 'decoder', d1: 'decoder', d2: 'decoder', shape: 'decoder', out: 'decoder',
    });
  });

  it('a U-Net skip around the smallest tensor: the split sits before it and the skipped part is decoder', () => {
    // a = Conv(x); b = MaxPool(a) (bypassed); c = ConvTranspose(b); out = c + a. Only "a" dominates.
    const m = skipModel();
    const s = findBottleneck(m);
    expect(byName(m, s.nodeParts.map((p) => p.part))).toEqual({ a: 'bottleneck', b: 'decoder', c: 'decoder', out: 'decoder' });
  });

  it('works on plain layer lists (the summary layers) and refuses a tensor nothing produces', () => {
    const nodes = [
      { inputs: ['x'], outputs: ['h'] }, { inputs: ['h'], outputs: ['z'] }, { inputs: ['z', 'h'], outputs: ['y'] }, { inputs: ['x'], outputs: ['dead'] },
    ];
    expect(partsOfNodes(nodes, 'z', ['y'])).toEqual(['encoder', 'bottleneck', 'decoder', 'encoder']);
    expect(partsOfNodes(nodes, 'h', ['y'])).toEqual(['bottleneck', 'decoder', 'decoder', 'encoder']);
    expect(() => partsOfNodes(nodes, 'x', ['y'])).toThrow(/no node produces "x"/);
  });

  const shipped = new URL('../../resources/models/autoencoder-mnist.onnx', import.meta.url);
  it.skipIf(!existsSync(shipped))('the shipped MNIST autoencoder: the latent Gemm is the bottleneck (N × 16, 49×)', () => {
    const model = loadModelFile(fileURLToPath(shipped)).model;
    const s = findBottleneck(model);
    const parts = s.nodeParts.map((p) => p.part);
    const bn = parts.indexOf('bottleneck');
    expect(model.graph!.node[bn]!.output[0]).toBe('latent');
    // A chain: everything before the Gemm is encoder, everything after is decoder.
    expect(parts.slice(0, bn).every((p) => p === 'encoder')).toBe(true);
    expect(parts.slice(bn + 1).every((p) => p === 'decoder')).toBe(true);
    expect([bn, parts.length - bn - 1]).toEqual([7, 8]);
  });
});

describe('the graph view split (renderer/src/lib/ae-split.ts)', () => {
  const model = buildZooModel('autoencoder', { latent: 16 });
  const summary = analyzeModel(model);
  const graph = buildGraph(summary);

  it('tints every drawn node: layers by their output tensor, input terminal encoder, output terminal decoder', () => {
    const s = layerSplit(summary, findBottleneck(model));
    const nodeParts = graphNodeParts(graph, s);
    expect(nodeParts).toHaveLength(graph.nodes.length);
    const named = Object.fromEntries(graph.nodes.map((n, i) => [n.kind === 'layer' ? n.name : n.kind, nodeParts[i]]));
    expect(named).toMatchObject({ input: 'encoder', 'encoder.0': 'encoder', 'bottleneck.flatten': 'encoder', 'bottleneck.fc': 'bottleneck', 'decoder.fc': 'decoder', 'decoder.3': 'decoder', output: 'decoder' });
    expect(s.counts).toEqual({ encoder: 7, bottleneck: 1, decoder: 8 });
    expect(s.bottleneckShape).toBe('N × 16');
    expect(s.compressionRatio).toBe(49);
    expect(bottleneckLegend(s)).toBe('Bottleneck (N × 16, 49× compression)');
  });

  it('follows a picked bottleneck and leaves layers the host did not describe untinted', () => {
    const info = splitAt(model, 'encoder.5');
    const s = layerSplit(summary, { ...info, nodeParts: info.nodeParts.filter((p) => p.node !== 'decoder.3') });
    expect(s.layerParts[summary.layers.findIndex((l) => l.name === 'encoder.5')]).toBe('bottleneck');
    expect(s.layerParts[summary.layers.findIndex((l) => l.name === 'decoder.3')]).toBeNull();
    expect(s.counts).toEqual({ encoder: 5, bottleneck: 1, decoder: 9 });
    expect(bottleneckLegend(s)).toBe('Bottleneck (N × 32 × 7 × 7, 0.5× — no compression)');
  });

  it('formats ratios and spots autoencoder-shaped models', () => {
    expect([formatRatio(49), formatRatio(24.5), formatRatio(784 / 3), formatRatio(0.5), formatRatio(1.999), formatRatio(NaN)]).toEqual(['49×', '24.5×', '261.3×', '0.5×', '2×', '–']);
    expect(mayBeAutoencoder(summary, undefined, false)).toBe(true);
    const lenet = analyzeModel(buildZooModel('lenet5'));
    expect(mayBeAutoencoder(lenet, undefined, false)).toBe(false);
    expect(mayBeAutoencoder(lenet, { task: 'classifier' }, false)).toBe(false);
    expect(mayBeAutoencoder(lenet, { task: 'classifier' }, true)).toBe(true);
  });
});
