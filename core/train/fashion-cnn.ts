// fashion-cnn: a small CNN for 1×28×28 Fashion-MNIST, sized to train in minutes on 2 CPU cores.
//   Conv 3×3 1→16 pad 1, ReLU, MaxPool 2 (28→14); Conv 3×3 16→32 pad 1, ReLU, MaxPool 2 (14→7);
//   Flatten (1,568); Gemm → 128, ReLU; Gemm → 10 logits.
// Parameters: 160 + 4,640 + 200,832 + 1,290 = 206,922. Weights: Kaiming normal (fan-in), biases 0.
// (A third 32→64 conv cost ~3× the step time for about half a point of accuracy.)
import { GraphBuilder, float } from '../onnx/builder.ts';
import type { ModelProto } from '../onnx/proto.ts';
import { Rng } from './rng.ts';

export const FASHION_CNN_INPUT = 'input';
export const FASHION_CNN_OUTPUT = 'logits';

export function buildFashionCnn(opts: { seed: number; batch?: number | string; metadata?: Record<string, string> }): ModelProto {
  const rng = new Rng(opts.seed);
  const g = new GraphBuilder('fashion-cnn');
  const batch = opts.batch ?? 'N';
  let x = g.input(FASHION_CNN_INPUT, [batch, 1, 28, 28]);
  const he = (n: number, fanIn: number): Float32Array => {
    const a = new Float32Array(n), s = Math.sqrt(2 / fanIn);
    for (let i = 0; i < n; i++) a[i] = rng.normal() * s;
    return a;
  };
  const conv = (name: string, cin: number, cout: number): void => {
    const w = g.initializer(`${name}.weight`, he(cout * cin * 9, cin * 9), [cout, cin, 3, 3]);
    const b = g.initializer(`${name}.bias`, new Float32Array(cout), [cout]);
    x = g.node('Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] }, { name, outputs: [name] })[0]!;
  };
  const relu = (name: string): void => { x = g.node('Relu', [x], {}, { name, outputs: [name] })[0]!; };
  const pool = (name: string): void => { x = g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, { name, outputs: [name] })[0]!; };
  const linear = (name: string, fin: number, fout: number, out = name): void => {
    const w = g.initializer(`${name}.weight`, he(fout * fin, fin), [fout, fin]);
    const b = g.initializer(`${name}.bias`, new Float32Array(fout), [fout]);
    x = g.node('Gemm', [x, w, b], { transB: 1, alpha: float(1), beta: float(1) }, { name, outputs: [out] })[0]!;
  };
  conv('features.0', 1, 16); relu('features.1'); pool('features.2');
  conv('features.3', 16, 32); relu('features.4'); pool('features.5');
  x = g.node('Flatten', [x], { axis: 1 }, { name: 'flatten', outputs: ['flatten'] })[0]!;
  linear('classifier.0', 32 * 7 * 7, 128); relu('classifier.1');
  linear('classifier.2', 128, 10, FASHION_CNN_OUTPUT);
  g.output(x, [batch, 10]);
  return g.build({ doc: 'fashion-cnn: small CNN for Fashion-MNIST (receptive core/train/fashion-cnn.ts)', metadata: opts.metadata });
}
