// Static shape inference vs. the shapes onnxruntime actually produces, op by op.
import { describe, it, expect } from 'vitest';
import { GraphBuilder, float, tensorAttr } from '../../core/onnx/builder.ts';
import { makeTensor } from '../../core/onnx/tensor-proto.ts';
import { create, ValueInfoProtoSchema } from '../../core/onnx/proto.ts';
import { inferShapes, inferShapesDetailed, windowOutput } from '../../core/analysis/shapes.ts';
import { ortShapes, concrete, weight, int64s } from './helpers.ts';

type Case = { name: string; opset?: number; build: (b: GraphBuilder) => string };

const cases: Case[] = [
  { name: 'Conv stride 2, pad 1', build: (b) => b.op('Conv', [b.input('x', ['N', 3, 17, 17]), weight(b, 'w', [8, 3, 3, 3]), weight(b, 'bias', [8])], { strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'Conv dilation 2, asymmetric pads', build: (b) => b.op('Conv', [b.input('x', ['N', 2, 16, 13]), weight(b, 'w', [4, 2, 3, 3])], { dilations: [2, 2], pads: [1, 0, 2, 1] }) },
  { name: 'Conv groups 2, 3×2 kernel, stride [2,1]', build: (b) => b.op('Conv', [b.input('x', ['N', 4, 11, 9]), weight(b, 'w', [6, 2, 3, 2])], { group: 2, strides: [2, 1] }) },
  { name: 'Conv depthwise', build: (b) => b.op('Conv', [b.input('x', ['N', 4, 8, 8]), weight(b, 'w', [4, 1, 3, 3])], { group: 4, pads: [1, 1, 1, 1] }) },
  { name: 'Conv SAME_UPPER stride 2 odd size', build: (b) => b.op('Conv', [b.input('x', ['N', 2, 15, 14]), weight(b, 'w', [3, 2, 4, 4])], { auto_pad: 'SAME_UPPER', strides: [2, 2] }) },
  { name: 'Conv SAME_LOWER stride 3', build: (b) => b.op('Conv', [b.input('x', ['N', 2, 16, 10]), weight(b, 'w', [3, 2, 3, 3])], { auto_pad: 'SAME_LOWER', strides: [3, 3] }) },
  { name: 'Conv VALID', build: (b) => b.op('Conv', [b.input('x', ['N', 2, 10, 10]), weight(b, 'w', [3, 2, 3, 3])], { auto_pad: 'VALID', strides: [2, 2] }) },
  { name: 'Conv 1-D', build: (b) => b.op('Conv', [b.input('x', ['N', 2, 20]), weight(b, 'w', [3, 2, 5])], { strides: [3], pads: [2, 2] }) },
  { name: 'ConvTranspose stride 2, pad 1, output_padding 1', build: (b) => b.op('ConvTranspose', [b.input('x', ['N', 4, 7, 7]), weight(b, 'w', [4, 3, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }) },
  { name: 'ConvTranspose output_shape', build: (b) => b.op('ConvTranspose', [b.input('x', ['N', 4, 5, 5]), weight(b, 'w', [4, 2, 3, 3])], { strides: [2, 2], output_shape: [10, 10] }) },
  { name: 'ConvTranspose groups 2, dilation 2', build: (b) => b.op('ConvTranspose', [b.input('x', ['N', 4, 6, 5]), weight(b, 'w', [4, 3, 3, 3])], { group: 2, dilations: [2, 2], strides: [1, 2] }) },
  { name: 'ConvTranspose SAME_UPPER', build: (b) => b.op('ConvTranspose', [b.input('x', ['N', 2, 5, 6]), weight(b, 'w', [2, 2, 3, 3])], { auto_pad: 'SAME_UPPER', strides: [2, 2] }) },
  { name: 'MaxPool 3/2 ceil_mode', build: (b) => b.op('MaxPool', [b.input('x', ['N', 2, 16, 15])], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }) },
  { name: 'MaxPool ceil_mode last window in padding', build: (b) => b.op('MaxPool', [b.input('x', ['N', 1, 5, 5])], { kernel_shape: [2, 2], strides: [3, 3], pads: [1, 1, 1, 1], ceil_mode: 1 }) },
  { name: 'MaxPool dilation 2 + indices', build: (b) => b.node('MaxPool', [b.input('x', ['N', 2, 12, 12])], { kernel_shape: [3, 3], dilations: [2, 2], strides: [1, 1] }, { outputs: 2 })[1]! },
  { name: 'AveragePool ceil, pads, count_include_pad', build: (b) => b.op('AveragePool', [b.input('x', ['N', 2, 9, 10])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }) },
  { name: 'AveragePool SAME_LOWER', build: (b) => b.op('AveragePool', [b.input('x', ['N', 2, 9, 10])], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_LOWER' }) },
  { name: 'GlobalAveragePool', build: (b) => b.op('GlobalAveragePool', [b.input('x', ['N', 5, 7, 3])]) },
  { name: 'GlobalMaxPool', build: (b) => b.op('GlobalMaxPool', [b.input('x', ['N', 5, 7, 3])]) },
  { name: 'Gemm transA transB', build: (b) => b.op('Gemm', [b.input('a', [6, 'N']), weight(b, 'w', [5, 6]), weight(b, 'c', [5])], { transA: 1, transB: 1 }) },
  { name: 'Gemm plain', build: (b) => b.op('Gemm', [b.input('a', ['N', 6]), weight(b, 'w', [6, 4])]) },
  { name: 'MatMul 3-D × 2-D', build: (b) => b.op('MatMul', [b.input('a', ['N', 3, 6]), weight(b, 'w', [6, 4])]) },
  { name: 'MatMul 1-D × 3-D', build: (b) => b.op('MatMul', [weight(b, 'v', [6]), b.input('a', ['N', 6, 4])]) },
  { name: 'BatchNormalization', build: (b) => b.op('BatchNormalization', [b.input('x', ['N', 3, 5, 5]), weight(b, 's', [3]), weight(b, 'b', [3]), weight(b, 'm', [3]), b.initializer('v', new Float32Array([1, 2, 3]), [3])]) },
  {
    name: 'activations chain', build: (b) => {
      let x = b.input('x', ['N', 3, 6, 6]);
      x = b.op('Relu', [x]); x = b.op('LeakyRelu', [x], { alpha: float(0.1) });
      x = b.op('PRelu', [x, weight(b, 'slope', [3, 1, 1])]); x = b.op('Sigmoid', [x]); x = b.op('Tanh', [x]);
      x = b.op('Clip', [x, b.initializer('lo', new Float32Array([-1]), []), b.initializer('hi', new Float32Array([1]), [])]);
      x = b.op('Elu', [x]); x = b.op('Selu', [x]); x = b.op('HardSigmoid', [x]);
      return b.op('LRN', [x], { size: 3 });
    },
  },
  { name: 'Concat axis 1', build: (b) => { const x = b.input('x', ['N', 3, 4, 4]); const y = b.op('Relu', [x]); return b.op('Concat', [x, y, x], { axis: 1 }); } },
  { name: 'Concat axis -1', build: (b) => b.op('Concat', [b.input('x', ['N', 3, 4, 4]), b.input('y', ['N', 3, 4, 2])], { axis: -1 }) },
  {
    name: 'broadcasting arithmetic', build: (b) => {
      const x = b.input('x', ['N', 3, 4, 5]);
      let y = b.op('Add', [x, weight(b, 'c', [3, 1, 1])]);
      y = b.op('Sub', [y, weight(b, 'r', [5])]);
      y = b.op('Mul', [weight(b, 's', [1, 1, 4, 1]), y]);
      return b.op('Div', [y, b.initializer('two', new Float32Array([2]), [])]);
    },
  },
  { name: 'Flatten axis 1', build: (b) => b.op('Flatten', [b.input('x', ['N', 3, 4, 5])]) },
  { name: 'Flatten axis 2', build: (b) => b.op('Flatten', [b.input('x', ['N', 3, 4, 5])], { axis: 2 }) },
  { name: 'Reshape 0 and -1 (initializer)', build: (b) => b.op('Reshape', [b.input('x', ['N', 3, 4, 5]), b.initializer('shape', int64s([0, -1, 5]), [3])]) },
  {
    name: 'Reshape from Constant', build: (b) => {
      const s = b.op('Constant', [], { value: tensorAttr(makeTensor('s', int64s([2, 12, 10]), [3])) });
      return b.op('Reshape', [b.input('x', [2, 3, 4, 10]), s]);
    },
  },
  {
    name: 'Reshape via Shape→Gather→Unsqueeze→Concat (PyTorch flatten export)', build: (b) => {
      const x = b.input('x', ['N', 3, 4, 5]);
      const sh = b.op('Shape', [x]);
      const n = b.op('Gather', [sh, b.initializer('zero', int64s([0]), [])], { axis: 0 });
      const nu = b.op('Unsqueeze', [n, b.initializer('ax0', int64s([0]), [1])]);
      const cat = b.op('Concat', [nu, b.initializer('minus1', int64s([-1]), [1])], { axis: 0 });
      return b.op('Reshape', [x, cat]);
    },
  },
  { name: 'Pad (input form)', build: (b) => b.op('Pad', [b.input('x', ['N', 3, 4, 5]), b.initializer('pads', int64s([0, 0, 1, 2, 0, 0, 3, 0]), [8])]) },
  { name: 'Dropout + mask', build: (b) => b.node('Dropout', [b.input('x', ['N', 3, 4])], {}, { outputs: 2 })[1]! },
  { name: 'Softmax / LogSoftmax', build: (b) => b.op('LogSoftmax', [b.op('Softmax', [b.input('x', ['N', 10])], { axis: -1 })], { axis: 1 }) },
  { name: 'Resize scales', build: (b) => b.op('Resize', [b.input('x', ['N', 2, 5, 7]), '', b.initializer('sc', new Float32Array([1, 1, 2, 1.5]), [4])], { mode: 'nearest' }) },
  { name: 'Resize sizes', build: (b) => b.op('Resize', [b.input('x', ['N', 2, 5, 7]), '', '', b.initializer('sz', int64s([2, 2, 9, 4]), [4])], { mode: 'linear' }) },
  { name: 'Upsample (opset 9)', opset: 9, build: (b) => b.op('Upsample', [b.input('x', ['N', 2, 5, 7]), b.initializer('sc', new Float32Array([1, 1, 2, 3]), [4])]) },
  { name: 'Identity + Transpose', build: (b) => b.op('Transpose', [b.op('Identity', [b.input('x', ['N', 3, 4, 5])])], { perm: [0, 2, 3, 1] }) },
  { name: 'Transpose default perm', build: (b) => b.op('Transpose', [b.input('x', [2, 3, 4])]) },
  {
    name: 'Squeeze/Unsqueeze input axes (opset 17)', build: (b) => {
      const u = b.op('Unsqueeze', [b.input('x', ['N', 3, 4]), b.initializer('ax', int64s([1, -1]), [2])]);
      return b.op('Squeeze', [u, b.initializer('ax2', int64s([1]), [1])]);
    },
  },
  {
    name: 'Squeeze/Unsqueeze attribute axes (opset 11)', opset: 11, build: (b) => {
      const u = b.op('Unsqueeze', [b.input('x', ['N', 3, 4])], { axes: [0, 3] });
      return b.op('Squeeze', [u], { axes: [0] });
    },
  },
  { name: 'Squeeze all ones', build: (b) => b.op('Squeeze', [b.input('x', [1, 3, 1, 4])]) },
  { name: 'ReduceMean attr axes keepdims', build: (b) => b.op('ReduceMean', [b.input('x', ['N', 3, 4, 5])], { axes: [2, 3] }) },
  { name: 'ReduceSum input axes, keepdims 0', build: (b) => b.op('ReduceSum', [b.input('x', ['N', 3, 4, 5]), b.initializer('ax', int64s([1, -1]), [2])], { keepdims: 0 }) },
  { name: 'ReduceMean (opset 18, input axes)', opset: 18, build: (b) => b.op('ReduceMean', [b.input('x', ['N', 3, 4, 5]), b.initializer('ax', int64s([1]), [1])], { keepdims: 0 }) },
  {
    name: 'Constant, Shape, Gather', build: (b) => {
      const c = b.op('Constant', [], { value: tensorAttr(makeTensor('c', new Float32Array(12), [3, 4])) });
      const g = b.op('Gather', [c, b.initializer('idx', int64s([0, 2, 1, 1]), [2, 2])], { axis: 1 });
      const x = b.input('x', ['N', 3, 5]);
      const s = b.op('Shape', [x]);
      const sh = b.op('Shape', [g]);
      return b.op('Concat', [s, sh], { axis: 0 });
    },
  },
  {
    name: 'Slice + Split', build: (b) => {
      const x = b.input('x', ['N', 6, 10]);
      const s = b.op('Slice', [x, b.initializer('st', int64s([1, -8]), [2]), b.initializer('en', int64s([5, 100]), [2]), b.initializer('axs', int64s([1, 2]), [2]), b.initializer('stp', int64s([2, 3]), [2])]);
      return b.node('Split', [s, b.initializer('parts', int64s([1, 1]), [2])], { axis: 1 }, { outputs: 2 })[1]!;
    },
  },
];

describe('shape inference matches onnxruntime', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const b = new GraphBuilder('t', c.opset ?? 17);
      const y = c.build(b);
      b.output(y);
      const model = b.build();
      // Untyped graph outputs: some cases end in int64/bool tensors and the runtime infers types.
      model.graph!.output = model.graph!.output.map((o) => create(ValueInfoProtoSchema, { name: o.name }));
      const ort = await ortShapes(model, 2);
      const inf = inferShapesDetailed(model);
      expect(inf.warnings).toEqual([]);
      const names = model.graph!.node.flatMap((n) => n.output.filter((o) => o !== ''));
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) {
        expect(ort.has(n), `onnxruntime returns ${n}`).toBe(true);
        expect(concrete(inf.shapes.get(n)), `shape of ${n}`).toEqual(ort.get(n));
      }
    });
  }
});

