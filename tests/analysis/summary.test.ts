// Receptive fields, parameter and MAC counts against hand computation for LeNet-5 and VGG16.
import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';
import type { LayerInfo, ModelSummary } from '../../core/analysis/types.ts';
import { lenet5, vgg16 } from './models.ts';
import { weight, ortShapes, concrete } from './helpers.ts';

const layer = (s: ModelSummary, name: string): LayerInfo => {
  const l = s.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
};

describe('LeNet-5', () => {
  const s = analyzeModel(lenet5());

  it('receptive fields (hand-computed)', () => {
    // Input pixel centres at 0…31; per axis rf' = rf + (k−1)·j, j' = j·s, start' = start + ((k−1)/2 − p)·j.
    // C1 conv5:  rf 1+4·1 = 5,   j 1, start 0+2·1 = 2
    // S2 pool2:  rf 5+1·1 = 6,   j 2, start 2+0.5·1 = 2.5
    // C3 conv5:  rf 6+4·2 = 14,  j 2, start 2.5+2·2 = 6.5
    // S4 pool2:  rf 14+1·2 = 16, j 4, start 6.5+0.5·2 = 7.5
    // C5 conv5:  rf 16+4·4 = 32, j 4, start 7.5+2·4 = 15.5 — the whole 32×32 input, centred at (15.5, 15.5).
    // So the last conv of the conv5→pool2→conv5→pool2 stack (C3) sees 14×14 and its pooled output 16×16.
    const expectRF = (name: string, size: number, jump: number, start: number) => {
      expect(layer(s, name).receptiveField, name).toEqual({ size: [size, size], jump: [jump, jump], start: [start, start] });
    };
    expectRF('c1', 5, 1, 2);
    expectRF('c1_act', 5, 1, 2);
    expectRF('s2', 6, 2, 2.5);
    expectRF('c3', 14, 2, 6.5);
    expectRF('s4', 16, 4, 7.5);
    expectRF('c5', 32, 4, 15.5);
    // Fully connected layers see the whole input.
    expect(layer(s, 'f6').receptiveField?.size).toEqual([32, 32]);
  });

  it('shapes, params and MACs (hand-computed)', () => {
    expect(layer(s, 'c1').outputShapes[0]).toEqual(['N', 6, 28, 28]);
    expect(layer(s, 's2').outputShapes[0]).toEqual(['N', 6, 14, 14]);
    expect(layer(s, 'c3').outputShapes[0]).toEqual(['N', 16, 10, 10]);
    expect(layer(s, 's4').outputShapes[0]).toEqual(['N', 16, 5, 5]);
    expect(layer(s, 'c5').outputShapes[0]).toEqual(['N', 120, 1, 1]);
    expect(layer(s, 'flatten').outputShapes[0]).toEqual(['N', 120]);
    // params: C1 6·25+6 = 156; C3 16·6·25+16 = 2416; C5 120·16·25+120 = 48120; F6 84·120+84 = 10164; out 10·84+10 = 850
    expect([156, 2416, 48120, 10164, 850]).toEqual(['c1', 'c3', 'c5', 'f6', 'out'].map((n) => layer(s, n).params));
    expect(s.totals.params).toBe(61706);
    // MACs: C1 6·28·28·1·25 = 117600; C3 16·10·10·6·25 = 240000; C5 120·1·1·16·25 = 48000; F6 120·84 = 10080; out 840
    expect(['c1', 'c3', 'c5', 'f6', 'out'].map((n) => layer(s, n).macs)).toEqual([117600, 240000, 48000, 10080, 840]);
    expect(s.totals.macs).toBe(416520);
    expect(layer(s, 'c1').formula).toBe('H: floor((32 − 5) / 1) + 1 = 28; W: floor((32 − 5) / 1) + 1 = 28');
    expect(layer(s, 'c1').kernel).toEqual([5, 5]);
    expect(layer(s, 's2').stride).toEqual([2, 2]);
    expect(layer(s, 'c1').groups).toBe(1);
    expect(s.totals.layers).toBe(12);
    expect(s.inputs).toEqual([{ name: 'input', shape: ['N', 1, 32, 32], dtype: 'float32' }]);
    expect(s.outputs[0]!.shape).toEqual(['N', 10]);
    expect(s.warnings).toEqual([]);
  });

  it('inferred shapes agree with onnxruntime for every LeNet tensor', async () => {
    const m = lenet5();
    const ort = await ortShapes(m, 1);
    for (const l of s.layers) for (let i = 0; i < l.outputs.length; i++) {
      expect(concrete(l.outputShapes[i] ?? undefined, 1), l.outputs[i]).toEqual(ort.get(l.outputs[i]!));
    }
  });
});

