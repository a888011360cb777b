// Finite-difference checks of the remaining ops: MatMul, broadcasting arithmetic, activations,
// normalization, data movement, reductions and Resize.
import { describe, it, expect } from 'vitest';
import { opCase, checkCase, awayFromZero, float, type OpSpec } from './cases.ts';
import { summary, rng, randn, checkGradients } from './fd.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';

const ok = async (s: OpSpec, o?: Parameters<typeof checkCase>[1]) => {
  const c = opCase(s);
  const rs = await checkCase(c, o);
  expect(rs.length).toBe(c.req.wrt.length);
  expect(rs.every((r) => r.ok), summary(rs)).toBe(true);
};
const x = (dims: number[], extra: Partial<OpSpec['inputs'][0]> = {}) => ({ name: 'x', dims, ...extra });
const y = (dims: number[], extra: Partial<OpSpec['inputs'][0]> = {}) => ({ name: 'y', dims, ...extra });

describe('MatMul', () => {
  it('2-D', () => ok({ op: 'MatMul', inputs: [x([3, 4]), y([4, 5], { init: true })], wrt: ['x', 'y', 'out'], post: true }));
  it('batched with broadcast weight', () => ok({ op: 'MatMul', inputs: [x([2, 3, 4, 5]), y([5, 6])], wrt: ['x', 'y'] }));
  it('broadcast batch dims on both sides', () => ok({ op: 'MatMul', inputs: [x([2, 1, 3, 4]), y([3, 4, 2])], wrt: ['x', 'y'] }));
  it('1-D × 2-D and 2-D × 1-D', async () => {
    await ok({ op: 'MatMul', inputs: [x([4]), y([4, 3])], wrt: ['x', 'y'] });
    await ok({ op: 'MatMul', inputs: [x([2, 4]), y([4])], wrt: ['x', 'y'] });
  });
});

describe('broadcasting arithmetic', () => {
  const r = rng(2);
  it('Sub [2,3,4] − [4]', () => ok({ op: 'Sub', inputs: [x([2, 3, 4]), y([4])], wrt: ['x', 'y'] }));
  it('Mul [2,3,4,5] · [3,1,1]', () => ok({ op: 'Mul', inputs: [x([2, 3, 4, 5]), y([3, 1, 1], { init: true })], wrt: ['x', 'y'] }));
  it('Mul by a scalar tensor', () => ok({ op: 'Mul', inputs: [x([2, 3]), y([])], wrt: ['x', 'y'] }));
  it('Div [2,1,4] / [3,1] (both broadcast)', () => ok({ op: 'Div', inputs: [x([2, 1, 4]), y([3, 1], { data: awayFromZero(3, r, 0.5, 1.5) })], wrt: ['x', 'y', 'out'], post: true }));
  it('Sum of three with broadcast', () => ok({ op: 'Sum', inputs: [x([2, 3]), y([3]), { name: 'z', dims: [2, 1] }], wrt: ['x', 'y', 'z'] }));
  it('Pow with constant exponent', () => ok({ op: 'Pow', inputs: [x([2, 3], { data: awayFromZero(6, r, 0.5, 1.5).map(Math.abs) }), { name: 'p', dims: [], init: true, data: Float32Array.from([2.5]) }], wrt: ['x'] }));
});

