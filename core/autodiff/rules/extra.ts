// Gradients of less common ops: Erf, Where, Tile, Gather, ReduceMax/Min/L2/SumSquare/LogSumExp,
// elementwise Max/Min, DepthToSpace/SpaceToDepth, Instance/LayerNormalization, more activations.
import type { GradRule, GradCtx } from './context.ts';
import { unbroadcast } from './context.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const norm = (a: number, r: number) => (a < 0 ? a + r : a);

const erf: GradRule = (c) => {
  if (!c.need(0)) return [];
  const e = c.e, x = c.input(0);
  const gauss = e.op('Exp', [e.op('Neg', [e.op('Mul', [x, x])])]);
  return [e.op('Mul', [c.g, e.op('Mul', [gauss, e.scalar(2 / Math.sqrt(Math.PI))])])];
};

const where: GradRule = (c) => {
  const e = c.e, cond = c.input(0), zero = e.scalar(0);
  return [
    undefined,
    c.need(1) ? unbroadcast(c, e.op('Where', [cond, c.g, zero]), c.input(1), c.output(0)) : undefined,
    c.need(2) ? unbroadcast(c, e.op('Where', [cond, zero, c.g]), c.input(2), c.output(0)) : undefined,
  ];
};

const tile: GradRule = (c) => {
  if (!c.need(0)) return [];
  const xd = c.staticDims(c.input(0), 'Tile gradient');
  const reps = c.constInts(1, 'repeats');
  // [r0·d0, r1·d1, …] → [r0, d0, r1, d1, …], summed over the r axes.
  const split = c.e.reshape(c.g, c.e.i64(xd.flatMap((d, i) => [reps[i]!, d])));
  return [c.e.reduce('ReduceSum', split, xd.map((_, i) => 2 * i), false)];
};

const gather: GradRule = (c) => {
  if (!c.need(0)) return [];
  const e = c.e, data = c.input(0), idx = c.input(1);
  const r = c.rank(data), q = c.rank(idx);
  const a = norm(c.a.int('axis', 0), r);
  // Bring the gathered axis to the front, scatter-add rows by index, move it back.
  const gPerm = [...range(a, a + q), ...range(0, a), ...range(a + q, r + q - 1)];
  const gT = a === 0 ? c.g : e.transpose(c.g, gPerm);
  const dPerm = [a, ...range(0, a), ...range(a + 1, r)];
  const zeros = e.zerosLike(a === 0 ? data : e.transpose(data, dPerm));
  const scattered = e.op('ScatterND', [zeros, e.unsqueeze(idx, [-1]), gT], { reduction: 'add' });
  if (a === 0) return [scattered];
  const inv = new Array<number>(r);
  dPerm.forEach((p, i) => { inv[p] = i; });
  return [e.transpose(scattered, inv)];
};

/** For a Reduce* node: reduced axes, and output/gradient with the reduced axes kept (size 1). */
function reduceParts(c: GradCtx): { ax: number[]; y: string; g: string } | undefined {
  const e = c.e, r = c.rank(c.input(0));
  const axesAsInput = c.opset >= 18;
  let axes = axesAsInput ? (c.node.input[1] ? c.constInts(1, 'axes') : undefined) : c.a.ints('axes');
  if (!axes || axes.length === 0) {
    if (c.a.int('noop_with_empty_axes', 0) === 1) return undefined;
    axes = range(0, r);
  }
  const ax = [...new Set(axes.map((v) => norm(v, r)))].sort((p, q) => p - q);
  const keep = c.a.int('keepdims', 1) === 1;
  return { ax, y: keep ? c.output(0) : e.unsqueeze(c.output(0), ax), g: keep ? c.g : e.unsqueeze(c.g, ax) };
}

function reduceRule(f: (c: GradCtx, x: string, p: { ax: number[]; y: string; g: string }) => string, identity: (c: GradCtx) => string = (c) => c.g): GradRule {
  return (c) => {
    if (!c.need(0)) return [];
    const p = reduceParts(c);
    return [p ? f(c, c.input(0), p) : identity(c)];
  };
}

