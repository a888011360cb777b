// Analysis of odd or hostile (but loadable) graphs: warnings, never exceptions or hangs.
import { describe, it, expect } from 'vitest';
import { create, AttributeProtoSchema, ValueInfoProtoSchema, AttributeProto_AttributeType as AT } from '../../core/onnx/proto.ts';
import { ModelError } from '../../core/onnx/errors.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';
import { inferShapesDetailed } from '../../core/analysis/shapes.ts';
import { lenet5, vgg16 } from './models.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

const OPS = ['Conv', 'MaxPool', 'AveragePool', 'Gemm', 'MatMul', 'Concat', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Resize', 'Pad', 'ReduceMean', 'Gather', 'Slice', 'Split', 'ConvTranspose', 'GlobalAveragePool', 'Relu', 'Shape', 'Expand', 'ConstantOfShape'];
const ATTRS = ['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'axis', 'axes', 'perm', 'transA', 'transB', 'ceil_mode', 'output_padding', 'output_shape', 'auto_pad', 'keepdims'];
const VALUES = [0, -1, 1, 2, 3, 7, -5, 2 ** 31, 2 ** 40, 1e6];

function mutate(m: ModelProto, r: () => number): void {
  const nodes = m.graph!.node;
  for (let k = 0; k < 3; k++) {
    const n = nodes[Math.floor(r() * nodes.length)]!;
    const what = r();
    if (what < 0.3) n.opType = OPS[Math.floor(r() * OPS.length)]!;
    else if (what < 0.8) {
      const name = ATTRS[Math.floor(r() * ATTRS.length)]!;
      const len = Math.floor(r() * 5);
      const vals = Array.from({ length: len }, () => BigInt(VALUES[Math.floor(r() * VALUES.length)]!));
      n.attribute = n.attribute.filter((a) => a.name !== name);
      n.attribute.push(name === 'auto_pad'
        ? create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(['SAME_UPPER', 'VALID', 'bogus'][len % 3]!) })
        : len === 1 ? create(AttributeProtoSchema, { name, type: AT.INT, i: vals[0]! }) : create(AttributeProtoSchema, { name, type: AT.INTS, ints: vals }));
    } else if (what < 0.9) n.input = n.input.slice(0, Math.floor(r() * (n.input.length + 1)));
    else n.output.push(`${n.name}_extra`);
  }
}

describe('analysis robustness', () => {
  it('500 random mutations of LeNet-5 and VGG16 end in a summary (with warnings), never an exception', () => {
    const r = prng(42);
    const bases = [lenet5(false), vgg16({ withData: false })];
    let warned = 0;
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) {
      const base = bases[i % 2]!;
      const m: ModelProto = { ...base, graph: { ...base.graph!, node: base.graph!.node.map((n) => ({ ...n, input: [...n.input], output: [...n.output], attribute: [...n.attribute] })) } };
      mutate(m, r);
      let s;
      try { s = analyzeModel(m); } catch (e) {
        // A mutation may duplicate an output name: that is a structural ModelError, not a crash.
        if (e instanceof ModelError && e.code === 'duplicate-output') continue;
        throw new Error(`mutation ${i}: ${(e as Error).stack}`);
      }
      expect(s.layers.length).toBe(m.graph!.node.length);
      for (const l of s.layers) {
        expect(Number.isFinite(l.params) && Number.isFinite(l.macs) || l.macs === Infinity).toBe(true);
      }
      if (s.warnings.length > 0) warned++;
    }
    expect(warned).toBeGreaterThan(100);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('an input without a declared shape is reported', () => {
    const g = new GraphBuilder('g');
    g.op('Relu', ['x'], {}, 'relu');
    g.output('relu_out');
    const m = g.build();
    m.graph!.input = [create(ValueInfoProtoSchema, { name: 'x' })];
    const inf = inferShapesDetailed(m);
    expect(inf.warnings).toEqual(['input "x" declares no shape, so shapes after it are unknown; pass inputShapes to analyse it']);
    expect(inf.shapes.has('relu_out')).toBe(false);
    expect(inferShapesDetailed(m, { inputShapes: { x: ['N', 3] } }).shapes.get('relu_out')).toEqual(['N', 3]);
  });
});