describe('activations', () => {
  const r = rng(4);
  const away = (n: number) => awayFromZero(n, r, 0.1, 2);
  it('LeakyRelu', () => ok({ op: 'LeakyRelu', inputs: [x([3, 4], { data: away(12) })], attrs: { alpha: float(0.2) }, wrt: ['x'] }));
  it('Clip min/max (inputs away from the bounds)', () => ok({
    op: 'Clip', inputs: [x([3, 4], { data: Float32Array.from(away(12), (v) => (Math.abs(Math.abs(v) - 1) < 0.1 ? v * 0.5 : v)) }), { name: 'lo', dims: [], init: true, data: Float32Array.from([-1]) }, { name: 'hi', dims: [], init: true, data: Float32Array.from([1]) }],
    wrt: ['x'],
  }));
  it('Clip with only a max', () => ok({ op: 'Clip', inputs: [x([5], { data: Float32Array.from([-3, -0.5, 0.2, 0.7, 2]) }), { name: '', dims: [], empty: true }, { name: 'hi', dims: [], init: true, data: Float32Array.from([0.5]) }], wrt: ['x'] }));
  for (const op of ['Exp', 'Neg', 'Softplus', 'Abs', 'Elu', 'HardSigmoid', 'HardSwish']) {
    it(op, () => ok({ op, inputs: [x([3, 4], { data: away(12) })], wrt: ['x'] }));
  }
  it('Log, Sqrt, Reciprocal (positive inputs)', async () => {
    for (const op of ['Log', 'Sqrt', 'Reciprocal']) await ok({ op, inputs: [x([6], { data: Float32Array.from([0.5, 1, 1.5, 2, 3, 4]) })], wrt: ['x'] });
  });
  it('PRelu with per-channel slope', () => ok({ op: 'PRelu', inputs: [x([2, 3, 2, 2], { data: away(24) }), y([3, 1, 1], { init: true })], wrt: ['x', 'y'] }));
  it('Identity and Dropout (inference)', async () => {
    await ok({ op: 'Identity', inputs: [x([2, 3])], wrt: ['x'] });
    await ok({ op: 'Dropout', inputs: [x([2, 3])], attrs: {}, wrt: ['x'] });
  });
});

describe('normalization and softmax', () => {
  const r = rng(6);
  it('BatchNormalization (inference) w.r.t. x, scale, bias, mean, var', () => ok({
    op: 'BatchNormalization',
    inputs: [x([2, 3, 4, 4]), { name: 's', dims: [3], init: true }, { name: 'b', dims: [3], init: true }, { name: 'm', dims: [3], init: true },
      { name: 'v', dims: [3], init: true, data: Float32Array.from([0.5, 1, 2]) }],
    attrs: { epsilon: float(1e-3) }, wrt: ['x', 's', 'b', 'm', 'v'],
  }));
  it('BatchNormalization on [N,C]', () => ok({
    op: 'BatchNormalization', inputs: [x([4, 3]), { name: 's', dims: [3], init: true }, { name: 'b', dims: [3], init: true }, { name: 'm', dims: [3], init: true }, { name: 'v', dims: [3], init: true, data: Float32Array.from([0.5, 1, 2]) }],
    wrt: ['x', 's'],
  }));
  it('LRN size 3 and 5 (onnxruntime supports odd sizes only)', async () => {
    await ok({ op: 'LRN', inputs: [x([2, 5, 3, 3], { data: awayFromZero(90, r, 0.2, 2) })], attrs: { size: 3, alpha: float(0.5), beta: float(0.75), bias: float(1) }, wrt: ['x'] });
    await ok({ op: 'LRN', inputs: [x([1, 6, 2, 3], { data: awayFromZero(36, r, 0.2, 2) })], attrs: { size: 5, alpha: float(0.3), beta: float(0.6), bias: float(2) }, wrt: ['x', 'out'], post: true });
  });
  it('Softmax over axis 1 and -1', async () => {
    await ok({ op: 'Softmax', inputs: [x([2, 4, 3])], attrs: { axis: 1 }, wrt: ['x'] });
    await ok({ op: 'Softmax', inputs: [x([3, 5])], wrt: ['x', 'out'], post: true });
  });
  it('LogSoftmax', () => ok({ op: 'LogSoftmax', inputs: [x([3, 5])], attrs: { axis: 1 }, wrt: ['x'] }));
});

