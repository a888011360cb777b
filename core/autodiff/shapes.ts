// Static shape/dtype inference for the forward graph: gradient formulas need ranks, spatial sizes
// and broadcast patterns at build time. Unknown dims are symbolic strings; unknown ranks are undefined.
// Small integer tensors (shape arithmetic from PyTorch exports) are constant-propagated.
import type { GraphProto, NodeProto, TensorProto } from '../onnx/proto.ts';
import { TensorProto_DataType as DT } from '../onnx/proto.ts';
import { tensorInts, tensorFloats, dimsOf } from '../onnx/tensor-proto.ts';
import { NodeAttrs } from './attrs.ts';

export type Dim = number | string;
export interface TensorInfo { dims?: Dim[]; dtype?: number }

export class ShapeTable {
  readonly info = new Map<string, TensorInfo>();
  /** Known integer values of small int tensors (shapes, axes, pads…). */
  readonly ints = new Map<string, number[]>();
  /** Known float values of small constant tensors (scales). */
  readonly floats = new Map<string, number[]>();
  /** Initializers that stay constant in the gradient model (transforms of them fold away). */
  readonly constants = new Set<string>();
  private sym = 0;
  fresh(): string { return `?${this.sym++}`; }
  get(name: string): TensorInfo { return this.info.get(name) ?? {}; }
  set(name: string, i: TensorInfo): void {
    const prev = this.info.get(name);
    // Keep declared info (value_info) when inference knows less.
    if (prev?.dims && !i.dims) i = { ...i, dims: prev.dims };
    if (prev?.dtype !== undefined && i.dtype === undefined) i = { ...i, dtype: prev.dtype };
    this.info.set(name, i);
  }
}

const isNum = (d: Dim | undefined): d is number => typeof d === 'number';
const FLOATS = new Set<number>([DT.FLOAT, DT.DOUBLE, DT.FLOAT16, DT.BFLOAT16]);
export const isFloatType = (t: number | undefined): boolean => t === undefined || FLOATS.has(t);

function prodDims(ds: Dim[], t: ShapeTable): Dim {
  return ds.every(isNum) ? ds.reduce((a, b) => a * (b as number), 1) : t.fresh();
}

export function broadcastDims(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => !s)) return undefined;
  const r = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s!.length - r + i;
      if (k < 0) continue;
      const v = s![k]!;
      if (v === 1) continue;
      if (d === 1) d = v;
      else if (isNum(d) && isNum(v) && d !== v) throw new Error(`autodiff: shapes [${shapes.map((x) => x!.join(',')).join('] and [')}] do not broadcast`);
      else if (!isNum(d) && isNum(v)) d = v;
    }
    out.push(d);
  }
  return out;
}

const norm = (a: number, r: number) => (a < 0 ? a + r : a);

interface PoolGeom { kernel: number[]; strides: number[]; pads: number[]; dilations: number[] }

