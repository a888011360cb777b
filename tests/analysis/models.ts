// Reference networks built with GraphBuilder for the analysis tests.
import { GraphBuilder } from '../../core/onnx/builder.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { weight, dimsOnly } from './helpers.ts';

/**
 * Classic LeNet-5 (LeCun 1998) on 1×32×32: C1 conv5 (6) → S2 pool2 → C3 conv5 (16) → S4 pool2 →
 * C5 conv5 (120) → F6 fc 84 → fc 10, tanh activations, average pooling.
 */
export function lenet5(withData = true): ModelProto {
  const b = new GraphBuilder('lenet5');
  const W = (n: string, d: number[]) => (withData ? weight(b, n, d) : dimsOnly(b, n, d));
  let x = b.input('input', ['N', 1, 32, 32]);
  x = b.op('Conv', [x, W('c1.w', [6, 1, 5, 5]), W('c1.b', [6])], { kernel_shape: [5, 5] }, 'c1');
  x = b.op('Tanh', [x], {}, 'c1_act');
  x = b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, 's2');
  x = b.op('Conv', [x, W('c3.w', [16, 6, 5, 5]), W('c3.b', [16])], { kernel_shape: [5, 5] }, 'c3');
  x = b.op('Tanh', [x], {}, 'c3_act');
  x = b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, 's4');
  x = b.op('Conv', [x, W('c5.w', [120, 16, 5, 5]), W('c5.b', [120])], { kernel_shape: [5, 5] }, 'c5');
  x = b.op('Tanh', [x], {}, 'c5_act');
  x = b.op('Flatten', [x], { axis: 1 }, 'flatten');
  x = b.op('Gemm', [x, W('f6.w', [84, 120]), W('f6.b', [84])], { transB: 1 }, 'f6');
  x = b.op('Tanh', [x], {}, 'f6_act');
  x = b.op('Gemm', [x, W('out.w', [10, 84]), W('out.b', [10])], { transB: 1 }, 'out');
  b.output(x, ['N', 10]);
  return b.build();
}

/** VGG16 (configuration D) at 224×224. `withData: false` declares weights without values (analysis only). */
export function vgg16(opts: { size?: number; withData?: boolean; classes?: number } = {}): ModelProto {
  const size = opts.size ?? 224;
  const b = new GraphBuilder('vgg16');
  const W = (n: string, d: number[]) => (opts.withData ? weight(b, n, d) : dimsOnly(b, n, d));
  let x = b.input('input', ['N', 3, size, size]);
  let c = 3;
  const blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
  blocks.forEach((widths, bi) => {
    widths.forEach((w, li) => {
      const name = `conv${bi + 1}_${li + 1}`;
      x = b.op('Conv', [x, W(`${name}.w`, [w, c, 3, 3]), W(`${name}.b`, [w])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name);
      x = b.op('Relu', [x], {}, `relu${bi + 1}_${li + 1}`);
      c = w;
    });
    x = b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, `pool${bi + 1}`);
  });
  const s = size / 32;
  x = b.op('Flatten', [x], { axis: 1 }, 'flatten');
  x = b.op('Gemm', [x, W('fc6.w', [4096, 512 * s * s]), W('fc6.b', [4096])], { transB: 1 }, 'fc6');
  x = b.op('Relu', [x], {}, 'relu6');
  x = b.op('Gemm', [x, W('fc7.w', [4096, 4096]), W('fc7.b', [4096])], { transB: 1 }, 'fc7');
  x = b.op('Relu', [x], {}, 'relu7');
  x = b.op('Gemm', [x, W('fc8.w', [opts.classes ?? 1000, 4096]), W('fc8.b', [opts.classes ?? 1000])], { transB: 1 }, 'fc8');
  b.output(x, ['N', opts.classes ?? 1000]);
  return b.build();
}
