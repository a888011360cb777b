// Gradients of elementwise and broadcasting arithmetic ops.
import type { GradRule, GradCtx } from './context.ts';
import { unbroadcast } from './context.ts';

const mul = (c: GradCtx, a: string, b: string) => c.e.op('Mul', [a, b]);

function unary(f: (c: GradCtx, x: string, y: string, g: string) => string): GradRule {
  return (c) => [c.need(0) ? f(c, c.input(0), c.output(0), c.g) : undefined];
}

export const elementwiseRules: Record<string, GradRule> = {
  Identity: unary((_c, _x, _y, g) => g),
  // Inference semantics: Dropout is the identity (training_mode inputs are not differentiated).
  Dropout: (c) => {
    if (c.node.input[2] && c.shapes.ints.get(c.node.input[2]!)?.[0] === 1) c.fail('training-mode Dropout is not supported (random mask)');
    return [c.need(0) ? c.g : undefined];
  },
  Relu: unary((c, _x, y, g) => c.e.op('Where', [c.e.op('Greater', [y, c.e.scalar(0)]), g, c.e.scalar(0)])),
  LeakyRelu: unary((c, x, _y, g) => {
    const alpha = c.a.float('alpha', 0.01);
    return c.e.op('Where', [c.e.op('Greater', [x, c.e.scalar(0)]), g, mul(c, g, c.e.scalar(alpha))]);
  }),
  Sigmoid: unary((c, _x, y, g) => mul(c, g, mul(c, y, c.e.op('Sub', [c.e.scalar(1), y])))),
  Tanh: unary((c, _x, y, g) => mul(c, g, c.e.op('Sub', [c.e.scalar(1), mul(c, y, y)]))),
  Neg: unary((c, _x, _y, g) => c.e.op('Neg', [g])),
  Exp: unary((c, _x, y, g) => mul(c, g, y)),
  Log: unary((c, x, _y, g) => c.e.op('Div', [g, x])),
  Sqrt: unary((c, _x, y, g) => c.e.op('Div', [g, mul(c, y, c.e.scalar(2))])),
  Abs: unary((c, x, _y, g) => mul(c, g, c.e.op('Sign', [x]))),
  Reciprocal: unary((c, _x, y, g) => c.e.op('Neg', [mul(c, g, mul(c, y, y))])),
  Softplus: unary((c, x, _y, g) => mul(c, g, c.e.op('Sigmoid', [x]))),
  Elu: unary((c, x, y, g) => {
    const alpha = c.a.float('alpha', 1);
    return c.e.op('Where', [c.e.op('Greater', [x, c.e.scalar(0)]), g, mul(c, g, c.e.op('Add', [y, c.e.scalar(alpha)]))]);
  }),
  HardSigmoid: unary((c, x, _y, g) => {
    const alpha = c.a.float('alpha', 0.2), beta = c.a.float('beta', 0.5);
    const z = c.e.op('Add', [mul(c, x, c.e.scalar(alpha)), c.e.scalar(beta)]);
    const inside = c.e.op('And', [c.e.op('Greater', [z, c.e.scalar(0)]), c.e.op('Less', [z, c.e.scalar(1)])]);
    return c.e.op('Where', [inside, mul(c, g, c.e.scalar(alpha)), c.e.scalar(0)]);
  }),
  HardSwish: unary((c, x, _y, g) => {
    // y = x·clip(x/6 + 1/2, 0, 1): slope x/3 + 1/2 inside (-3, 3), 0 below, 1 above.
    const inner = c.e.op('Add', [c.e.op('Div', [x, c.e.scalar(3)]), c.e.scalar(0.5)]);
    const slope = c.e.op('Where', [c.e.op('Less', [x, c.e.scalar(-3)]), c.e.scalar(0),
      c.e.op('Where', [c.e.op('Greater', [x, c.e.scalar(3)]), c.e.scalar(1), inner])]);
    return mul(c, g, slope);
  }),
  Clip: (c) => {
    if (!c.need(0)) return [];
    const x = c.input(0);
    let mask: string | undefined;
    const minName = c.opset >= 11 ? c.node.input[1] : undefined, maxName = c.opset >= 11 ? c.node.input[2] : undefined;
    const lo = minName ? minName : c.opset < 11 && c.a.has('min') ? c.e.scalar(c.a.float('min', 0)) : undefined;
    const hi = maxName ? maxName : c.opset < 11 && c.a.has('max') ? c.e.scalar(c.a.float('max', 0)) : undefined;
    if (lo) mask = c.e.op('Greater', [x, lo]);
    if (hi) { const m = c.e.op('Less', [x, hi]); mask = mask ? c.e.op('And', [mask, m]) : m; }
    return [mask ? c.e.op('Where', [mask, c.g, c.e.scalar(0)]) : c.g];
  },
  Cast: (c) => [c.need(0) ? c.e.op('Cast', [c.g], { to: c.shapes.get(c.input(0)).dtype ?? 1 }) : undefined],
  Add: (c) => [0, 1].map((i) => (c.need(i) ? unbroadcast(c, c.g, c.input(i), c.output(0)) : undefined)),
  Sub: (c) => [
    c.need(0) ? unbroadcast(c, c.g, c.input(0), c.output(0)) : undefined,
    c.need(1) ? unbroadcast(c, c.e.op('Neg', [c.g]), c.input(1), c.output(0)) : undefined,
  ],
  Mul: (c) => [
    c.need(0) ? unbroadcast(c, mul(c, c.g, c.input(1)), c.input(0), c.output(0)) : undefined,
    c.need(1) ? unbroadcast(c, mul(c, c.g, c.input(0)), c.input(1), c.output(0)) : undefined,
  ],
  Div: (c) => [
    c.need(0) ? unbroadcast(c, c.e.op('Div', [c.g, c.input(1)]), c.input(0), c.output(0)) : undefined,
    c.need(1) ? unbroadcast(c, c.e.op('Neg', [c.e.op('Div', [mul(c, c.g, c.output(0)), c.input(1)])]), c.input(1), c.output(0)) : undefined,
  ],
  Pow: (c) => {
    if (c.need(1)) c.fail('gradient w.r.t. the exponent is not supported');
    if (!c.need(0)) return [];
    const x = c.input(0), p = c.input(1);
    // d/dx x^p = p·x^(p-1)
    const d = mul(c, p, c.e.op('Pow', [x, c.e.op('Sub', [p, c.e.scalar(1)])]));
    return [unbroadcast(c, mul(c, c.g, d), x, c.output(0))];
  },
  Sum: (c) => c.node.input.map((x, i) => (c.need(i) ? unbroadcast(c, c.g, x, c.output(0)) : undefined)),
  Mean: (c) => {
    const gs = c.e.op('Div', [c.g, c.e.scalar(c.node.input.length)]);
    return c.node.input.map((x, i) => (c.need(i) ? unbroadcast(c, gs, x, c.output(0)) : undefined));
  },
  PRelu: (c) => {
    const x = c.input(0), slope = c.input(1);
    const pos = c.e.op('Greater', [x, c.e.scalar(0)]);
    return [
      c.need(0) ? unbroadcast(c, c.e.op('Where', [pos, c.g, mul(c, c.g, slope)]), x, c.output(0)) : undefined,
      c.need(1) ? unbroadcast(c, c.e.op('Where', [pos, c.e.scalar(0), mul(c, c.g, x)]), slope, c.output(0)) : undefined,
    ];
  },
};
