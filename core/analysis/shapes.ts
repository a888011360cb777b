// Static shape inference for the CNN/autoencoder operator set. Symbolic dims ('N') flow through;
// small integer/float constants (Reshape shapes, Resize scales, Shape→Gather chains) are folded.
// An op without a rule gets no shape and a warning; it never stops the analysis.
import type { ModelProto, NodeProto, TensorProto } from '../onnx/proto.ts';
import { TensorProto_DataType as DT } from '../onnx/proto.ts';
import {
  indexGraph, attrInt, attrInts, attrFloat, attrFloats, attrString, attrTensor, findAttr, describeNode, valueInfoDims,
  type GraphIndex,
} from '../onnx/graph.ts';
import { tensorValues } from '../onnx/tensor-proto.ts';
import { ModelError } from '../onnx/errors.ts';
import type { Shape, ShapeDim } from './types.ts';
import { isNum, allNum, prod, divide, sum, broadcast, fmtShape } from './dims.ts';

/** Resolved sliding-window geometry of a Conv/ConvTranspose/pool node (spatial axes only). */
export interface WindowGeometry {
  kind: 'conv' | 'convTranspose' | 'pool';
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  /** ConvTranspose only. */
  outputPadding?: number[];
  ceilMode: boolean;
  autoPad: string;
  groups: number;
  inSpatial: ShapeDim[];
  outSpatial: ShapeDim[];
}

export interface ShapeInference {
  /** Inferred (or declared) shape per tensor name; absent = unknown. */
  shapes: Map<string, Shape>;
  /** Folded values of small constant tensors. */
  values: Map<string, ShapeDim[]>;
  /** Window geometry per node index (Conv, ConvTranspose, pools). */
  windows: Map<number, WindowGeometry>;
  warnings: string[];
  index: GraphIndex;
  opset: number;
}

export interface InferOptions {
  /** Override input shapes (e.g. a concrete batch/size for symbolic inputs). */
  inputShapes?: Record<string, Shape>;
}

/** Shapes of every tensor we can infer. */
export function inferShapes(model: ModelProto, opts: InferOptions = {}): Map<string, Shape> {
  return inferShapesDetailed(model, opts).shapes;
}

/** Largest constant we fold (bigger ones are weights, not shape arithmetic). */
const MAX_FOLD = 64;

export function defaultOpset(model: ModelProto): number {
  const o = model.opsetImport.find((x) => x.domain === '' || x.domain === 'ai.onnx');
  return o ? Number(o.version) : 1;
}

export function inferShapesDetailed(model: ModelProto, opts: InferOptions = {}): ShapeInference {
  const graph = model.graph;
  if (!graph) throw new ModelError('no-graph', 'the model has no graph to analyse; re-export the full model');
  const index = indexGraph(graph, { checkInputs: false });
  const opset = defaultOpset(model);
  const shapes = new Map<string, Shape>();
  const values = new Map<string, ShapeDim[]>();
  const windows = new Map<number, WindowGeometry>();
  const warnings: string[] = [];

  for (const t of graph.initializer) {
    shapes.set(t.name, t.dims.map(Number));
    const v = foldTensor(t);
    if (v) values.set(t.name, v);
  }
  for (const i of graph.input) {
    const given = opts.inputShapes?.[i.name];
    const declared = valueInfoDims(i);
    if (given) shapes.set(i.name, [...given]);
    else if (declared && !shapes.has(i.name)) shapes.set(i.name, declared);
    else if (!shapes.has(i.name)) warnings.push(`input "${i.name}" declares no shape, so shapes after it are unknown; pass inputShapes to analyse it`);
  }

  for (const ni of index.order) {
    const node = graph.node[ni]!;
    const ctx: OpCtx = { node, opset, shapes, values, ni, windows };
    let outs: (Shape | null)[] | undefined;
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? RULES[node.opType] : undefined;
    if (!rule) {
      outs = undefined;
    } else {
      try {
        outs = rule(ctx);
      } catch (e) {
        if (!(e instanceof UnknownInput)) warnings.push(`${describeNode(node, ni)}: ${(e as Error).message}`);
        outs = node.output.map(() => null);
      }
    }
    let fellBack = false;
    node.output.forEach((o, k) => {
      if (o === '') return;
      const s = outs?.[k] ?? null;
      if (s) { shapes.set(o, s); return; }
      const declared = valueInfoDims(index.valueInfo.get(o));
      if (declared) { shapes.set(o, declared); fellBack = true; }
    });
    if (!rule && !fellBack) warnings.push(`${describeNode(node, ni)}: no shape rule for ${node.domain ? `${node.domain}.` : ''}${node.opType}; its output shapes are unknown`);
  }
  return { shapes, values, windows, warnings, index, opset };
}