// Ties share the gradient equally.
const reduceExtreme = reduceRule((c, x, { ax, y, g }) => {
  const e = c.e;
  const mask = e.op('Cast', [e.op('Equal', [x, y])], { to: 1 });
  const count = e.reduce('ReduceSum', mask, ax, true);
  return e.op('Mul', [mask, e.op('Div', [g, count])]);
});
const reduceL2 = reduceRule((c, x, { y, g }) => c.e.op('Mul', [x, c.e.op('Div', [g, y])]));
const reduceSumSquare = reduceRule((c, x, { g }) => c.e.op('Mul', [c.e.op('Mul', [x, c.e.scalar(2)]), g]),
  (c) => c.e.op('Mul', [c.e.op('Mul', [c.input(0), c.e.scalar(2)]), c.g]));
const reduceLogSumExp = reduceRule((c, x, { y, g }) => c.e.op('Mul', [c.e.op('Exp', [c.e.op('Sub', [x, y])]), g]));

/** Elementwise Max/Min: the gradient goes to the input(s) holding the result; ties share it. */
const extremeElementwise: GradRule = (c) => {
  const e = c.e, y = c.output(0);
  const masks = c.node.input.map((x) => e.op('Cast', [e.op('Equal', [x, y])], { to: 1 }));
  const count = masks.length === 1 ? masks[0]! : e.op('Sum', masks);
  const share = e.op('Div', [c.g, count]);
  return c.node.input.map((x, i) => (c.need(i) ? unbroadcast(c, e.op('Mul', [masks[i]!, share]), x, y) : undefined));
};

/** DepthToSpace/SpaceToDepth are reshape → transpose → reshape; the gradient runs it backwards. */
function blockRearrange(c: GradCtx, pre: number[], perm: number[]): string {
  const post = perm.map((p) => pre[p]!);
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  const e = c.e;
  const t = e.transpose(e.reshape(c.g, e.i64([0, ...post.slice(1)])), inv);
  return e.reshape(t, e.i64([0, ...c.staticDims(c.input(0)).slice(1)]));
}

const depthToSpace: GradRule = (c) => {
  if (!c.need(0)) return [];
  const [n, ch, h, w] = c.staticDims(c.input(0), 'DepthToSpace gradient');
  const b = c.a.int('blocksize', 1), cb = ch! / (b * b);
  return c.a.str('mode', 'DCR') === 'CRD'
    ? [blockRearrange(c, [n!, cb, b, b, h!, w!], [0, 1, 4, 2, 5, 3])]
    : [blockRearrange(c, [n!, b, b, cb, h!, w!], [0, 3, 4, 1, 5, 2])];
};

const spaceToDepth: GradRule = (c) => {
  if (!c.need(0)) return [];
  const [n, ch, h, w] = c.staticDims(c.input(0), 'SpaceToDepth gradient');
  const b = c.a.int('blocksize', 1);
  return [blockRearrange(c, [n!, ch!, h! / b, b, w! / b, b], [0, 3, 5, 1, 2, 4])];
};

function unary(f: (c: GradCtx, x: string, y: string) => string): GradRule {
  return (c) => [c.need(0) ? c.e.op('Mul', [c.g, f(c, c.input(0), c.output(0))]) : undefined];
}

const SELU_ALPHA = 1.67326319217681884765625, SELU_GAMMA = 1.05070102214813232421875;
const moreUnary: Record<string, GradRule> = {
  Sin: unary((c, x) => c.e.op('Cos', [x])),
  Cos: unary((c, x) => c.e.op('Neg', [c.e.op('Sin', [x])])),
  Softsign: unary((c, x) => { const d = c.e.op('Add', [c.e.scalar(1), c.e.op('Abs', [x])]); return c.e.op('Reciprocal', [c.e.op('Mul', [d, d])]); }),
  Selu: unary((c, x, y) => {
    const alpha = c.a.float('alpha', SELU_ALPHA), gamma = c.a.float('gamma', SELU_GAMMA);
    return c.e.op('Where', [c.e.op('Greater', [x, c.e.scalar(0)]), c.e.scalar(gamma), c.e.op('Add', [y, c.e.scalar(gamma * alpha)])]);
  }),
  Celu: unary((c, x) => {
    const alpha = c.a.float('alpha', 1);
    return c.e.op('Where', [c.e.op('Greater', [x, c.e.scalar(0)]), c.e.scalar(1), c.e.op('Exp', [c.e.op('Div', [x, c.e.scalar(alpha)])])]);
  }),
  ThresholdedRelu: unary((c, x) => c.e.op('Cast', [c.e.op('Greater', [x, c.e.scalar(c.a.float('alpha', 1))])], { to: 1 })),
  Mish: unary((c, x) => {
    const t = c.e.op('Tanh', [c.e.op('Softplus', [x])]);
    const sech2 = c.e.op('Sub', [c.e.scalar(1), c.e.op('Mul', [t, t])]);
    return c.e.op('Add', [t, c.e.op('Mul', [c.e.op('Mul', [x, c.e.op('Sigmoid', [x])]), sech2])]);
  }),
};