describe('VGG16 at 224×224 (weights declared, not stored)', () => {
  const s = analyzeModel(vgg16({ withData: false }));

  it('receptive fields (hand-computed)', () => {
    // 3×3 convs (pad 1) add 2·j; 2×2/2 pools add 1·j and double j.
    // block1: 3, 5 → pool1 6 (j2);  block2: 10, 14 → pool2 16 (j4);  block3: 24, 32, 40 → pool3 44 (j8)
    // block4: 60, 76, 92 → pool4 100 (j16);  block5: 132, 164, 196 → pool5 212 (j32)
    // Starts: convs with pad 1 keep the centre ((3−1)/2 − 1 = 0); each pool adds 0.5·j:
    // pool1 0.5, pool2 1.5, pool3 3.5, pool4 7.5, pool5 15.5.
    const rf = (n: string) => layer(s, n).receptiveField!;
    expect(rf('conv1_1')).toEqual({ size: [3, 3], jump: [1, 1], start: [0, 0] });
    expect(rf('pool1').size[0]).toBe(6);
    expect(rf('pool2')).toEqual({ size: [16, 16], jump: [4, 4], start: [1.5, 1.5] });
    expect(rf('conv3_3').size[0]).toBe(40);
    expect(rf('pool4')).toEqual({ size: [100, 100], jump: [16, 16], start: [7.5, 7.5] });
    expect(rf('conv5_3')).toEqual({ size: [196, 196], jump: [16, 16], start: [7.5, 7.5] });
    expect(rf('pool5')).toEqual({ size: [212, 212], jump: [32, 32], start: [15.5, 15.5] });
  });

  it('params and MACs (hand-computed)', () => {
    // Convs: Σ (9·Cin·Cout + Cout) = 14,714,688; FCs: 25088·4096+4096 + 4096·4096+4096 + 4096·1000+1000 = 123,642,856.
    expect(s.totals.params).toBe(138_357_544);
    expect(layer(s, 'fc6').params).toBe(102_764_544);
    // MACs at 224: conv1_1 224²·64·3·9 = 86,704,128; six layers of 1,849,688,064 (conv1_2, 2_2, 3_2, 3_3, 4_2, 4_3);
    // three of 924,844,032 (conv2_1, 3_1, 4_1); three of 462,422,016 (conv5_x) → 15,346,630,656 in convs;
    // FCs 25088·4096 + 4096·4096 + 4096·1000 = 123,633,664.
    expect(layer(s, 'conv1_1').macs).toBe(86_704_128);
    expect(layer(s, 'conv5_3').macs).toBe(462_422_016);
    expect(s.layers.filter((l) => l.op === 'Conv').reduce((a, l) => a + l.macs, 0)).toBe(15_346_630_656);
    expect(s.totals.macs).toBe(15_470_264_320);
    expect(layer(s, 'pool5').outputShapes[0]).toEqual(['N', 512, 7, 7]);
    expect(layer(s, 'conv1_1').formula).toBe('H: floor((224 − 3 + 2·1) / 1) + 1 = 224; W: floor((224 − 3 + 2·1) / 1) + 1 = 224');
    expect(layer(s, 'conv1_1').pads).toEqual([1, 1, 1, 1]);
  });
});