// ---- per-op rules ----

interface OpCtx {
  node: NodeProto;
  opset: number;
  shapes: Map<string, Shape>;
  values: Map<string, ShapeDim[]>;
  ni: number;
  windows: Map<number, WindowGeometry>;
}
type Rule = (c: OpCtx) => (Shape | null)[];

/** An input whose shape is unknown: the output is unknown too, without another warning. */
class UnknownInput extends Error {}

function inShape(c: OpCtx, i: number): Shape {
  const name = c.node.input[i];
  const s = name ? c.shapes.get(name) : undefined;
  if (!s) throw new UnknownInput();
  return s;
}
const hasInput = (c: OpCtx, i: number): boolean => (c.node.input[i] ?? '') !== '';
function inValues(c: OpCtx, i: number): ShapeDim[] | undefined {
  const name = c.node.input[i];
  return name ? c.values.get(name) : undefined;
}
function needValues(c: OpCtx, i: number, what: string): ShapeDim[] {
  const v = inValues(c, i);
  const name = c.node.input[i];
  if (!name) throw new Error(`${what} (input ${i + 1}) is missing`);
  if (!v) throw new Error(`${what} (input "${name}") is not a small constant known before run time, so the output shape cannot be computed statically`);
  return v;
}
function numbers(v: ShapeDim[], what: string): number[] {
  if (!allNum(v)) throw new Error(`${what} depends on symbolic dimensions [${v.join(', ')}]`);
  return v;
}
const normAxis = (a: number, r: number): number => {
  const x = a < 0 ? a + r : a;
  if (x < 0 || x >= r) throw new Error(`axis ${a} out of range for rank ${r}`);
  return x;
};
const same = (c: OpCtx): (Shape | null)[] => { const s = inShape(c, 0); return c.node.output.map(() => s); };

function foldTensor(t: TensorProto): ShapeDim[] | undefined {
  const n = t.dims.reduce((a, b) => a * Number(b), 1);
  if (n > MAX_FOLD) return undefined;
  if (![DT.INT64, DT.INT32, DT.FLOAT, DT.DOUBLE].includes(t.dataType)) return undefined;
  try {
    return Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
  } catch { return undefined; }
}

function setValues(c: OpCtx, v: ShapeDim[] | undefined, k = 0): void {
  const o = c.node.output[k];
  if (o && v && v.length <= MAX_FOLD) c.values.set(o, v);
}

/** Output size of one spatial axis: floor((m − k_eff + p_begin + p_end)/s) + 1 (ceil with ceil_mode). */
export function windowOutput(m: number, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean): number {
  const keff = d * (k - 1) + 1;
  const span = m + pb + pe - keff;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  // The last window must start inside the input or the leading padding (ONNX ≥ 1.16 / PyTorch rule).
  if ((out - 1) * s >= m + pb) out--;
  return out;
}

