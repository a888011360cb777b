// The renderer's pure graph building and formatting: nodes are layers (plus model inputs and
// outputs), edges run producer → consumer, weights never become nodes.
import { describe, expect, it } from 'vitest';
import type { LayerInfo, ModelSummary } from '../../core/analysis/types.ts';
import { buildGraph, searchLayers } from '../../renderer/src/lib/graph-model.ts';
import { compactShape, formatCount, formatShape } from '../../renderer/src/lib/format.ts';
import { webSocketUrl } from '../../renderer/src/lib/api.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';

function layer(index: number, name: string, op: string, inputs: string[], outputs: string[], params = 0): LayerInfo {
  return { index, name, op, inputs, outputs, outputShapes: outputs.map(() => ['N', 4, 8, 8]), attributes: {}, params, macs: 0, receptiveField: null };
}

function summaryOf(layers: LayerInfo[], inputs = ['x'], outputs = ['a']): ModelSummary {
  return {
    name: 't', producer: 'test', irVersion: 8, opsets: { '': 17 }, metadata: {}, warnings: [],
    inputs: inputs.map((name) => ({ name, shape: ['N', 3, 8, 8], dtype: 'float32' })),
    outputs: outputs.map((name) => ({ name, shape: ['N', 4, 8, 8], dtype: 'float32' })),
    layers, totals: { params: 0, macs: 0, layers: layers.length },
  };
}

describe('buildGraph', () => {
  // x → conv(w, b) → c → relu → r ; add(r, c) → a ; a is the output.
  const s = summaryOf([
    layer(0, 'conv', 'Conv', ['x', 'w', 'b'], ['c'], 112),
    layer(1, 'relu', 'Relu', ['c'], ['r']),
    layer(2, 'add', 'Add', ['r', 'c'], ['a']),
  ]);
  const g = buildGraph(s);

  it('makes one node per layer plus input and output terminals, none for weights', () => {
    expect(g.nodes.map((n) => `${n.kind}:${n.name}`)).toEqual(['input:x', 'layer:conv', 'layer:relu', 'layer:add', 'output:a']);
    expect(g.layerCount).toBe(3);
    expect([...g.nodeOfLayer]).toEqual([1, 2, 3]);
    expect(g.nodes[1]!.badge).toBe('112');
    expect(g.nodes[1]!.shape).toBe('4×8×8');
  });

  it('links producers to consumers, including the skip connection', () => {
    const e = g.edges.map((x) => `${g.nodes[x.source]!.name}>${g.nodes[x.target]!.name}`).sort();
    expect(e).toEqual(['add>a', 'conv>add', 'conv>relu', 'relu>add', 'x>conv'].sort());
  });

  it('draws one edge when a layer reads the same tensor twice', () => {
    const g2 = buildGraph(summaryOf([layer(0, 'relu', 'Relu', ['x'], ['r']), layer(1, 'sq', 'Mul', ['r', 'r'], ['a'])]));
    expect(g2.edges).toHaveLength(3);
  });

  it('matches an analysed ResNet-18: 69 layers, 8 residual Adds with two inputs each', () => {
    const summary = analyzeModel(buildZooModel('resnet18'));
    const big = buildGraph(summary);
    expect(big.nodes.filter((n) => n.kind === 'layer')).toHaveLength(69);
    const indeg = new Map<number, number>();
    for (const e of big.edges) indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
    const adds = summary.layers.map((l, i) => ({ l, i })).filter(({ l }) => l.op === 'Add');
    expect(adds).toHaveLength(8);
    for (const { i } of adds) expect(indeg.get(big.nodeOfLayer[i]!)).toBe(2);
    // Every edge is a tensor the target reads and the source writes.
    for (const e of big.edges) {
      const src = big.nodes[e.source]!, dst = big.nodes[e.target]!;
      if (src.kind !== 'layer' || dst.kind !== 'layer') continue;
      const outs = summary.layers[src.layer]!.outputs;
      expect(summary.layers[dst.layer]!.inputs.some((t) => outs.includes(t))).toBe(true);
    }
  });
});

describe('searchLayers', () => {
  const s = summaryOf([layer(0, 'layer1.conv1', 'Conv', ['x'], ['c']), layer(1, 'layer1.relu', 'Relu', ['c'], ['a']), layer(2, 'fc', 'Gemm', ['a'], ['y'])]);
  it('matches name or op, case-insensitively, in model order', () => {
    expect(searchLayers(s, 'LAYER1')).toEqual([0, 1]);
    expect(searchLayers(s, 'gemm')).toEqual([2]);
    expect(searchLayers(s, '  ')).toEqual([]);
    expect(searchLayers(s, 'nothing')).toEqual([]);
  });
});

describe('format', () => {
  it('formats shapes, counts and the socket address', () => {
    expect(formatShape(['N', 64, 112, 112])).toBe('N × 64 × 112 × 112');
    expect(formatShape(null)).toBe('?');
    expect(compactShape(['N', 64, 112, 112])).toBe('64×112×112');
    expect(formatCount(11_689_512)).toBe('11.7 M');
    expect(formatCount(9408)).toBe('9.41 k');
    expect(formatCount(1_814_073_344)).toBe('1.81 G');
    expect(formatCount(512)).toBe('512');
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=a-b_c' })).toBe('ws://127.0.0.1:5000/ws?token=a-b_c');
  });
});

describe('toHostError', () => {
  it('keeps the message and code of the plain objects the Electron bridge rejects with', async () => {
    const { toHostError, HostError } = await import('../../renderer/src/lib/api.ts');
    const e = toHostError({ name: 'HostError', code: 'bad-model', message: 'x.onnx is not an ONNX file' });
    expect(e).toBeInstanceOf(HostError);
    expect([e.code, e.message]).toEqual(['bad-model', 'x.onnx is not an ONNX file']);
    expect(toHostError(new Error('boom')).message).toBe('boom');
    expect(toHostError('weird').message).toBe('weird');
  });
});