describe('receptive-field rules beyond plain stacks', () => {
  it('dilation, ceil-mode pooling, residual merge and ConvTranspose', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 1, 32, 32]);
    // conv 3×3 dilation 2 pad 2: k_eff 5 → rf 5, j 1, start 0+(2−2)·1 = 0
    const a = b.op('Conv', [x, weight(b, 'w1', [2, 1, 3, 3])], { dilations: [2, 2], pads: [2, 2, 2, 2] }, 'dil');
    // conv 3×3 stride 2 pad 1 on top: rf 5+2·1 = 7, j 2, start 0+(1−1)·1 = 0
    const c = b.op('Conv', [a, weight(b, 'w2', [2, 2, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1] }, 's2conv');
    // shortcut: 1×1 stride 2 from x: rf 1, j 2, start 0 → Add takes the union: rf 7, j 2, start 0
    const sc = b.op('Conv', [x, weight(b, 'w3', [2, 1, 1, 1])], { strides: [2, 2] }, 'shortcut');
    const sum = b.op('Add', [c, sc], {}, 'add');
    // MaxPool 3/2 ceil: rf 7+2·2 = 11, j 4, start 0+1·2 = 2
    const p = b.op('MaxPool', [sum], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 'pool');
    // ConvTranspose k4 s2 p1: size += (⌈4/2⌉−1)·4 = 15, j 4/2 = 2, start 2 + ((1 − 1.5)/2)·4 = 1
    const t = b.op('ConvTranspose', [p, weight(b, 'w4', [2, 1, 4, 4])], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'up');
    b.output(t);
    const s = analyzeModel(b.build());
    const rf = (n: string) => layer(s, n).receptiveField!;
    expect(rf('dil')).toEqual({ size: [5, 5], jump: [1, 1], start: [0, 0] });
    expect(rf('s2conv')).toEqual({ size: [7, 7], jump: [2, 2], start: [0, 0] });
    expect(rf('add')).toEqual({ size: [7, 7], jump: [2, 2], start: [0, 0] });
    expect(rf('pool')).toEqual({ size: [11, 11], jump: [4, 4], start: [2, 2] });
    expect(rf('up')).toEqual({ size: [15, 15], jump: [2, 2], start: [1, 1] });
    expect(layer(s, 'dil').formula).toBe('H: floor((32 − 5 + 2·2) / 1) + 1 = 32 (k_eff = 2·(3 − 1) + 1 = 5); W: floor((32 − 5 + 2·2) / 1) + 1 = 32 (k_eff = 2·(3 − 1) + 1 = 5)');
    expect(layer(s, 'pool').formula).toMatch(/^H: ceil\(\(16 − 3\) \/ 2\) \+ 1 = 8;/);
    expect(layer(s, 'up').formula).toMatch(/^H: 2·\(8 − 1\) \+ 4 − 1 − 1 = 16;/);
    // ConvTranspose MACs: Cin·Hin·Win·(Cout/g)·k² = 2·8·8·1·16
    expect(layer(s, 'up').macs).toBe(2 * 8 * 8 * 16);
    expect(s.warnings).toEqual([]);
  });

  it('counts a shared initializer once and ignores int64 shape constants', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 4]);
    const w = weight(b, 'w', [4, 4]);
    const y = b.op('MatMul', [x, w], {}, 'm1');
    const z = b.op('MatMul', [y, w], {}, 'm2');
    const r = b.op('Reshape', [z, b.initializer('shape', BigInt64Array.from([-1n, 2n]), [2])], {}, 'r');
    b.output(r);
    const s = analyzeModel(b.build());
    expect(layer(s, 'm1').params).toBe(16);
    expect(layer(s, 'm2').params).toBe(0);
    expect(layer(s, 'r').params).toBe(0);
    expect(s.totals.params).toBe(16);
    expect(layer(s, 'm1').macs).toBe(16); // 1·4 outputs × K 4
    expect(layer(s, 'r').outputShapes[0]).toEqual(['N*2', 2]);
  });
});