function geometry(c: OpCtx, kind: WindowGeometry['kind'], x: Shape, kernel: number[]): WindowGeometry {
  const r = kernel.length;
  if (x.length !== r + 2) throw new Error(`input ${fmtShape(x)} has rank ${x.length}, kernel needs rank ${r + 2}`);
  const ones = Array(r).fill(1), zeros = Array(r).fill(0);
  const strides = attrInts(c.node, 'strides', ones);
  const dilations = attrInts(c.node, 'dilations', ones);
  const pads = attrInts(c.node, 'pads', [...zeros, ...zeros]);
  const autoPad = attrString(c.node, 'auto_pad', 'NOTSET');
  const ceilMode = kind === 'pool' && attrInt(c.node, 'ceil_mode', 0) === 1;
  const groups = attrInt(c.node, 'group', 1);
  if (strides.length !== r || dilations.length !== r || pads.length !== 2 * r) {
    throw new Error(`strides/dilations/pads lengths (${strides.length}/${dilations.length}/${pads.length}) do not match ${r} spatial axes`);
  }
  if ([...strides, ...dilations, ...kernel, groups].some((v) => v < 1)) throw new Error('strides, dilations, kernel sizes and group must be ≥ 1');
  const inSpatial = x.slice(2);
  const padsBegin = pads.slice(0, r), padsEnd = pads.slice(r);
  const outSpatial: ShapeDim[] = [];
  const outputPadding = kind === 'convTranspose' ? attrInts(c.node, 'output_padding', zeros) : undefined;
  for (let i = 0; i < r; i++) {
    const m = inSpatial[i]!, k = kernel[i]!, s = strides[i]!, d = dilations[i]!;
    const keff = d * (k - 1) + 1;
    if (kind === 'convTranspose') {
      if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        outSpatial.push(isNum(m) ? m * s : '?');
        if (isNum(m)) {
          const total = Math.max(0, s * (m - 1) + (outputPadding![i] ?? 0) + keff - m * s);
          padsBegin[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
          padsEnd[i] = total - padsBegin[i]!;
        }
      } else {
        if (autoPad === 'VALID') { padsBegin[i] = 0; padsEnd[i] = 0; }
        outSpatial.push(isNum(m) ? s * (m - 1) + (outputPadding![i] ?? 0) + keff - padsBegin[i]! - padsEnd[i]! : '?');
      }
      continue;
    }
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      if (!isNum(m)) { outSpatial.push('?'); continue; }
      const out = Math.ceil(m / s);
      const total = Math.max(0, (out - 1) * s + keff - m);
      // SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning.
      padsBegin[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      padsEnd[i] = total - padsBegin[i]!;
      outSpatial.push(out);
      continue;
    }
    if (autoPad === 'VALID') { padsBegin[i] = 0; padsEnd[i] = 0; }
    if (!isNum(m)) { outSpatial.push('?'); continue; }
    const out = windowOutput(m, k, s, d, padsBegin[i]!, padsEnd[i]!, ceilMode);
    if (out < 1) throw new Error(`window of ${keff} (kernel ${k}, dilation ${d}) does not fit input size ${m} with pads ${padsBegin[i]}+${padsEnd[i]}`);
    outSpatial.push(out);
  }
  const g: WindowGeometry = { kind, kernel, strides, dilations, padsBegin, padsEnd, ceilMode, autoPad, groups, inSpatial, outSpatial };
  if (outputPadding) g.outputPadding = outputPadding;
  c.windows.set(c.ni, g);
  return g;
}

const conv: Rule = (c) => {
  const x = inShape(c, 0), w = inShape(c, 1);
  const kernel = attrInts(c.node, 'kernel_shape') ?? w.slice(2).map((d) => { if (!isNum(d)) throw new Error('kernel size is symbolic'); return d; });
  const g = geometry(c, 'conv', x, kernel);
  if (isNum(x[1]) && isNum(w[1]) && x[1] !== w[1] * g.groups) {
    throw new Error(`input has ${x[1]} channels but weights expect ${w[1]}×${g.groups} groups`);
  }
  return [[x[0]!, w[0]!, ...g.outSpatial]];
};

const convTranspose: Rule = (c) => {
  const x = inShape(c, 0), w = inShape(c, 1);
  const kernel = attrInts(c.node, 'kernel_shape') ?? w.slice(2).map((d) => { if (!isNum(d)) throw new Error('kernel size is symbolic'); return d; });
  const g = geometry(c, 'convTranspose', x, kernel);
  const outChannels = isNum(w[1]) ? w[1] * g.groups : w[1]!;
  const outputShape = attrInts(c.node, 'output_shape');
  if (outputShape) {
    const sp = outputShape.length === kernel.length + 2 ? outputShape.slice(2) : outputShape;
    // With output_shape the pads are derived from it (total = s·(in−1) + out_pad + k_eff − out).
    g.outSpatial = sp;
    sp.forEach((o, i) => {
      const m = x[2 + i];
      if (!isNum(m)) return;
      const keff = g.dilations[i]! * (g.kernel[i]! - 1) + 1;
      const total = g.strides[i]! * (m - 1) + (g.outputPadding?.[i] ?? 0) + keff - o;
      // Spec: SAME_UPPER puts the smaller half first; NOTSET and SAME_LOWER put the larger half first.
      const upper = attrString(c.node, 'auto_pad', 'NOTSET') === 'SAME_UPPER';
      g.padsBegin[i] = upper ? Math.floor(total / 2) : total - Math.floor(total / 2);
      g.padsEnd[i] = total - g.padsBegin[i]!;
    });
  }
  return [[x[0]!, outChannels, ...g.outSpatial]];
};

