// Kernel extraction (initializer, Identity, Constant), histogram and norms checked by hand, kernel images.
import { describe, expect, it } from 'vitest';
import { GraphBuilder, tensorAttr } from '../../core/onnx/builder.ts';
import { makeTensor } from '../../core/onnx/tensor-proto.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { convWeights, filterNorms, histogram, kernelGrid, layerFilters, symmetricUnit } from '../../core/filters/index.ts';

const W = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1) / 4); // ±0.25 … ±6

function model(how: 'init' | 'identity' | 'constant' | 'computed') {
  const b = new GraphBuilder('f');
  const x = b.input('input', ['N', 3, 8, 8]);
  let w: string;
  if (how === 'constant') w = b.node('Constant', [], { value: tensorAttr(makeTensor('kw', W, [2, 3, 2, 2])) }, { name: 'kconst', outputs: ['kw'] })[0]!;
  else {
    w = b.initializer('conv.w', W, [2, 3, 2, 2]);
    if (how === 'identity') w = b.node('Identity', [w], {}, { name: 'id', outputs: ['w_id'] })[0]!;
    if (how === 'computed') w = b.node('Neg', [w], {}, { name: 'neg', outputs: ['w_neg'] })[0]!;
  }
  const bias = b.initializer('conv.b', Float32Array.from([0.5, -0.5]), [2]);
  const c = b.node('Conv', [x, w, bias], { kernel_shape: [2, 2] }, { name: 'conv', outputs: ['conv_out'] })[0]!;
  const r = b.node('Relu', [c], {}, { name: 'relu', outputs: ['relu_out'] })[0]!;
  b.output(r, ['N', 2, 7, 7]);
  return b.build();
}

describe('filters', () => {
  it('finds kernels through initializers, Identity and Constant nodes', () => {
    for (const how of ['init', 'identity', 'constant'] as const) {
      const w = convWeights(model(how), 'conv');
      expect(w.dims).toEqual([2, 3, 2, 2]);
      expect(Array.from(w.data)).toEqual(Array.from(W));
      expect(w.via).toEqual(how === 'init' ? ['initializer'] : how === 'identity' ? ['Identity', 'initializer'] : ['Constant']);
      expect(Array.from(w.bias!)).toEqual([0.5, -0.5]);
    }
    // by output tensor name too
    expect(convWeights(model('init'), 'conv_out').layer).toBe('conv');
  });

  it('explains layers it cannot show', () => {
    expect(() => convWeights(model('computed'), 'conv')).toThrow(/computed by Neg node "neg"/);
    expect(() => convWeights(model('init'), 'relu')).toThrow(/"relu" is a Relu, not a convolution.*\(conv\)/);
    expect(() => convWeights(model('init'), 'cnov')).toThrow(/no layer named "cnov"; did you mean "conv"/);
  });

  it('computes histogram and L2 norms that match hand values', () => {
    const f = layerFilters(model('init'), 'conv', { bins: 4 });
    // values ±(k/4), k = 1..24: min −6 (k=24, odd index 23), max 5.75 (k=23); bins of width 2.9375
    expect(f.histogram.min).toBe(-6);
    expect(f.histogram.max).toBe(5.75);
    const edges = [-6, -6 + 2.9375, -6 + 2 * 2.9375, -6 + 3 * 2.9375];
    const expected = [0, 0, 0, 0];
    for (const v of W) expected[v === 5.75 ? 3 : edges.filter((e) => v >= e).length - 1]!++;
    expect(Array.from(f.histogram.counts)).toEqual(expected);
    expect(f.histogram.counts.reduce((a, b) => a + b, 0)).toBe(24);
    // filter 0: k = 1..12 → sqrt(Σ k²)/4 = sqrt(650)/4; filter 1: k = 13..24 → sqrt(4250)/4
    expect(f.norms[0]).toBeCloseTo(Math.sqrt(650) / 4, 5);
    expect(f.norms[1]).toBeCloseTo(Math.sqrt(4250) / 4, 5);
    expect(f.view).toBe('rgb');
    expect(() => histogram(W, 0)).toThrow(/bins/);
    expect(Array.from(filterNorms(Float32Array.from([3, 4, 0, 0]), 2))).toEqual([5, 0]);
  });

  it('draws kernels symmetric around 0: RGB tiles for a first layer, slices deeper', () => {
    const u = symmetricUnit(Float32Array.from([-2, 0, 1, 2]));
    expect(Array.from(u)).toEqual([0, 0.5, 0.75, 1]);
    const f = convWeights(model('init'), 'conv');
    const g = kernelGrid(f, { scale: 3, gap: 1 });
    // 2 filters → 2 columns × 1 row of 6×6 tiles: width 2·(6+1)+1, height 6+2
    expect([g.image.width, g.image.height, g.view]).toEqual([15, 8, 'rgb']);
    // pixel (1,1) is filter 0, kernel (0,0): R = W[0] = 0.25, G = W[4] = 1.25, B = W[8] = 2.25, over max 6
    const px = (x: number, y: number) => Array.from(g.image.data.subarray((y * 15 + x) * 4, (y * 15 + x) * 4 + 3));
    expect(px(1, 1)).toEqual([0.25, 1.25, 2.25].map((v) => Math.round((v / 12 + 0.5) * 255)));
    const s = kernelGrid(f, { view: 'slices', scale: 2, gap: 1 });
    // 2 rows (filters) × 3 columns (input channels) of 4×4 tiles
    expect([s.image.width, s.image.height, s.columns, s.rows]).toEqual([3 * 5 + 1, 2 * 5 + 1, 3, 2]);
  });

  it('works on a zoo model', () => {
    const lenet = buildZooModel('lenet5');
    const f = layerFilters(lenet, 'features.3', { bins: 16 });
    expect(f.dims).toEqual([16, 6, 5, 5]);
    expect(f.view).toBe('slices');
    expect(f.norms.length).toBe(16);
    expect(f.histogram.counts.reduce((a, b) => a + b, 0)).toBe(16 * 6 * 25);
    const first = layerFilters(lenet, 'features.0');
    expect(first.view).toBe('gray');
    let s = 0;
    for (let i = 0; i < 25; i++) s += first.data[i]! ** 2;
    expect(first.norms[0]).toBeCloseTo(Math.sqrt(s), 5);
  });
});