/** dx for y = xhat·s (+b) normalized over `axes`: inv·(gs − mean(gs) − xhat·mean(gs·xhat)). */
function normalizedGrad(c: GradCtx, x: string, gs: string, axes: number[], eps: number) {
  const e = c.e;
  const mean = (v: string) => e.reduce('ReduceMean', v, axes, true);
  const centered = e.op('Sub', [x, mean(x)]);
  const inv = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [mean(e.op('Mul', [centered, centered])), e.scalar(eps)])])]);
  const xhat = e.op('Mul', [centered, inv]);
  const dx = c.need(0)
    ? e.op('Mul', [inv, e.op('Sub', [e.op('Sub', [gs, mean(gs)]), e.op('Mul', [xhat, mean(e.op('Mul', [gs, xhat]))])])])
    : undefined;
  return { dx, xhat };
}

const instanceNorm: GradRule = (c) => {
  const e = c.e, x = c.input(0), scale = c.input(1);
  const r = c.rank(x);
  const eps = c.a.float('epsilon', 1e-5);
  const bcast = (v: string) => e.unsqueeze(v, range(1, r - 1));
  const gs = e.op('Mul', [c.g, bcast(scale)]);
  const { dx, xhat } = normalizedGrad(c, x, gs, range(2, r), eps);
  const outer = [0, ...range(2, r)];
  return [
    dx,
    c.need(1) ? e.reduce('ReduceSum', e.op('Mul', [c.g, xhat]), outer, false) : undefined,
    c.need(2) ? e.reduce('ReduceSum', c.g, outer, false) : undefined,
  ];
};

const layerNorm: GradRule = (c) => {
  if (c.node.output.slice(1).some((o, i) => o && c.gy[i + 1])) c.fail('gradients through the Mean/InvStdDev outputs are not supported');
  const e = c.e, x = c.input(0), scale = c.input(1);
  const r = c.rank(x);
  const axis = norm(c.a.int('axis', -1), r);
  const eps = c.a.float('epsilon', 1e-5);
  const gs = e.op('Mul', [c.g, scale]);
  const { dx, xhat } = normalizedGrad(c, x, gs, range(axis, r), eps);
  const lead = range(0, axis);
  const sumLead = (v: string) => (lead.length ? e.reduce('ReduceSum', v, lead, false) : v);
  const fit = (v: string, p: string) => e.reshape(v, e.shapeOf(p));
  return [
    dx,
    c.need(1) ? fit(sumLead(e.op('Mul', [c.g, xhat])), scale) : undefined,
    c.need(2) ? fit(sumLead(c.g), c.input(2)) : undefined,
  ];
};

export const extraRules: Record<string, GradRule> = {
  Erf: erf, Where: where, Tile: tile, Gather: gather, ReduceMax: reduceExtreme, ReduceMin: reduceExtreme,
  ReduceL2: reduceL2, ReduceSumSquare: reduceSumSquare, ReduceLogSumExp: reduceLogSumExp,
  Max: extremeElementwise, Min: extremeElementwise, DepthToSpace: depthToSpace, SpaceToDepth: spaceToDepth,
  InstanceNormalization: instanceNorm, LayerNormalization: layerNorm, ...moreUnary,
};