const pool: Rule = (c) => {
  const x = inShape(c, 0);
  const kernel = attrInts(c.node, 'kernel_shape');
  if (!kernel) throw new Error('kernel_shape attribute is missing');
  const g = geometry(c, 'pool', x, kernel);
  const y = [x[0]!, x[1]!, ...g.outSpatial];
  return c.node.output.map(() => y);
};

const globalPool: Rule = (c) => {
  const x = inShape(c, 0);
  return [[x[0]!, x[1]!, ...x.slice(2).map(() => 1)]];
};

const gemm: Rule = (c) => {
  const a = inShape(c, 0), b = inShape(c, 1);
  if (a.length !== 2 || b.length !== 2) throw new Error(`Gemm needs 2-D inputs, got ${fmtShape(a)} and ${fmtShape(b)}`);
  const ta = attrInt(c.node, 'transA', 0), tb = attrInt(c.node, 'transB', 0);
  const [m, ka] = ta ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = tb ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (isNum(ka) && isNum(kb) && ka !== kb) throw new Error(`inner dimensions differ: ${fmtShape(a)}${ta ? 'ᵀ' : ''} × ${fmtShape(b)}${tb ? 'ᵀ' : ''}`);
  return [[m, n]];
};

const matmul: Rule = (c) => {
  const a0 = inShape(c, 0), b0 = inShape(c, 1);
  if (a0.length === 0 || b0.length === 0) throw new Error('MatMul inputs must not be scalars');
  const a = a0.length === 1 ? [1, a0[0]!] : a0, b = b0.length === 1 ? [b0[0]!, 1] : b0;
  const ka = a[a.length - 1]!, kb = b[b.length - 2]!;
  if (isNum(ka) && isNum(kb) && ka !== kb) throw new Error(`inner dimensions differ: ${fmtShape(a0)} × ${fmtShape(b0)}`);
  const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
  const out: Shape = [...batch];
  if (a0.length !== 1) out.push(a[a.length - 2]!);
  if (b0.length !== 1) out.push(b[b.length - 1]!);
  return [out];
};

const batchNorm: Rule = (c) => {
  const x = inShape(c, 0);
  return c.node.output.map((_, k) => (k === 0 ? x : [x[1]!]));
};

const elementwise: Rule = (c) => {
  let s: Shape | undefined;
  for (let i = 0; i < c.node.input.length; i++) {
    if (!hasInput(c, i)) continue;
    const x = inShape(c, i);
    s = s ? broadcast(s, x) : x;
  }
  if (!s) throw new Error('no inputs');
  foldBinary(c);
  return [s];
};

function foldBinary(c: OpCtx): void {
  if (c.node.input.length !== 2) return;
  const a = inValues(c, 0), b = inValues(c, 1);
  if (!a || !b || !allNum(a) || !allNum(b)) return;
  const n = Math.max(a.length, b.length);
  if (a.length !== n && a.length !== 1) return;
  if (b.length !== n && b.length !== 1) return;
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y, Div: (x, y) => (y === 0 ? NaN : Math.trunc(x / y)),
  };
  const op = f[c.node.opType];
  if (!op) return;
  // Integer shape arithmetic only: float division is not truncated.
  const isInt = (v: number[]) => v.every(Number.isInteger);
  if (c.node.opType === 'Div' && !(isInt(a) && isInt(b))) return;
  setValues(c, Array.from({ length: n }, (_, i) => op(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!)));
}

const concat: Rule = (c) => {
  const ins = c.node.input.filter((n) => n !== '').map((_, i) => inShape(c, i));
  const r = ins[0]!.length;
  const axis = normAxis(attrInt(c.node, 'axis', 0), r);
  for (const s of ins) if (s.length !== r) throw new Error(`inputs have different ranks: ${ins.map(fmtShape).join(', ')}`);
  const out = [...ins[0]!];
  out[axis] = sum(ins.map((s) => s[axis]!));
  const vals = c.node.input.map((n) => c.values.get(n));
  if (r === 1 && vals.every((v) => v)) setValues(c, vals.flatMap((v) => v!));
  return [out];
};

