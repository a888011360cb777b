// Finite-difference checks of the training-critical ops: Conv, ConvTranspose, Gemm, Relu, pools,
// Flatten, Reshape, Add, Tanh, Sigmoid — w.r.t. inputs, weights and intermediate activations.
import { describe, it, expect } from 'vitest';
import { opCase, checkCase, awayFromZero, distinct, float } from './cases.ts';
import { summary } from './fd.ts';
import { rng } from './fd.ts';

const expectOk = async (c: Parameters<typeof checkCase>[0], o?: Parameters<typeof checkCase>[1]) => {
  const rs = await checkCase(c, o);
  expect(rs.length).toBe(c.req.wrt.length);
  expect(rs.every((r) => r.ok), summary(rs)).toBe(true);
};

describe('Conv gradient', () => {
  const conv = (x: number[], w: number[], attrs: object, bias = true) => opCase({
    op: 'Conv',
    inputs: [{ name: 'x', dims: x }, { name: 'w', dims: w, init: true }, ...(bias ? [{ name: 'b', dims: [w[0]!], init: true }] : [])],
    attrs: attrs as never, wrt: ['x', 'w', ...(bias ? ['b'] : []), 'out'], post: true,
  });
  it('stride 2, pads 1, odd size', () => expectOk(conv([2, 3, 7, 7], [4, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('stride 3 with remainder, asymmetric pads, rectangular kernel', () => expectOk(conv([1, 2, 10, 9], [3, 2, 3, 2], { strides: [3, 2], pads: [0, 1, 2, 0] })));
  it('groups 2 with dilation 2', () => expectOk(conv([2, 4, 9, 8], [6, 2, 3, 3], { group: 2, dilations: [2, 2], pads: [1, 1, 1, 1] })));
  it('depthwise stride 2', () => expectOk(conv([1, 3, 8, 7], [3, 1, 3, 3], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('depthwise multiplier 2 with dilation and stride', () => expectOk(conv([1, 2, 11, 11], [4, 1, 3, 3], { group: 2, strides: [2, 2], dilations: [2, 2] })));
  it('auto_pad SAME_UPPER stride 2', () => expectOk(conv([1, 2, 7, 8], [3, 2, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] })));
  it('auto_pad SAME_LOWER, no bias', () => expectOk(conv([1, 2, 6, 6], [2, 2, 4, 4], { auto_pad: 'SAME_LOWER' }, false)));
  it('auto_pad VALID, 1x1 kernel', () => expectOk(conv([2, 3, 5, 5], [4, 3, 1, 1], { auto_pad: 'VALID' })));
  it('1x1 stride 2 (downsampling path), odd size', () => expectOk(conv([2, 4, 7, 7], [6, 4, 1, 1], { strides: [2, 2] })));
  it('1x1 stride 2/3 with pads and groups', () => expectOk(conv([1, 4, 8, 9], [4, 2, 1, 1], { strides: [2, 3], pads: [1, 0, 0, 2], group: 2 })));
  it('1-D conv', () => expectOk(conv([2, 3, 11], [2, 3, 3], { strides: [2], pads: [1, 1] })));
  it('3-D conv, stride 2 with pads', () => expectOk(conv([1, 2, 5, 4, 5], [2, 2, 3, 2, 3], { strides: [2, 1, 2], pads: [1, 0, 1, 1, 1, 0] })));
});

describe('ConvTranspose gradient', () => {
  const convT = (x: number[], w: number[], attrs: object) => opCase({
    op: 'ConvTranspose',
    inputs: [{ name: 'x', dims: x }, { name: 'w', dims: w, init: true }, { name: 'b', dims: [w[1]! * ((attrs as { group?: number }).group ?? 1)], init: true }],
    attrs: attrs as never, wrt: ['x', 'w', 'b', 'out'], post: true,
  });
  it('stride 2, pads 1, output_padding 1', () => expectOk(convT([2, 3, 5, 5], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })));
  it('groups 2 with dilation 2', () => expectOk(convT([1, 4, 4, 5], [4, 3, 3, 3], { group: 2, dilations: [2, 2], strides: [1, 2] })));
  it('output_shape given', () => expectOk(convT([1, 2, 4, 4], [2, 3, 3, 3], { strides: [2, 2], output_shape: [8, 8] })));
  it('1-D, stride 3, dilation 2', () => expectOk(convT([2, 2, 5], [2, 3, 3], { strides: [3], dilations: [2], pads: [1, 2] })));
  it('auto_pad SAME_UPPER', () => expectOk(convT([1, 2, 3, 4], [2, 2, 4, 4], { strides: [2, 2], auto_pad: 'SAME_UPPER' })));
});

describe('Gemm gradient', () => {
  for (const [tA, tB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
    it(`transA=${tA} transB=${tB}, alpha/beta, broadcast C`, () => expectOk(opCase({
      op: 'Gemm',
      inputs: [{ name: 'a', dims: tA ? [4, 3] : [3, 4] }, { name: 'bm', dims: tB ? [5, 4] : [4, 5], init: true }, { name: 'c', dims: [5], init: true }],
      attrs: { transA: tA, transB: tB, alpha: float(0.7), beta: float(1.5) }, wrt: ['a', 'bm', 'c', 'out'], post: true,
    })));
  }
  it('C of shape [M,1] and no alpha', () => expectOk(opCase({
    op: 'Gemm', inputs: [{ name: 'a', dims: [3, 4] }, { name: 'bm', dims: [4, 2], init: true }, { name: 'c', dims: [3, 1], init: true }],
    wrt: ['a', 'bm', 'c'],
  })));
});

describe('activations and Add', () => {
  const r = rng(3);
  it('Relu (inputs away from the kink)', () => expectOk(opCase({ op: 'Relu', inputs: [{ name: 'x', dims: [2, 3, 4], data: awayFromZero(24, r) }], wrt: ['x', 'out'], post: true })));
  it('Tanh', () => expectOk(opCase({ op: 'Tanh', inputs: [{ name: 'x', dims: [3, 5] }], wrt: ['x'] })));
  it('Sigmoid', () => expectOk(opCase({ op: 'Sigmoid', inputs: [{ name: 'x', dims: [3, 5] }], wrt: ['x', 'out'], post: true })));
  it('Add with channel broadcast', () => expectOk(opCase({ op: 'Add', inputs: [{ name: 'x', dims: [2, 3, 4, 4] }, { name: 'y', dims: [3, 1, 1], init: true }], wrt: ['x', 'y'] })));
});

describe('pooling gradient', () => {
  const pool = (op: string, x: number[], attrs: object, seed = 1) => opCase({
    op, inputs: [{ name: 'x', dims: x, data: distinct(x.reduce((a, b) => a * b, 1), rng(seed), 0.05) }], attrs: attrs as never, wrt: ['x'], seed,
  });
  it('MaxPool overlapping 3x3 stride 2 pads 1 (gradients add up)', () => expectOk(pool('MaxPool', [2, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('MaxPool stride 1 (heavy overlap)', () => expectOk(pool('MaxPool', [1, 2, 5, 5], { kernel_shape: [3, 3] })));
  it('MaxPool ceil_mode and dilation', () => expectOk(pool('MaxPool', [1, 2, 8, 8], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, dilations: [2, 2] })));
  it('MaxPool 1-D', () => expectOk(pool('MaxPool', [2, 3, 9], { kernel_shape: [3], strides: [2] })));
  it('AveragePool count_include_pad=0 with pads', () => expectOk(pool('AveragePool', [1, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('AveragePool count_include_pad=1', () => expectOk(pool('AveragePool', [1, 2, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })));
  it('AveragePool ceil_mode', () => expectOk(pool('AveragePool', [2, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })));
  it('AveragePool ceil_mode + pads + count_include_pad', () => expectOk(pool('AveragePool', [1, 1, 10, 10], { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1, count_include_pad: 1 })));
  it('AveragePool auto_pad SAME_UPPER', () => expectOk(pool('AveragePool', [1, 2, 7, 6], { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' })));
  it('MaxPool 3-D', () => expectOk(pool('MaxPool', [1, 2, 4, 5, 4], { kernel_shape: [2, 3, 2], strides: [2, 1, 2], pads: [0, 1, 0, 0, 1, 0] })));
  it('GlobalAveragePool', () => expectOk(pool('GlobalAveragePool', [2, 3, 4, 5], {})));
  it('GlobalMaxPool', () => expectOk(pool('GlobalMaxPool', [2, 3, 4, 5], {})));
});

describe('reshape-like', () => {
  it('Flatten axis 2', () => expectOk(opCase({ op: 'Flatten', inputs: [{ name: 'x', dims: [2, 3, 2, 2] }], attrs: { axis: 2 }, wrt: ['x', 'out'], post: true })));
  it('Reshape with -1 and 0', () => expectOk(opCase({ op: 'Reshape', inputs: [{ name: 'x', dims: [2, 3, 4] }, { name: 's', dims: [3], ints: [0, -1, 2] }], wrt: ['x'] })));
});
