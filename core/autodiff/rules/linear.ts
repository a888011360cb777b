// Gradients of Conv, ConvTranspose, Gemm and MatMul, expressed with the same ops (so any provider runs them).
import { float } from '../../onnx/builder.ts';
import type { GradRule, GradCtx } from './context.ts';
import { unbroadcast } from './context.ts';
import { poolGeometry, convTransposeGeometry } from '../shapes.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const INT64_MAX = 2 ** 62;

/** Slice spatial axes 2.. of `x` to `sizes` when `have` is larger. */
function cropSpatial(c: GradCtx, x: string, have: number[], sizes: number[]): string {
  if (have.every((h, i) => h === sizes[i])) return x;
  if (have.some((h, i) => h < sizes[i]!)) c.fail(`internal: gradient is smaller than expected ([${have}] < [${sizes}])`);
  const axes = sizes.map((_, i) => i + 2);
  return c.e.op('Slice', [x, c.e.i64(sizes.map(() => 0)), c.e.i64(sizes), c.e.i64(axes)]);
}

/** Move groups of channel axis 1 in front: [N, g·Cg, sp…] → [Cg, g·N, sp…] (batch becomes channels). */
function groupsToChannels(c: GradCtx, x: string, g: number, cg: number, sp: number[]): string {
  const k = sp.length;
  if (g === 1) return c.e.transpose(x, [1, 0, ...range(2, 2 + k)]);
  const r = c.e.reshape(x, c.e.i64([0, g, cg, ...sp]));
  const t = c.e.transpose(r, [2, 1, 0, ...range(3, 3 + k)]);
  return c.e.reshape(t, c.e.i64([cg, -1, ...sp]));
}

/** Conv weights [M, C/g, k…] → [C, M/g, k…] (per group: in/out channels swapped). */
function channelSwap(c: GradCtx, w: string, group: number, cin: number, mg: number, kernel: number[]): string {
  const k = kernel.length;
  if (group === 1) return c.e.transpose(w, [1, 0, ...range(2, 2 + k)]);
  const cg = cin / group;
  const r = c.e.reshape(w, c.e.i64([group, mg, cg, ...kernel]));
  return c.e.reshape(c.e.transpose(r, [0, 2, 1, ...range(3, 3 + k)]), c.e.i64([cin, mg, ...kernel]));
}