const flatten: Rule = (c) => {
  const x = inShape(c, 0);
  let axis = attrInt(c.node, 'axis', 1);
  if (axis < 0) axis += x.length;
  if (axis < 0 || axis > x.length) throw new Error(`axis ${axis} out of range for rank ${x.length}`);
  return [[prod(x.slice(0, axis)), prod(x.slice(axis))]];
};

const reshape: Rule = (c) => {
  const x = inShape(c, 0);
  const target = c.opset < 5 ? attrInts(c.node, 'shape') : inValues(c, 1);
  if (!target) return [needValues(c, 1, 'target shape')];
  const allowZero = attrInt(c.node, 'allowzero', 0) === 1;
  const out: ShapeDim[] = target.map((d, i) => (d === 0 && !allowZero ? (x[i] ?? 0) : d));
  const neg = out.findIndex((d) => d === -1);
  if (out.filter((d) => d === -1).length > 1 || out.some((d) => isNum(d) && d < -1)) throw new Error(`invalid target shape [${target.join(', ')}]`);
  if (neg >= 0) {
    const known = prod(out.filter((_, i) => i !== neg));
    const rest = divide(prod(x), known);
    if (rest === undefined) throw new Error(`cannot reshape ${fmtShape(x)} to [${target.join(', ')}]`);
    out[neg] = rest;
  } else {
    const a = prod(x), b = prod(out);
    if (isNum(a) && isNum(b) && a !== b) throw new Error(`cannot reshape ${fmtShape(x)} (${a} elements) to [${target.join(', ')}] (${b})`);
  }
  setValues(c, inValues(c, 0));
  return [out];
};

const pad: Rule = (c) => {
  const x = inShape(c, 0);
  const r = x.length;
  let pads: number[];
  if (c.opset < 11) pads = attrInts(c.node, 'pads') ?? attrInts(c.node, 'paddings', Array(2 * r).fill(0));
  else pads = numbers(needValues(c, 1, 'pads'), 'pads');
  let axes = Array.from({ length: r }, (_, i) => i);
  if (c.opset >= 18 && hasInput(c, 3)) axes = numbers(needValues(c, 3, 'axes'), 'axes').map((a) => normAxis(a, r));
  if (pads.length !== 2 * axes.length) throw new Error(`pads has ${pads.length} values for ${axes.length} axes`);
  const out = [...x];
  axes.forEach((a, i) => {
    const d = out[a]!, add = pads[i]! + pads[i + axes.length]!;
    out[a] = isNum(d) ? d + add : add === 0 ? d : '?';
  });
  return [out];
};