/** Pads made explicit (auto_pad resolved) for Conv/pooling given static spatial input sizes. */
export function resolvePads(a: NodeAttrs, inSp: Dim[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const k = kernel.length;
  const autoPad = a.str('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') return a.ints('pads') ?? new Array(2 * k).fill(0);
  if (autoPad === 'VALID') return new Array(2 * k).fill(0);
  const pads = new Array(2 * k).fill(0);
  for (let i = 0; i < k; i++) {
    const n = inSp[i];
    if (!isNum(n)) throw new Error(`autodiff: auto_pad=${autoPad} needs a static spatial size (node "${a.node.name}")`);
    const keff = (kernel[i]! - 1) * dilations[i]! + 1;
    const out = Math.ceil(n / strides[i]!);
    const total = Math.max(0, (out - 1) * strides[i]! + keff - n);
    const small = Math.floor(total / 2);
    if (autoPad === 'SAME_UPPER') { pads[i] = small; pads[i + k] = total - small; } else { pads[i] = total - small; pads[i + k] = small; }
  }
  return pads;
}

export function poolGeometry(a: NodeAttrs, inSp: Dim[], kernel: number[]): PoolGeom {
  const k = kernel.length;
  const strides = a.ints('strides') ?? new Array(k).fill(1);
  const dilations = a.ints('dilations') ?? new Array(k).fill(1);
  return { kernel, strides, dilations, pads: resolvePads(a, inSp, kernel, strides, dilations) };
}

export function convOutDim(n: Dim, g: PoolGeom, i: number, ceil = false): Dim {
  if (!isNum(n)) return n;
  const k = g.kernel.length;
  const keff = (g.kernel[i]! - 1) * g.dilations[i]! + 1;
  const span = n + g.pads[i]! + g.pads[i + k]! - keff;
  if (!ceil) return Math.floor(span / g.strides[i]!) + 1;
  let o = Math.ceil(span / g.strides[i]!) + 1;
  // The last window must start inside the input or left padding (ONNX/PyTorch rule).
  if ((o - 1) * g.strides[i]! >= n + g.pads[i]!) o--;
  return o;
}

/** ConvTranspose pads made explicit (output_shape and auto_pad resolved). */
export function convTransposeGeometry(a: NodeAttrs, inSp: Dim[], kernel: number[]): PoolGeom & { outputPadding: number[]; out: Dim[] } {
  const k = kernel.length;
  const strides = a.ints('strides') ?? new Array(k).fill(1);
  const dilations = a.ints('dilations') ?? new Array(k).fill(1);
  const outputPadding = a.ints('output_padding') ?? new Array(k).fill(0);
  const autoPad = a.str('auto_pad', 'NOTSET');
  let outShape = a.ints('output_shape');
  if (outShape && outShape.length > k) outShape = outShape.slice(outShape.length - k);
  let pads = a.ints('pads') ?? new Array(2 * k).fill(0);
  if (outShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * k).fill(0);
    for (let i = 0; i < k; i++) {
      const n = inSp[i];
      if (!isNum(n)) throw new Error(`autodiff: ConvTranspose "${a.node.name}" needs static spatial sizes`);
      const keff = (kernel[i]! - 1) * dilations[i]! + 1;
      const target = outShape ? outShape[i]! : n * strides[i]!;
      const total = strides[i]! * (n - 1) + outputPadding[i]! + keff - target;
      const half = Math.floor(total / 2);
      if (autoPad === 'SAME_UPPER') {
        // As onnxruntime does (checked): SAME_UPPER puts the odd pixel at the end; an explicit
        // output_shape (auto_pad NOTSET) and SAME_LOWER put it at the beginning.
        pads[i] = half; pads[i + k] = total - half;
      } else { pads[i] = total - half; pads[i + k] = half; }
    }
  } else if (autoPad === 'VALID') pads = new Array(2 * k).fill(0);
  const out = inSp.map((n, i) => {
    if (!isNum(n)) return n;
    const keff = (kernel[i]! - 1) * dilations[i]! + 1;
    return strides[i]! * (n - 1) + outputPadding[i]! + keff - pads[i]! - pads[i + k]!;
  });
  return { kernel, strides, dilations, pads, outputPadding, out };
}

function elemTypeOfValueInfo(v: { type?: { value: { case: string | undefined; value?: unknown } } }): TensorInfo {
  const tt = v.type?.value;
  if (!tt || tt.case !== 'tensorType') return {};
  const t = tt.value as { elemType: number; shape?: { dim: { value: { case: string | undefined; value?: unknown } }[] } };
  const dims = t.shape ? t.shape.dim.map((d): Dim => (d.value.case === 'dimValue' ? Number(d.value.value as bigint) : d.value.case === 'dimParam' ? String(d.value.value) : '?')) : undefined;
  return { dims, dtype: t.elemType || undefined };
}

export function inferShapes(graph: GraphProto, order: NodeProto[], opset: number): ShapeTable {
  const t = new ShapeTable();
  for (const v of [...graph.valueInfo, ...graph.output]) t.set(v.name, elemTypeOfValueInfo(v as never));
  for (const v of graph.input) t.set(v.name, elemTypeOfValueInfo(v as never));
  for (const init of graph.initializer) {
    t.set(init.name, { dims: dimsOf(init), dtype: init.dataType });
    recordConst(t, init.name, init);
  }
  for (const n of order) {
    try { inferNode(n, t, opset); } catch {
      // Unknown shapes only matter if a gradient rule needs them; that rule reports the problem.
    }
  }
  return t;
}

