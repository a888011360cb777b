// Gradients of normalization-like ops: BatchNormalization (inference form), LRN, Softmax, LogSoftmax.
import type { GradRule } from './context.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

const batchNorm: GradRule = (c) => {
  if (c.a.int('training_mode', 0) === 1) c.fail('training_mode=1 is not supported (use the inference form)');
  const e = c.e, x = c.input(0), scale = c.input(1), mean = c.input(3), vr = c.input(4);
  const r = c.rank(x);
  const eps = c.a.float('epsilon', 1e-5);
  const bcast = (v: string) => (r > 2 ? e.unsqueeze(v, range(1, r - 1)) : v);
  const reduceAxes = [0, ...range(2, r)];
  const inv = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [vr, e.scalar(eps)])])]);
  const k = e.op('Mul', [scale, inv]);
  const g = c.g;
  const out: (string | undefined)[] = [];
  if (c.need(0)) out[0] = e.op('Mul', [g, bcast(k)]);
  const centered = c.need(1) || c.need(4) ? e.op('Sub', [x, bcast(mean)]) : undefined;
  const sumG = c.need(2) || c.need(3) ? e.reduce('ReduceSum', g, reduceAxes, false) : undefined;
  const sumGC = centered ? e.reduce('ReduceSum', e.op('Mul', [g, centered]), reduceAxes, false) : undefined;
  if (c.need(1)) out[1] = e.op('Mul', [sumGC!, inv]);
  if (c.need(2)) out[2] = sumG;
  if (c.need(3)) out[3] = e.op('Neg', [e.op('Mul', [sumG!, k])]);
  if (c.need(4)) {
    // d/dvar (var+eps)^(-1/2) = -1/2 (var+eps)^(-3/2)
    const inv3 = e.op('Mul', [inv, e.op('Mul', [inv, inv])]);
    out[4] = e.op('Mul', [e.op('Mul', [sumGC!, scale]), e.op('Mul', [inv3, e.scalar(-0.5)])]);
  }
  return out;
};

const lrn: GradRule = (c) => {
  if (!c.need(0)) return [];
  const e = c.e, x = c.input(0);
  const ch = c.staticSlice(x, 1, 2)[0]!;
  const size = c.a.int('size', 1), alpha = c.a.float('alpha', 1e-4), beta = c.a.float('beta', 0.75), bias = c.a.float('bias', 1);
  const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
  const kernel = e.f32(new Float32Array(size).fill(1), [1, 1, size, 1]);
  // Channel-window sums as a Conv over a [N, 1, C, rest] view.
  const windowSum = (v: string, before: number, after: number) => e.reshape(
    e.op('Conv', [e.reshape(v, e.i64([0, 1, ch, -1])), kernel], { pads: [before, 0, after, 0], kernel_shape: [size, 1] }),
    e.shapeOf(x));
  const s = e.op('Add', [e.scalar(bias), e.op('Mul', [windowSum(e.op('Mul', [x, x]), lo, hi), e.scalar(alpha / size)])]);
  const sPow = e.op('Pow', [s, e.scalar(-beta)]);
  const term1 = e.op('Mul', [c.g, sPow]);
  const inner = e.op('Mul', [e.op('Mul', [c.g, c.output(0)]), e.op('Reciprocal', [s])]); // g·x·S^(-β-1) = g·y/S
  const term2 = e.op('Mul', [e.op('Mul', [x, windowSum(inner, hi, lo)]), e.scalar(2 * alpha * beta / size)]);
  return [e.op('Sub', [term1, term2])];
};

function softmaxAxes(c: Parameters<GradRule>[0]): number[] {
  const r = c.rank(c.input(0));
  let axis = c.a.int('axis', c.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += r;
  // Before opset 13 Softmax normalizes over all axes from `axis` on (coerced to 2-D).
  return c.opset >= 13 ? [axis] : range(axis, r);
}

const softmax: GradRule = (c) => {
  if (!c.need(0)) return [];
  const e = c.e, y = c.output(0);
  const dot = e.reduce('ReduceSum', e.op('Mul', [c.g, y]), softmaxAxes(c), true);
  return [e.op('Mul', [y, e.op('Sub', [c.g, dot])])];
};

const logSoftmax: GradRule = (c) => {
  if (!c.need(0)) return [];
  const e = c.e, y = c.output(0);
  const sum = e.reduce('ReduceSum', c.g, softmaxAxes(c), true);
  return [e.op('Sub', [c.g, e.op('Mul', [e.op('Exp', [y]), sum])])];
};

export const normRules: Record<string, GradRule> = {
  BatchNormalization: batchNorm, LRN: lrn, Softmax: softmax, LogSoftmax: logSoftmax,
};
