// Graph index (producers, consumers, order, cycles, attributes) and exposing intermediate outputs.
import { describe, it, expect } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, float, floats } from '../../core/onnx/builder.ts';
import { create, NodeProtoSchema, AttributeProtoSchema, AttributeProto_AttributeType as AT } from '../../core/onnx/proto.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { indexGraph, attrInt, attrInts, attrFloat, attrFloats, attrString, nodeReads } from '../../core/onnx/graph.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { saveModelBytes } from '../../core/onnx/save.ts';
import { ModelError } from '../../core/onnx/errors.ts';
import { rand, weight } from '../analysis/helpers.ts';

describe('indexGraph', () => {
  it('producers, consumers, initializers and a topological order of shuffled nodes', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', ['N', 3]);
    const w = weight(b, 'w', [3, 3]);
    const a = b.op('MatMul', [x, w], {}, 'mm');
    const r = b.op('Relu', [a], {}, 'relu');
    const s = b.op('Add', [r, a], {}, 'add');
    b.output(s);
    const m = b.build();
    m.graph!.node.reverse(); // file order is not execution order
    const idx = indexGraph(m.graph!);
    const names = idx.order.map((i) => m.graph!.node[i]!.name);
    expect(names).toEqual(['mm', 'relu', 'add']);
    expect(idx.producers.get(a)!.node.name).toBe('mm');
    expect(idx.consumers.get(a)!.map((c) => [c.node.name, c.slot])).toEqual([['add', 1], ['relu', 0]]); // file order
    expect(idx.consumers.get(w)!.map((c) => c.node.name)).toEqual(['mm']);
    expect([...idx.initializers.keys()]).toEqual(['w']);
    expect(idx.inputs).toEqual(['x']);
    expect(idx.outputs).toEqual([s]);
    expect(idx.valueInfo.has('x')).toBe(true);
  });

  it('detects a cycle in a large graph without hanging and names the tensors on it', () => {
    const b = new GraphBuilder('g');
    let x = b.input('x', [1]);
    for (let i = 0; i < 20000; i++) x = b.op('Relu', [x], {}, `r${i}`);
    b.output(x);
    const m = b.build();
    // Close a loop r100 → … → r103 → r100.
    m.graph!.node[100]!.input[0] = m.graph!.node[103]!.output[0]!;
    const t0 = performance.now();
    let err: unknown;
    try { indexGraph(m.graph!); } catch (e) { err = e; }
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('cycle');
    const o = (i: number) => `"${m.graph!.node[i]!.output[0]}"`;
    expect((err as Error).message).toContain(`${o(100)} → ${o(101)} → ${o(102)} → ${o(103)} → ${o(100)}`);
  });

  it('orders nodes after the producers their subgraphs read', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', [1]);
    const c = b.input('c', [], 'bool');
    const inner = new GraphBuilder('then');
    const t = inner.op('Identity', ['late'], {}, 'inner');
    inner.output(t);
    const ifNode = create(NodeProtoSchema, {
      name: 'if', opType: 'If', input: [c], output: ['y'],
      attribute: [
        create(AttributeProtoSchema, { name: 'then_branch', type: AT.GRAPH, g: inner.build().graph! }),
        create(AttributeProtoSchema, { name: 'else_branch', type: AT.GRAPH, g: inner.build().graph! }),
      ],
    });
    b.nodes.push(ifNode);
    b.node('Relu', [x], {}, { name: 'late_producer', outputs: ['late'] });
    b.output('y');
    const m = b.build();
    expect(nodeReads(ifNode)).toEqual([c, 'late']);
    const idx = indexGraph(m.graph!);
    expect(idx.order.map((i) => m.graph!.node[i]!.name)).toEqual(['late_producer', 'if']);
  });

  it('attribute readers with defaults', () => {
    const b = new GraphBuilder('g');
    b.op('Conv', ['x', 'w'], { group: 2, strides: [2, 1], alpha: float(0.5), scales: floats([1, 2]), auto_pad: 'SAME_UPPER', beta: 3 });
    const n = b.nodes[0]!;
    expect(attrInt(n, 'group', 1)).toBe(2);
    expect(attrInt(n, 'missing', 7)).toBe(7);
    expect(attrInt(n, 'missing')).toBeUndefined();
    expect(attrInts(n, 'strides', [1, 1])).toEqual([2, 1]);
    expect(attrInts(n, 'pads', [0, 0, 0, 0])).toEqual([0, 0, 0, 0]);
    expect(attrFloat(n, 'alpha', 1)).toBe(0.5);
    expect(attrFloat(n, 'beta', 1)).toBe(3); // written as INT by the builder shorthand, read as float
    expect(attrFloats(n, 'scales', [])).toEqual([1, 2]);
    expect(attrString(n, 'auto_pad', 'NOTSET')).toBe('SAME_UPPER');
    expect(attrString(n, 'mode', 'nearest')).toBe('nearest');
  });
});

describe('exposeOutputs', () => {
  function convNet(upTo?: 'relu'): ModelProto {
    const b = new GraphBuilder('net');
    const x = b.input('x', ['N', 2, 8, 8]);
    const c1 = b.op('Conv', [x, weight(b, 'w1', [4, 2, 3, 3], 1), weight(b, 'b1', [4], 2)], { pads: [1, 1, 1, 1] }, 'conv1');
    const r = b.op('Relu', [c1], {}, 'relu');
    if (upTo === 'relu') { b.output(r); return b.build(); }
    const c2 = b.op('Conv', [r, weight(b, 'w2', [3, 4, 3, 3], 3)], { strides: [2, 2] }, 'conv2');
    b.output(c2);
    return b.build();
  }

  it('the exposed tensor equals what the truncated sub-model computes', async () => {
    const full = convNet();
    const relu = full.graph!.node[1]!.output[0]!;
    const exposed = exposeOutputs(full, [relu, relu]);
    expect(exposed.graph!.output.map((o) => o.name)).toEqual(['conv2_out', relu]);
    expect(full.graph!.output).toHaveLength(1); // the input model is not modified
    const feed = { x: new ort.Tensor('float32', rand(2 * 64, 11), [1, 2, 8, 8]) };
    const s1 = await ort.InferenceSession.create(saveModelBytes(exposed));
    const s2 = await ort.InferenceSession.create(saveModelBytes(convNet('relu')));
    const [o1, o2] = [await s1.run(feed), await s2.run(feed)];
    await s1.release(); await s2.release();
    expect(o1[relu]!.dims).toEqual([1, 4, 8, 8]);
    expect(Array.from(o1[relu]!.data as Float32Array)).toEqual(Array.from(o2[relu]!.data as Float32Array));
    expect((o1[relu]!.data as Float32Array).some((v) => v > 0)).toBe(true);
    expect(o1['conv2_out']!.dims).toEqual([1, 3, 3, 3]);
  });

  it('an unknown name is a clear error', () => {
    let err: unknown;
    try { exposeOutputs(convNet(), ['conv9_out']); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('unknown-tensor');
    expect((err as Error).message).toMatch(/no tensor named "conv9_out".*e\.g\. "conv1_out"/);
  });
});