function recordConst(t: ShapeTable, name: string, tp: TensorProto): void {
  const n = dimsOf(tp).reduce((a, b) => a * b, 1);
  if (n > 64) return;
  if (tp.dataType === DT.INT64 || tp.dataType === DT.INT32) t.ints.set(name, tensorInts(tp));
  if (tp.dataType === DT.FLOAT) t.floats.set(name, Array.from(tensorFloats(tp)));
}

function inferNode(n: NodeProto, t: ShapeTable, opset: number): void {
  const a = new NodeAttrs(n);
  const I = (i: number) => (n.input[i] ? t.get(n.input[i]!) : {});
  const X = I(0);
  const xd = X.dims;
  const out = (i: number, info: TensorInfo) => { if (n.output[i]) t.set(n.output[i]!, info); };
  const same = () => out(0, { dims: xd, dtype: X.dtype });
  const intsIn = (i: number) => (n.input[i] ? t.ints.get(n.input[i]!) : undefined);
  const r = xd?.length ?? 0;
  const axesOf = (): number[] | undefined => (opset >= 13 ? intsIn(1) : a.ints('axes'));
  switch (n.opType) {
    case 'Relu': case 'LeakyRelu': case 'Sigmoid': case 'Tanh': case 'Clip': case 'Identity': case 'Softmax': case 'LogSoftmax':
    case 'LRN': case 'Neg': case 'Abs': case 'Exp': case 'Log': case 'Sqrt': case 'Elu': case 'Selu': case 'HardSigmoid':
    case 'HardSwish': case 'Softplus': case 'Softsign': case 'Erf': case 'Reciprocal': case 'Floor': case 'Ceil': case 'Round':
    case 'Sign': case 'Gelu': case 'InstanceNormalization': case 'LayerNormalization': case 'Sin': case 'Cos': case 'Mish':
    case 'Cosh': case 'Sinh': case 'Tan': case 'Asin': case 'Acos': case 'Atan': case 'ThresholdedRelu': case 'Celu': case 'Shrink':
      same(); break;
    case 'Dropout': same(); out(1, { dims: xd, dtype: DT.BOOL }); break;
    case 'BatchNormalization': same(); break;
    case 'Cast': {
      out(0, { dims: xd, dtype: a.int('to', DT.FLOAT) });
      const v = intsIn(0); if (v) t.ints.set(n.output[0]!, v);
      break;
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Sum': case 'Max': case 'Min': case 'Mean': case 'PRelu': {
      out(0, { dims: broadcastDims(n.input.map((s) => t.get(s).dims)), dtype: X.dtype });
      const vs = n.input.map((s) => t.ints.get(s));
      if (vs.every((v) => v) && vs.length === 2 && vs[0]!.length === vs[1]!.length) {
        const [p, q] = vs as [number[], number[]];
        const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => Math.trunc(x / y) }[n.opType as 'Add'];
        if (f) t.ints.set(n.output[0]!, p.map((x, i) => f(x, q[i]!)));
      }
      break;
    }
    case 'Equal': case 'Greater': case 'Less': case 'GreaterOrEqual': case 'LessOrEqual': case 'And': case 'Or': case 'Not':
      out(0, { dims: broadcastDims(n.input.map((s) => t.get(s).dims)), dtype: DT.BOOL }); break;
    case 'Where': out(0, { dims: broadcastDims(n.input.map((s) => t.get(s).dims)), dtype: I(1).dtype }); break;
    case 'Conv': case 'ConvInteger': {
      const W = I(1).dims;
      if (!xd || !W) break;
      const kernel = a.ints('kernel_shape') ?? (W.slice(2) as number[]);
      const g = poolGeometry(a, xd.slice(2), kernel);
      out(0, { dims: [xd[0]!, W[0]!, ...xd.slice(2).map((d, i) => convOutDim(d, g, i))], dtype: X.dtype });
      break;
    }
    case 'ConvTranspose': {
      const W = I(1).dims;
      if (!xd || !W) break;
      const kernel = a.ints('kernel_shape') ?? (W.slice(2) as number[]);
      const g = convTransposeGeometry(a, xd.slice(2), kernel);
      const m = isNum(W[1]) ? W[1] * a.int('group', 1) : t.fresh();
      out(0, { dims: [xd[0]!, m, ...g.out], dtype: X.dtype });
      break;
    }
    case 'MaxPool': case 'AveragePool': case 'LpPool': {
      if (!xd) break;
      const kernel = a.ints('kernel_shape')!;
      const g = poolGeometry(a, xd.slice(2), kernel);
      const ceil = a.int('ceil_mode', 0) === 1;
      const dims = [xd[0]!, xd[1]!, ...xd.slice(2).map((d, i) => convOutDim(d, g, i, ceil))];
      out(0, { dims, dtype: X.dtype });
      out(1, { dims, dtype: DT.INT64 });
      break;
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool': case 'GlobalLpPool':
      if (xd) out(0, { dims: [xd[0]!, xd[1]!, ...xd.slice(2).map(() => 1)], dtype: X.dtype }); break;
    case 'Gemm': {
      const A = I(0).dims, B = I(1).dims;
      if (!A || !B) break;
      const m = a.int('transA', 0) ? A[1]! : A[0]!, k = a.int('transB', 0) ? B[0]! : B[1]!;
      out(0, { dims: [m, k], dtype: X.dtype });
      break;
    }
    case 'MatMul': {
      const A = I(0).dims, B = I(1).dims;
      if (!A || !B) break;
      const A2 = A.length === 1 ? [1, A[0]!] : A, B2 = B.length === 1 ? [B[0]!, 1] : B;
      const batch = broadcastDims([A2.slice(0, -2), B2.slice(0, -2)])!;
      const dims: Dim[] = [...batch];
      if (A.length > 1) dims.push(A2[A2.length - 2]!);
      if (B.length > 1) dims.push(B2[B2.length - 1]!);
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'Flatten': {
      if (!xd) break;
      const ax = norm(a.int('axis', 1), r);
      out(0, { dims: [prodDims(xd.slice(0, ax), t), prodDims(xd.slice(ax), t)], dtype: X.dtype });
      break;
    }
    case 'Reshape': {
      const s = intsIn(1);
      if (!s) { out(0, { dtype: X.dtype }); break; }
      const allowZero = a.int('allowzero', 0) === 1;
      const dims: Dim[] = s.map((v, i) => (v === 0 && !allowZero ? (xd ? xd[i]! : t.fresh()) : v));
      const neg = dims.indexOf(-1);
      if (neg >= 0) {
        const known = dims.filter((_, i) => i !== neg);
        if (xd && xd.every(isNum) && known.every(isNum)) {
          const total = (xd as number[]).reduce((p, q) => p * q, 1);
          dims[neg] = total / (known as number[]).reduce((p, q) => p * q, 1);
        } else dims[neg] = t.fresh();
      }
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'Transpose': {
      if (!xd) break;
      const perm = a.ints('perm') ?? xd.map((_, i) => r - 1 - i);
      out(0, { dims: perm.map((p) => xd[p]!), dtype: X.dtype });
      break;
    }
    case 'Squeeze': {
      if (!xd) break;
      const axes = (axesOf() ?? xd.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((x) => norm(x, r));
      out(0, { dims: xd.filter((_, i) => !axes.includes(i)), dtype: X.dtype });
      const v = intsIn(0); if (v) t.ints.set(n.output[0]!, v);
      break;
    }
    case 'Unsqueeze': {
      const axes = axesOf();
      const v = intsIn(0); if (v) t.ints.set(n.output[0]!, v);
      if (!xd || !axes) break;
      const rr = r + axes.length;
      const ax = axes.map((x) => norm(x, rr));
      const dims: Dim[] = [];
      let j = 0;
      for (let i = 0; i < rr; i++) dims.push(ax.includes(i) ? 1 : xd[j++]!);
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'Concat': {
      const ds = n.input.map((s) => t.get(s).dims);
      const vs = n.input.map((s) => t.ints.get(s));
      if (vs.every((v) => v)) t.ints.set(n.output[0]!, vs.flatMap((v) => v!));
      if (ds.some((d) => !d)) break;
      const ax = norm(a.int('axis', 0), ds[0]!.length);
      const dims = [...ds[0]!];
      const parts = ds.map((d) => d![ax]!);
      dims[ax] = parts.every(isNum) ? (parts as number[]).reduce((p, q) => p + q, 0) : t.fresh();
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'Split': {
      if (!xd) break;
      const ax = norm(a.int('axis', 0), r);
      const sizes = splitSizes(n, a, t, xd[ax]!, opset);
      n.output.forEach((o, i) => { const d = [...xd]; d[ax] = sizes ? sizes[i]! : t.fresh(); t.set(o, { dims: d, dtype: X.dtype }); });
      break;
    }
    case 'Pad': {
      if (!xd) break;
      const pads = opset >= 11 ? intsIn(1) : a.ints('pads');
      if (!pads) break;
      let axes = n.input[3] ? intsIn(3)?.map((x) => norm(x, r)) : undefined;
      axes ??= xd.map((_, i) => i);
      const dims = [...xd];
      axes.forEach((ax, j) => { const d = dims[ax]!; dims[ax] = isNum(d) ? d + pads[j]! + pads[j + axes!.length]! : t.fresh(); });
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'Resize': case 'Upsample': {
      if (!xd) break;
      const sizes = n.input[3] ? intsIn(3) : undefined;
      const scales = n.opType === 'Upsample' ? (n.input[1] ? t.floats.get(n.input[1]!) : a.floats('scales')) : n.input[2] ? t.floats.get(n.input[2]!) : undefined;
      let dims: Dim[] | undefined;
      if (sizes && sizes.length === r) dims = sizes;
      else if (scales && scales.length === r) dims = xd.map((d, i) => (isNum(d) ? Math.floor(d * scales[i]!) : d));
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': case 'ReduceProd': case 'ReduceL2': case 'ReduceL1':
    case 'ReduceLogSumExp': case 'ReduceSumSquare': case 'ArgMax': case 'ArgMin': {
      if (!xd) break;
      const keep = a.int('keepdims', 1) === 1;
      let axes: number[] | undefined;
      if (n.opType.startsWith('Arg')) axes = [a.int('axis', 0)];
      else axes = (n.opType === 'ReduceSum' ? opset >= 13 : opset >= 18) ? intsIn(1) : a.ints('axes');
      if (!axes || axes.length === 0) {
        if (a.int('noop_with_empty_axes', 0) === 1 && !n.opType.startsWith('Arg')) { same(); break; }
        axes = xd.map((_, i) => i);
      }
      const ax = axes.map((x) => norm(x, r));
      const dims = keep ? xd.map((d, i) => (ax.includes(i) ? 1 : d)) : xd.filter((_, i) => !ax.includes(i));
      out(0, { dims, dtype: n.opType.startsWith('Arg') ? DT.INT64 : X.dtype });
      break;
    }
    case 'Shape': {
      if (!xd) { out(0, { dtype: DT.INT64 }); break; }
      let s = 0, e = r;
      if (a.has('start')) s = norm(a.int('start', 0), r);
      if (a.has('end')) e = norm(a.int('end', r), r);
      out(0, { dims: [e - s], dtype: DT.INT64 });
      if (xd.slice(s, e).every(isNum)) t.ints.set(n.output[0]!, xd.slice(s, e) as number[]);
      break;
    }
    case 'Size': out(0, { dims: [], dtype: DT.INT64 }); if (xd?.every(isNum)) t.ints.set(n.output[0]!, [(xd as number[]).reduce((p, q) => p * q, 1)]); break;
    case 'Constant': {
      const tv = a.tensor('value');
      if (tv) { out(0, { dims: dimsOf(tv), dtype: tv.dataType }); recordConst(t, n.output[0]!, tv); break; }
      const iv = a.ints('value_ints'); if (iv) { out(0, { dims: [iv.length], dtype: DT.INT64 }); t.ints.set(n.output[0]!, iv); break; }
      if (a.has('value_int')) { out(0, { dims: [], dtype: DT.INT64 }); t.ints.set(n.output[0]!, [a.int('value_int', 0)]); break; }
      const fv = a.floats('value_floats'); if (fv) { out(0, { dims: [fv.length], dtype: DT.FLOAT }); t.floats.set(n.output[0]!, fv); break; }
      if (a.has('value_float')) { out(0, { dims: [], dtype: DT.FLOAT }); t.floats.set(n.output[0]!, [a.float('value_float', 0)]); }
      break;
    }
    case 'Gather': {
      const idx = I(1);
      const v = intsIn(0), iv = intsIn(1);
      if (v && iv && a.int('axis', 0) === 0) t.ints.set(n.output[0]!, iv.map((i) => v[norm(i, v.length)]!));
      if (!xd || !idx.dims) break;
      const ax = norm(a.int('axis', 0), r);
      out(0, { dims: [...xd.slice(0, ax), ...idx.dims, ...xd.slice(ax + 1)], dtype: X.dtype });
      break;
    }
    case 'Slice': {
      const starts = intsIn(1), ends = intsIn(2);
      const axes = n.input[3] ? intsIn(3) : undefined, steps = n.input[4] ? intsIn(4) : undefined;
      if (!xd || !starts || !ends) break;
      const dims = [...xd];
      const v = intsIn(0);
      let vals = v ? [...v] : undefined;
      starts.forEach((s0, j) => {
        const ax = norm(axes ? axes[j]! : j, r);
        const d = xd[ax]!; const st = steps ? steps[j]! : 1;
        if (!isNum(d) || st !== 1) { dims[ax] = isNum(d) ? sliceLen(d, s0, ends[j]!, st) : t.fresh(); return; }
        const [b, e] = [clampIdx(s0, d), clampIdx(ends[j]!, d)];
        dims[ax] = Math.max(0, e - b);
        if (vals && r === 1) vals = vals.slice(b, e);
      });
      if (vals && r === 1) t.ints.set(n.output[0]!, vals);
      out(0, { dims, dtype: X.dtype });
      break;
    }
    case 'Expand': {
      const s = intsIn(1);
      if (s && xd) out(0, { dims: broadcastDims([xd, s]), dtype: X.dtype });
      break;
    }
    case 'ConstantOfShape': {
      const s = intsIn(0); const v = a.tensor('value');
      out(0, { dims: s, dtype: v ? v.dataType : DT.FLOAT });
      break;
    }
    case 'DepthToSpace': case 'SpaceToDepth': {
      if (!xd || xd.length !== 4) break;
      const b = a.int('blocksize', 1);
      const f = n.opType === 'DepthToSpace' ? (d: Dim, up: boolean) => (isNum(d) ? (up ? d * b : d / (b * b)) : t.fresh())
        : (d: Dim, up: boolean) => (isNum(d) ? (up ? d * b * b : d / b) : t.fresh());
      const d2s = n.opType === 'DepthToSpace';
      out(0, { dims: [xd[0]!, f(xd[1]!, !d2s), f(xd[2]!, d2s), f(xd[3]!, d2s)], dtype: X.dtype });
      break;
    }
    case 'Tile': {
      const rep = intsIn(1);
      if (rep && xd) out(0, { dims: xd.map((d, i) => (isNum(d) ? d * rep[i]! : t.fresh())), dtype: X.dtype });
      break;
    }
    default:
      break;
  }
}

function clampIdx(i: number, d: number): number {
  if (i < 0) i += d;
  return Math.min(Math.max(i, 0), d);
}
function sliceLen(d: number, s: number, e: number, st: number): number {
  if (st > 0) return Math.max(0, Math.ceil((clampIdx(e, d) - clampIdx(s, d)) / st));
  const ss = s < 0 ? s + d : Math.min(s, d - 1), ee = e < -d ? -1 : e < 0 ? e + d : Math.min(e, d - 1);
  return Math.max(0, Math.ceil((ss - ee) / -st));
}

export function splitSizes(n: NodeProto, a: NodeAttrs, t: ShapeTable, total: Dim, opset: number): number[] | undefined {
  const given = opset >= 13 ? (n.input[1] ? t.ints.get(n.input[1]!) : undefined) : a.ints('split');
  if (given) return given;
  if (!isNum(total)) return undefined;
  const k = n.output.length;
  const each = Math.ceil(total / k);
  return Array.from({ length: k }, (_, i) => Math.max(0, Math.min(each, total - i * each)));
}