const conv: GradRule = (c) => {
  const x = c.input(0), w = c.input(1);
  const wd = c.staticDims(w, 'Conv gradient');
  const kernel = wd.slice(2), k = kernel.length;
  const sp = c.staticSlice(x, 2), osp = c.staticSlice(c.output(0), 2);
  const cin = c.staticSlice(x, 1, 2)[0]!;
  const group = c.a.int('group', 1);
  const geo = poolGeometry(c.a, sp, kernel);
  const { strides: s, dilations: d, pads } = geo;
  const out: (string | undefined)[] = [undefined, undefined, undefined];
  const pointwise = kernel.every((v) => v === 1);
  if (c.need(0) && pointwise && s.some((v) => v > 1)) {
    // Strided 1×1 (ResNet downsampling): a 1×1 Conv back to the input channels, then zeros inserted
    // between the samples — cheaper than the runtime's ConvTranspose.
    const z = c.e.op('Conv', [c.g, channelSwap(c, w, group, cin, wd[0]! / group, kernel)], { group, kernel_shape: kernel });
    const inter: number[] = [0, cin], padEnd: number[] = [];
    osp.forEach((o, i) => { inter.push(o, 1); padEnd.push(0, s[i]! - 1); });
    const spread = c.e.op('Pad', [c.e.reshape(z, c.e.i64(inter)), c.e.i64([0, 0, ...osp.flatMap(() => [0, 0]), 0, 0, ...padEnd])]);
    const up = c.e.reshape(spread, c.e.i64([0, cin, ...osp.map((o, i) => o * s[i]!)]));
    // Sample q of `up` sits at input position q − pad_begin.
    const crop = [0, 0, ...sp.map((_, i) => -pads[i]!), 0, 0, ...sp.map((h, i) => h - (osp[i]! * s[i]! - pads[i]!))];
    out[0] = crop.every((v) => v === 0) ? up : c.e.op('Pad', [up, c.e.i64(crop)]);
  } else if (c.need(0) && c.shapes.constants.has(w) && s.every((v) => v === 1) && pads.every((p, i) => p <= (kernel[i % k]! - 1) * d[i % k]!)) {
    // Stride 1, constant weights: dX is a plain Conv of dY with the flipped, channel-swapped kernel.
    // The runtime's Conv is much faster than its ConvTranspose (NCHWc kernels) and the kernel
    // transform folds away. (Fed weights, as in training, would pay a slow flip every run.)
    let wt = channelSwap(c, w, group, cin, wd[0]! / group, kernel);
    const flipAxes = range(0, k).filter((i) => kernel[i]! > 1);
    if (flipAxes.length) {
      wt = c.e.op('Slice', [wt, c.e.i64(flipAxes.map(() => -1)), c.e.i64(flipAxes.map(() => -INT64_MAX)), c.e.i64(flipAxes.map((i) => i + 2)), c.e.i64(flipAxes.map(() => -1))]);
    }
    const tpads = pads.map((p, i) => (kernel[i % k]! - 1) * d[i % k]! - p);
    out[0] = c.e.op('Conv', [c.g, wt], { group, dilations: d, pads: tpads, kernel_shape: kernel });
  } else if (c.need(0)) {
    const pb = pads.slice(0, k), pe = pads.slice(k);
    const op = sp.map((h, i) => h - (s[i]! * (osp[i]! - 1) + (kernel[i]! - 1) * d[i]! + 1 - pb[i]! - pe[i]!));
    for (let i = 0; i < k; i++) if (op[i]! < 0) { pe[i] = pe[i]! - op[i]!; op[i] = 0; }
    out[0] = c.e.op('ConvTranspose', [c.g, w], {
      group, strides: s, dilations: d, pads: [...pb, ...pe], output_padding: op, kernel_shape: kernel,
    });
  }
  if (c.need(1)) {
    const cg = cin / group;
    const xg = groupsToChannels(c, x, group, cg, sp);
    const gT = c.e.transpose(c.g, [1, 0, ...range(2, 2 + k)]);
    const pb = pads.slice(0, k), pe = pads.slice(k);
    const have: number[] = [];
    for (let i = 0; i < k; i++) {
      const need = (osp[i]! - 1) * s[i]! + (kernel[i]! - 1) * d[i]! + 1;
      const extra = sp[i]! + pb[i]! + pe[i]! - need;
      pe[i] = Math.max(0, pe[i]! - extra);
      have.push(Math.floor((sp[i]! + pb[i]! + pe[i]! - ((osp[i]! - 1) * s[i]! + 1)) / d[i]!) + 1);
    }
    const dw = c.e.op('Conv', [xg, gT], { group, strides: d, dilations: s, pads: [...pb, ...pe], kernel_shape: osp });
    out[1] = c.e.transpose(cropSpatial(c, dw, have, kernel), [1, 0, ...range(2, 2 + k)]);
  }
  if (c.need(2)) out[2] = c.e.reduce('ReduceSum', c.g, [0, ...range(2, 2 + k)], false);
  return out;
};

const convTranspose: GradRule = (c) => {
  const x = c.input(0), w = c.input(1);
  const wd = c.staticDims(w, 'ConvTranspose gradient');
  const kernel = wd.slice(2), k = kernel.length;
  const sp = c.staticSlice(x, 2), ysp = c.staticSlice(c.output(0), 2);
  const group = c.a.int('group', 1);
  const geo = convTransposeGeometry(c.a, sp, kernel);
  const { strides: s, dilations: d, pads } = geo;
  const out: (string | undefined)[] = [undefined, undefined, undefined];
  if (c.need(0)) {
    const have = ysp.map((n, i) => Math.floor((n + pads[i]! + pads[i + k]! - ((kernel[i]! - 1) * d[i]! + 1)) / s[i]!) + 1);
    const dx = c.e.op('Conv', [c.g, w], { group, strides: s, dilations: d, pads, kernel_shape: kernel });
    out[0] = cropSpatial(c, dx, have, sp);
  }
  if (c.need(1)) {
    const m = c.staticSlice(c.output(0), 1, 2)[0]!;
    const mg = m / group;
    const gy = groupsToChannels(c, c.g, group, mg, ysp);
    const xT = c.e.transpose(x, [1, 0, ...range(2, 2 + k)]);
    const pb = pads.slice(0, k), pe = pads.slice(k);
    const have: number[] = [];
    for (let i = 0; i < k; i++) {
      const need = (sp[i]! - 1) * s[i]! + (kernel[i]! - 1) * d[i]! + 1;
      const extra = ysp[i]! + pb[i]! + pe[i]! - need;
      pe[i] = Math.max(0, pe[i]! - extra);
      have.push(Math.floor((ysp[i]! + pb[i]! + pe[i]! - ((sp[i]! - 1) * s[i]! + 1)) / d[i]!) + 1);
    }
    const dw = c.e.op('Conv', [gy, xT], { group, strides: d, dilations: s, pads: [...pb, ...pe], kernel_shape: sp });
    out[1] = c.e.transpose(cropSpatial(c, dw, have, kernel), [1, 0, ...range(2, 2 + k)]);
  }
  if (c.need(2)) out[2] = c.e.reduce('ReduceSum', c.g, [0, ...range(2, 2 + k)], false);
  return out;
};

