// Gradients of pooling ops. MaxPool routes gradients through its Indices output with an additive
// ScatterElements (overlapping windows add up); AveragePool uses a ones-kernel ConvTranspose whose
// per-window divisors are read off the forward op itself, so ceil_mode/count_include_pad match exactly.
import type { GradRule, GradCtx } from './context.ts';
import { poolGeometry } from '../shapes.ts';

function scatterFromIndices(c: GradCtx, x: string, indices: string, g: string): string {
  const e = c.e;
  const flatShape = e.i64([-1]);
  const zeros = e.op('ConstantOfShape', [e.reshape(e.op('Size', [x]), e.i64([1]))]);
  const s = e.op('ScatterElements', [zeros, e.reshape(indices, flatShape), e.reshape(g, flatShape)], { axis: 0, reduction: 'add' });
  return e.reshape(s, e.shapeOf(x));
}

const maxPool: GradRule = (c) => {
  if (!c.need(0)) return [];
  if (c.a.int('storage_order', 0) !== 0) c.fail('storage_order=1 is not supported');
  // Ask the forward node for its argmax indices (free: it computes them anyway).
  if (!c.node.output[1]) c.node.output[1] = c.e.fresh('maxpool_indices');
  return [scatterFromIndices(c, c.input(0), c.node.output[1]!, c.g)];
};

const globalMaxPool: GradRule = (c) => {
  if (!c.need(0)) return [];
  const x = c.input(0);
  const sp = c.staticSlice(x, 2);
  const [, idx] = c.e.node('MaxPool', [x], { kernel_shape: sp }, 2);
  return [scatterFromIndices(c, x, idx!, c.g)];
};

const averagePool: GradRule = (c) => {
  if (!c.need(0)) return [];
  const x = c.input(0), e = c.e;
  const sp = c.staticSlice(x, 2), osp = c.staticSlice(c.output(0), 2);
  const kernel = c.a.ints('kernel_shape')!;
  const k = kernel.length;
  const geo = poolGeometry(c.a, sp, kernel);
  const { strides: s, dilations: d } = geo;
  const pb = geo.pads.slice(0, k), pe = geo.pads.slice(k);
  // Windows that ceil_mode lets run past the padded input: extend the end padding to cover them.
  const peExt = pe.map((p, i) => Math.max(p, (osp[i]! - 1) * s[i]! + (kernel[i]! - 1) * d[i]! + 1 - sp[i]! - pb[i]!));
  const ones = e.f32(new Float32Array(sp.reduce((a, b) => a * b, 1)).fill(1), [1, 1, ...sp]);
  const onesK = e.f32(new Float32Array(kernel.reduce((a, b) => a * b, 1)).fill(1), [1, 1, ...kernel]);
  const avg = e.op('AveragePool', [ones], {
    kernel_shape: kernel, strides: s, pads: geo.pads, ceil_mode: c.a.int('ceil_mode', 0),
    count_include_pad: c.a.int('count_include_pad', 0),
    ...(c.a.has('dilations') ? { dilations: d } : {}),
  });
  const valid = e.op('Conv', [ones, onesK], { strides: s, dilations: d, pads: [...pb, ...peExt], kernel_shape: kernel });
  // ONNX shape inference may disagree with the runtime on ceil_mode sizes: slice to the true size.
  const avgExact = e.op('Slice', [avg, e.i64(osp.map(() => 0)), e.i64(osp), e.i64(osp.map((_, i) => i + 2))]);
  const invD = e.op('Div', [avgExact, e.op('Max', [valid, e.scalar(1)])]);
  const gy = e.op('Mul', [e.reshape(c.g, e.i64([-1, 1, ...osp])), invD]);
  const op = sp.map((h, i) => h - (s[i]! * (osp[i]! - 1) + (kernel[i]! - 1) * d[i]! + 1 - pb[i]! - peExt[i]!));
  const pe2 = [...peExt];
  for (let i = 0; i < k; i++) if (op[i]! < 0) { pe2[i] = pe2[i]! - op[i]!; op[i] = 0; }
  const dx = e.op('ConvTranspose', [gy, onesK], { strides: s, dilations: d, pads: [...pb, ...pe2], output_padding: op, kernel_shape: kernel });
  return [e.reshape(dx, e.shapeOf(x))];
};

const globalAveragePool: GradRule = (c) => {
  if (!c.need(0)) return [];
  const x = c.input(0), e = c.e;
  const sp = c.dims(x).slice(2);
  const inv = sp.every((v) => typeof v === 'number')
    ? e.scalar(1 / (sp as number[]).reduce((a, b) => a * b, 1))
    : e.op('Div', [e.countF(c.output(0)), e.countF(x)]);
  return [e.op('Mul', [e.op('Expand', [c.g, e.shapeOf(x)]), inv])];
};

export const poolRules: Record<string, GradRule> = {
  MaxPool: maxPool, GlobalMaxPool: globalMaxPool, AveragePool: averagePool, GlobalAveragePool: globalAveragePool,
};