const resize: Rule = (c) => {
  const x = inShape(c, 0);
  const r = x.length;
  let scales: number[] | undefined, sizes: ShapeDim[] | undefined;
  if (c.node.opType === 'Upsample' && c.opset < 9) scales = attrFloats(c.node, 'scales');
  else if (c.node.opType === 'Upsample' || c.opset < 11) scales = numbers(needValues(c, 1, 'scales'), 'scales');
  else {
    const sz = hasInput(c, 3) ? inValues(c, 3) : undefined;
    const sc = hasInput(c, 2) ? inValues(c, 2) : undefined;
    if (hasInput(c, 3) && !sz) needValues(c, 3, 'sizes');
    if (sz && sz.length > 0) sizes = sz;
    else if (sc && sc.length > 0) scales = numbers(sc, 'scales');
    else if (hasInput(c, 2) && !sc) needValues(c, 2, 'scales');
  }
  const axes = c.opset >= 18 ? attrInts(c.node, 'axes')?.map((a) => normAxis(a, r)) : undefined;
  const ax = axes ?? Array.from({ length: r }, (_, i) => i);
  const out = [...x];
  if (sizes) {
    if (sizes.length !== ax.length) throw new Error(`sizes has ${sizes.length} values for rank ${r}`);
    const policy = attrString(c.node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') throw new Error(`keep_aspect_ratio_policy "${policy}" is not supported by the shape rules`);
    ax.forEach((a, i) => { out[a] = sizes![i]!; });
    return [out];
  }
  if (!scales) throw new Error('neither scales nor sizes is given');
  if (scales.length !== ax.length) throw new Error(`scales has ${scales.length} values for rank ${r}`);
  // Output = floor(input × scale), as onnxruntime computes it.
  ax.forEach((a, i) => { const d = out[a]!; out[a] = isNum(d) ? Math.floor(d * scales![i]!) : scales![i] === 1 ? d : '?'; });
  return [out];
};

const transpose: Rule = (c) => {
  const x = inShape(c, 0);
  const perm = attrInts(c.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length) throw new Error(`perm [${perm.join(',')}] does not match rank ${x.length}`);
  return [perm.map((p) => { const d = x[p]; if (d === undefined) throw new Error(`perm [${perm.join(',')}] out of range`); return d; })];
};

function axesFrom(c: OpCtx, attrSince: number, inputIdx: number): number[] | undefined {
  if (c.opset < attrSince) return attrInts(c.node, 'axes');
  if (!hasInput(c, inputIdx)) return undefined;
  return numbers(needValues(c, inputIdx, 'axes'), 'axes');
}

const squeeze: Rule = (c) => {
  const x = inShape(c, 0);
  const axes = axesFrom(c, 13, 1)?.map((a) => normAxis(a, x.length));
  const out = axes ? x.filter((_, i) => !axes.includes(i)) : x.filter((d) => d !== 1);
  if (axes) for (const a of axes) if (isNum(x[a]) && x[a] !== 1) throw new Error(`cannot squeeze axis ${a} of size ${x[a]}`);
  if (!axes && x.some((d) => !isNum(d))) throw new Error(`which axes are 1 depends on symbolic dims of ${fmtShape(x)}`);
  const v = inValues(c, 0);
  if (v && v.length === 1 && out.length <= 1) setValues(c, v);
  return [out];
};

const unsqueeze: Rule = (c) => {
  const x = inShape(c, 0);
  const axes = axesFrom(c, 13, 1);
  if (!axes) throw new Error('axes are missing');
  const r = x.length + axes.length;
  const norm = axes.map((a) => normAxis(a, r)).sort((a, b) => a - b);
  const out: Shape = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(norm.includes(i) ? 1 : x[j++]!);
  const v = inValues(c, 0);
  if (v && x.length <= 1) setValues(c, v);
  return [out];
};

const reduce: Rule = (c) => {
  const x = inShape(c, 0);
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  // ReduceSum moved axes to an input in opset 13, the other reductions in opset 18.
  const since = c.node.opType === 'ReduceSum' ? 13 : 18;
  const axesRaw = axesFrom(c, since, 1);
  const noop = attrInt(c.node, 'noop_with_empty_axes', 0) === 1;
  if ((!axesRaw || axesRaw.length === 0) && noop) return [x];
  const axes = axesRaw && axesRaw.length > 0 ? axesRaw.map((a) => normAxis(a, x.length)) : x.map((_, i) => i);
  const out: Shape = [];
  x.forEach((d, i) => { if (!axes.includes(i)) out.push(d); else if (keep) out.push(1); });
  return [out];
};

const constant: Rule = (c) => {
  const n = c.node;
  const t = attrTensor(n, 'value');
  if (t) {
    const v = foldTensor(t);
    if (v) setValues(c, v);
    return [t.dims.map(Number)];
  }
  const f = findAttr(n, 'value_float'), fs = findAttr(n, 'value_floats');
  const i = findAttr(n, 'value_int'), is = findAttr(n, 'value_ints');
  if (f) { setValues(c, [attrFloat(n, 'value_float', 0)]); return [[]]; }
  if (i) { setValues(c, [attrInt(n, 'value_int', 0)]); return [[]]; }
  if (fs) { const v = attrFloats(n, 'value_floats', []); setValues(c, v); return [[v.length]]; }
  if (is) { const v = attrInts(n, 'value_ints', []); setValues(c, v); return [[v.length]]; }
  if (findAttr(n, 'value_string')) return [[]];
  const ss = findAttr(n, 'value_strings');
  if (ss) return [[ss.strings.length]];
  throw new Error('Constant has no value attribute');
};

const shapeOp: Rule = (c) => {
  const x = inShape(c, 0);
  const r = x.length;
  const clampIdx = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clampIdx(attrInt(c.node, 'start', 0));
  const end = clampIdx(attrInt(c.node, 'end', r));
  const v = x.slice(start, end);
  setValues(c, v);
  return [[Math.max(0, end - start)]];
};

const gather: Rule = (c) => {
  const data = inShape(c, 0), idx = inShape(c, 1);
  const axis = normAxis(attrInt(c.node, 'axis', 0), data.length);
  const dv = inValues(c, 0), iv = inValues(c, 1);
  if (dv && iv && data.length === 1 && allNum(iv)) {
    const n = dv.length;
    setValues(c, iv.map((i) => dv[i < 0 ? i + n : i]!).filter((d) => d !== undefined));
  }
  return [[...data.slice(0, axis), ...idx, ...data.slice(axis + 1)]];
};

const cast: Rule = (c) => { setValues(c, inValues(c, 0)); return [inShape(c, 0)]; };

const slice: Rule = (c) => {
  const x = inShape(c, 0);
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (c.opset < 10) {
    starts = attrInts(c.node, 'starts', []); ends = attrInts(c.node, 'ends', []); axes = attrInts(c.node, 'axes');
  } else {
    starts = numbers(needValues(c, 1, 'starts'), 'starts'); ends = numbers(needValues(c, 2, 'ends'), 'ends');
    axes = hasInput(c, 3) ? numbers(needValues(c, 3, 'axes'), 'axes') : undefined;
    steps = hasInput(c, 4) ? numbers(needValues(c, 4, 'steps'), 'steps') : undefined;
  }
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.length));
  const out = [...x];
  const xv = inValues(c, 0);
  let vals = x.length === 1 && xv ? xv : undefined;
  ax.forEach((a, i) => {
    const d = x[a]!;
    const step = steps?.[i] ?? 1;
    if (step === 0) throw new Error('slice step 0');
    if (!isNum(d)) { out[a] = '?'; vals = undefined; return; }
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
    const s = step > 0 ? clamp(starts[i]!, 0, d) : clamp(starts[i]!, -1, d - 1);
    const e = step > 0 ? clamp(ends[i]!, 0, d) : clamp(ends[i]!, -1, d - 1);
    const n = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
    out[a] = n;
    if (vals) vals = Array.from({ length: n }, (_, k) => vals![s + k * step]!);
  });
  if (vals) setValues(c, vals);
  return [out];
};