describe('data movement', () => {
  it('Concat along channels (three inputs)', () => ok({ op: 'Concat', inputs: [x([2, 2, 3]), y([2, 1, 3]), { name: 'z', dims: [2, 3, 3] }], attrs: { axis: 1 }, wrt: ['x', 'y', 'z'] }));
  it('Split with an unused output', () => ok({
    op: 'Split', inputs: [x([2, 6, 2]), { name: 'sp', dims: [3], ints: [1, 2, 3] }], attrs: { axis: 1 }, outputs: 3, targetOutput: 1, wrt: ['x'],
  }));
  it('Split into equal parts', () => ok({ op: 'Split', inputs: [x([4, 3])], attrs: { axis: 0 }, outputs: 2, targetOutput: 0, wrt: ['x'] }));
  it('Transpose', () => ok({ op: 'Transpose', inputs: [x([2, 3, 4])], attrs: { perm: [2, 0, 1] }, wrt: ['x', 'out'], post: true }));
  it('Transpose default (reverse)', () => ok({ op: 'Transpose', inputs: [x([2, 3, 4])], wrt: ['x'] }));
  it('Squeeze and Unsqueeze', async () => {
    await ok({ op: 'Squeeze', inputs: [x([2, 1, 3, 1]), { name: 'ax', dims: [1], ints: [1] }], wrt: ['x'] });
    await ok({ op: 'Unsqueeze', inputs: [x([2, 3]), { name: 'ax', dims: [2], ints: [0, 3] }], wrt: ['x'] });
  });
  it('Pad constant with positive and negative pads', async () => {
    await ok({ op: 'Pad', inputs: [x([1, 2, 4, 5]), { name: 'p', dims: [8], ints: [0, 0, 1, 2, 0, 1, 2, 0] }], wrt: ['x'] });
    await ok({ op: 'Pad', inputs: [x([1, 2, 4, 5]), { name: 'p', dims: [8], ints: [0, 0, -1, 2, 0, 0, 1, -2] }], wrt: ['x'] });
  });
  it('Slice', () => ok({ op: 'Slice', inputs: [x([3, 6, 5]), { name: 's', dims: [2], ints: [1, -4] }, { name: 'e', dims: [2], ints: [5, 100] }, { name: 'a', dims: [2], ints: [1, 2] }], wrt: ['x'] }));
  it('Expand', () => ok({ op: 'Expand', inputs: [x([3, 1]), { name: 's', dims: [3], ints: [2, 3, 4] }], wrt: ['x'] }));
});

describe('reductions', () => {
  it('ReduceMean over H,W without keepdims', () => ok({ op: 'ReduceMean', inputs: [x([2, 3, 4, 5])], attrs: { axes: [2, 3], keepdims: 0 }, wrt: ['x'] }));
  it('ReduceMean over all axes', () => ok({ op: 'ReduceMean', inputs: [x([2, 3])], wrt: ['x'] }));
  it('ReduceSum with axes input and keepdims', () => ok({ op: 'ReduceSum', inputs: [x([2, 3, 4]), { name: 'ax', dims: [1], ints: [-2] }], wrt: ['x'] }));
});

describe('Resize', () => {
  const resize = (dims: number[], attrs: object, scales?: number[], sizes?: number[]) => ok({
    op: 'Resize',
    inputs: [x(dims), { name: '', dims: [], empty: true },
      scales ? { name: 'sc', dims: [4], init: true, data: Float32Array.from(scales) } : { name: '', dims: [], empty: true },
      ...(sizes ? [{ name: 'sz', dims: [4], ints: sizes }] : [])],
    attrs: attrs as never, wrt: ['x', 'out'], post: true,
  });
  it('nearest ×2 (default half_pixel, round_prefer_floor)', () => resize([1, 2, 3, 4], { mode: 'nearest' }, [1, 1, 2, 2]));
  it('nearest asymmetric floor, non-integer scale', () => resize([1, 1, 5, 4], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, [1, 1, 1.5, 2.5]));
  it('linear half_pixel ×2', () => resize([2, 2, 3, 3], { mode: 'linear' }, [1, 1, 2, 2]));
  it('linear align_corners via sizes 5→7, 4→3 (downsampling)', () => resize([1, 2, 5, 4], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, undefined, [1, 2, 7, 3]));
});