const gemm: GradRule = (c) => {
  const a = c.input(0), b = c.input(1);
  const alpha = c.a.float('alpha', 1), beta = c.a.float('beta', 1);
  const tA = c.a.int('transA', 0), tB = c.a.int('transB', 0);
  const g = c.g;
  const out: (string | undefined)[] = [];
  if (c.need(0)) {
    out[0] = tA === 0
      ? c.e.op('Gemm', [g, b], { alpha: float(alpha), transA: 0, transB: tB ? 0 : 1 })
      : c.e.op('Gemm', [b, g], { alpha: float(alpha), transA: tB, transB: 1 });
  }
  if (c.need(1)) {
    out[1] = tB === 0
      ? c.e.op('Gemm', [a, g], { alpha: float(alpha), transA: tA ? 0 : 1, transB: 0 })
      : c.e.op('Gemm', [g, a], { alpha: float(alpha), transA: 1, transB: tA });
  }
  if (c.need(2)) {
    const gs = beta === 1 ? g : c.e.op('Mul', [g, c.e.scalar(beta)]);
    out[2] = unbroadcast(c, gs, c.input(2), c.output(0));
  }
  return out;
};

const matmul: GradRule = (c) => {
  const a = c.input(0), b = c.input(1);
  const ad = c.dims(a), bd = c.dims(b);
  const ra = ad.length, rb = bd.length;
  let g = c.g;
  // Restore the axes MatMul dropped for 1-D operands so the 2-D formulas apply.
  if (ra === 1 && rb === 1) g = c.e.unsqueeze(g, [0, 1]);
  else if (ra === 1) g = c.e.unsqueeze(g, [-2]);
  else if (rb === 1) g = c.e.unsqueeze(g, [-1]);
  const a2 = ra === 1 ? c.e.unsqueeze(a, [0]) : a;
  const b2 = rb === 1 ? c.e.unsqueeze(b, [1]) : b;
  const tr = (x: string, r: number) => c.e.transpose(x, [...range(0, r - 2), r - 1, r - 2]);
  const ra2 = Math.max(ra, 2), rb2 = Math.max(rb, 2);
  const out: (string | undefined)[] = [];
  // Batch dims broadcast like elementwise ops: sum the gradient back over them.
  const fix = (gr: string, x: string, xd: typeof ad, rank1Axis: number | undefined): string => {
    const gd = gr;
    const lead = Math.max(ra2, rb2) - Math.max(xd.length, 2);
    const x2d = xd.length === 1 ? (rank1Axis === 0 ? [1, xd[0]!] : [xd[0]!, 1]) : xd;
    const yd = [...broadcastBatch(ad, bd), ...x2d.slice(-2)];
    const axes: number[] = [];
    for (let i = 0; i < yd.length - 2; i++) if (i < lead || (x2d[i - lead] === 1 && yd[i] !== 1)) axes.push(i);
    let r = axes.length ? c.e.reduce('ReduceSum', gd, axes, true) : gd;
    if (lead > 0 || xd.length === 1) r = c.e.reshape(r, c.e.shapeTensor(xd, x));
    return r;
  };
  if (c.need(0)) out[0] = fix(c.e.op('MatMul', [g, tr(b2, rb2)]), a, ad, 0);
  if (c.need(1)) out[1] = fix(c.e.op('MatMul', [tr(a2, ra2), g]), b, bd, 1);
  return out;
};

function broadcastBatch(ad: readonly (number | string)[], bd: readonly (number | string)[]): (number | string)[] {
  const a = ad.length <= 2 ? [] : ad.slice(0, -2), b = bd.length <= 2 ? [] : bd.slice(0, -2);
  const r = Math.max(a.length, b.length);
  const out: (number | string)[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

export const linearRules: Record<string, GradRule> = { Conv: conv, ConvTranspose: convTranspose, Gemm: gemm, MatMul: matmul };