describe('symbolic dims and unknown ops', () => {
  it('keeps the batch symbol and multiplies symbols through Flatten', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 3, 'H', 4]);
    const c = b.op('Conv', [x, weight(b, 'w', [2, 3, 1, 1])]);
    const f = b.op('Flatten', [c], { axis: 1 });
    const g = b.op('Flatten', [c], { axis: 0 });
    b.output(f);
    const s = inferShapes(b.build());
    expect(s.get(c)).toEqual(['N', 2, '?', 4]); // an unknown spatial extent cannot be computed
    expect(s.get(g)).toEqual([1, '?']);
    const b2 = new GraphBuilder('t2');
    const f2 = b2.op('Flatten', [b2.input('x', ['N', 3, 4, 5])], { axis: 0 });
    b2.output(f2);
    expect(inferShapes(b2.build()).get(f2)).toEqual([1, 'N*60']);
  });

  it('an unknown op gives no shape and a warning, downstream too, without throwing', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 3, 4, 4]);
    const y = b.op('FancyOp', [x], {}, 'fancy');
    const z = b.op('Relu', [y]);
    const r = b.op('Relu', [x]);
    b.output(z);
    const inf = inferShapesDetailed(b.build());
    expect(inf.shapes.has(y)).toBe(false);
    expect(inf.shapes.has(z)).toBe(false);
    expect(inf.shapes.get(r)).toEqual(['N', 3, 4, 4]);
    expect(inf.warnings).toHaveLength(1);
    expect(inf.warnings[0]).toMatch(/node "fancy" \(FancyOp\).*no shape rule/);
  });

  it('an unknown op with declared value_info uses the declared shape', () => {
    const b = new GraphBuilder('t');
    const y = b.op('FancyOp', [b.input('x', ['N', 3])], {}, 'fancy');
    b.output(y, ['N', 7]);
    const inf = inferShapesDetailed(b.build());
    expect(inf.shapes.get(y)).toEqual(['N', 7]);
    expect(inf.warnings).toEqual([]);
  });

  it('a bad Conv (channel mismatch) is a warning naming the node', () => {
    const b = new GraphBuilder('t');
    const y = b.op('Conv', [b.input('x', ['N', 3, 8, 8]), weight(b, 'w', [4, 2, 3, 3])], {}, 'bad');
    b.output(y);
    const inf = inferShapesDetailed(b.build());
    expect(inf.shapes.has(y)).toBe(false);
    expect(inf.warnings[0]).toMatch(/"bad" \(Conv\).*3 channels/);
  });

  it('window output size formula (hand values)', () => {
    expect(windowOutput(224, 11, 4, 1, 2, 2, false)).toBe(55); // AlexNet conv1: floor((224+4−11)/4)+1
    expect(windowOutput(55, 3, 2, 1, 0, 0, false)).toBe(27);
    expect(windowOutput(112, 3, 2, 1, 0, 0, true)).toBe(56); // ceil(109/2)+1 = 56
    expect(windowOutput(5, 2, 3, 1, 1, 1, true)).toBe(2); // 3rd window would start in the end padding
    expect(windowOutput(10, 3, 1, 2, 0, 0, false)).toBe(6); // k_eff 5
  });
});