describe('less common ops', () => {
  const r = rng(14);
  it('Erf', () => ok({ op: 'Erf', inputs: [x([3, 4])], wrt: ['x'] }));
  it('Where with broadcast branches', async () => {
    const b = new GraphBuilder('where');
    const c0 = b.input('c0', [2, 3]);
    const xa = b.input('x', [2, 3]);
    const yb = b.input('y', [3]);
    const cond = b.op('Greater', [c0, b.initializer('zero', Float32Array.from([0]), [])]);
    const out = b.op('Where', [cond, xa, yb]);
    b.output(out);
    const rr = rng(3);
    const rs = await checkGradients(b.build(), { target: { kind: 'weighted-sum', tensor: out, weightsInput: 'W' }, wrt: ['x', 'y'] }, {
      c0: { data: Float32Array.from([1, -1, 1, -1, -1, 1]), dims: [2, 3] }, x: { data: randn(6, rr), dims: [2, 3] }, y: { data: randn(3, rr), dims: [3] }, W: { data: randn(6, rr), dims: [2, 3] },
    });
    expect(rs.every((q) => q.ok), summary(rs)).toBe(true);
  });
  it('Tile', () => ok({ op: 'Tile', inputs: [x([2, 3]), { name: 'rep', dims: [2], ints: [2, 3] }], wrt: ['x'] }));
  it('Gather along axis 0 with repeated indices (gradients add up)', () => ok({ op: 'Gather', inputs: [x([4, 3]), { name: 'i', dims: [2, 2], ints: [1, 3, 1, 0] }], wrt: ['x'] }));
  it('Gather along axis 1 with negative index', () => ok({ op: 'Gather', inputs: [x([2, 5, 3]), { name: 'i', dims: [3], ints: [4, -1, 0] }], attrs: { axis: 1 }, wrt: ['x'] }));
  it('ReduceMax over axes (keepdims 0)', () => ok({ op: 'ReduceMax', inputs: [x([2, 3, 4], { data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3) })], attrs: { axes: [1], keepdims: 0 }, wrt: ['x'] }));
  it('InstanceNormalization', () => ok({
    op: 'InstanceNormalization', inputs: [x([2, 3, 4, 3]), { name: 's', dims: [3], init: true }, { name: 'b', dims: [3], init: true }], attrs: { epsilon: float(1e-3) }, wrt: ['x', 's', 'b'],
  }));
  it('LayerNormalization over the last two axes', () => ok({
    op: 'LayerNormalization', inputs: [x([2, 3, 4], { data: awayFromZero(24, r, 0.1, 2) }), { name: 's', dims: [3, 4], init: true }, { name: 'b', dims: [3, 4], init: true }], attrs: { axis: 1, epsilon: float(1e-3) }, wrt: ['x', 's', 'b'],
  }));
});

describe('more activations, reductions and rearrangements', () => {
  const r = rng(19);
  for (const op of ['Sin', 'Cos', 'Softsign', 'Selu', 'Celu', 'Mish']) {
    it(op, () => ok({ op, inputs: [x([3, 4], { data: awayFromZero(12, r, 0.1, 2) })], wrt: ['x'], opset: op === 'Mish' ? 18 : undefined }));
  }
  it('opset 18 model: reductions with axes inputs', async () => {
    await ok({ op: 'ReduceMean', inputs: [x([2, 3, 4]), { name: 'ax', dims: [1], ints: [1] }], attrs: { keepdims: 0 }, wrt: ['x'], opset: 18 });
    await ok({ op: 'ReduceMax', inputs: [x([2, 3, 4]), { name: 'ax', dims: [2], ints: [0, 2] }], wrt: ['x'], opset: 18 });
    await ok({ op: 'InstanceNormalization', inputs: [x([2, 3, 5]), { name: 's', dims: [3], init: true }, { name: 'b', dims: [3], init: true }], wrt: ['x', 's'], opset: 18 });
  });
  it('ThresholdedRelu', () => ok({ op: 'ThresholdedRelu', inputs: [x([8], { data: Float32Array.from([-1, 0.5, 1.5, 2, 0.2, 3, 1.2, -2]) })], attrs: { alpha: float(1) }, wrt: ['x'] }));
  it('ReduceL2, ReduceSumSquare, ReduceLogSumExp', async () => {
    for (const op of ['ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp']) await ok({ op, inputs: [x([2, 3, 4])], attrs: { axes: [2], keepdims: 0 }, wrt: ['x'] });
  });
  it('elementwise Max and Min with broadcast', async () => {
    await ok({ op: 'Max', inputs: [x([2, 3]), y([3]), { name: 'z', dims: [2, 1] }], wrt: ['x', 'y', 'z'] });
    await ok({ op: 'Min', inputs: [x([2, 3]), y([2, 3])], wrt: ['x', 'y'] });
  });
  it('DepthToSpace DCR and CRD, SpaceToDepth', async () => {
    await ok({ op: 'DepthToSpace', inputs: [x([1, 8, 2, 3])], attrs: { blocksize: 2 }, wrt: ['x', 'out'], post: true });
    await ok({ op: 'DepthToSpace', inputs: [x([2, 8, 2, 2])], attrs: { blocksize: 2, mode: 'CRD' }, wrt: ['x'] });
    await ok({ op: 'SpaceToDepth', inputs: [x([1, 2, 4, 6])], attrs: { blocksize: 2 }, wrt: ['x', 'out'], post: true });
  });
});