const constantOfShape: Rule = (c) => [[...needValues(c, 0, 'shape')]];

const expand: Rule = (c) => [broadcast(inShape(c, 0), needValues(c, 1, 'shape'))];

const split: Rule = (c) => {
  const x = inShape(c, 0);
  const axis = normAxis(attrInt(c.node, 'axis', 0), x.length);
  const n = c.node.output.length;
  let parts: number[] | undefined = c.opset < 13 ? attrInts(c.node, 'split') : hasInput(c, 1) ? numbers(needValues(c, 1, 'split'), 'split') : undefined;
  const d = x[axis]!;
  if (!parts) {
    if (!isNum(d)) return c.node.output.map(() => null);
    const each = Math.ceil(d / n);
    parts = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(each, d - i * each)));
  }
  return parts.map((p) => { const s = [...x]; s[axis] = p; return s; });
};

const UNARY = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'Elu', 'Selu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign',
  'LRN', 'Dropout', 'Softmax', 'LogSoftmax', 'Identity', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor',
  'Ceil', 'Round', 'Erf', 'Gelu', 'Mish', 'Celu', 'ThresholdedRelu', 'InstanceNormalization', 'LayerNormalization',
  'LpNormalization', 'MeanVarianceNormalization', 'Not', 'Sign', 'Sin', 'Cos',
];
const BROADCAST = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor', 'PRelu', 'Mod', 'BitShift'];

const RULES: Record<string, Rule> = {
  Conv: conv, ConvTranspose: convTranspose,
  MaxPool: pool, AveragePool: pool, LpPool: pool,
  GlobalAveragePool: globalPool, GlobalMaxPool: globalPool, GlobalLpPool: globalPool,
  Gemm: gemm, MatMul: matmul, BatchNormalization: batchNorm,
  Concat: concat, Flatten: flatten, Reshape: reshape, Pad: pad,
  Resize: resize, Upsample: resize, Transpose: transpose, Squeeze: squeeze, Unsqueeze: unsqueeze,
  ReduceMean: reduce, ReduceSum: reduce, ReduceMax: reduce, ReduceMin: reduce, ReduceProd: reduce, ReduceL2: reduce,
  Constant: constant, Shape: shapeOp, Gather: gather, Cast: cast, Slice: slice,
  ConstantOfShape: constantOfShape, Expand: expand, Split: split,
};
for (const op of UNARY) RULES[op] = same;
for (const op of BROADCAST) RULES[op] = elementwise;
