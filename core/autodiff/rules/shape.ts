// Gradients of data-movement ops (reshapes, concat/split, pad/slice), reductions and Resize.
import type { GradRule } from './context.ts';
import { unbroadcast } from './context.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const INT64_MAX = 2 ** 62; // large enough for Slice "to the end", exact in float64

const reshapeBack: GradRule = (c) => [c.need(0) ? c.e.reshape(c.g, c.e.shapeTensor(c.shapes.get(c.input(0)).dims, c.input(0))) : undefined];

const transpose: GradRule = (c) => {
  if (!c.need(0)) return [];
  const r = c.rank(c.input(0));
  const perm = c.a.ints('perm') ?? range(0, r).reverse();
  const inv = new Array<number>(r);
  perm.forEach((p, i) => { inv[p] = i; });
  return [c.e.transpose(c.g, inv)];
};

function normAxis(axis: number, r: number): number { return axis < 0 ? axis + r : axis; }

const concat: GradRule = (c) => {
  const r = c.rank(c.output(0));
  const axis = normAxis(c.a.int('axis', 0), r);
  const sizes = c.node.input.map((x): number => {
    const d = c.dims(x)[axis];
    if (typeof d !== 'number') return c.fail(`needs a static size on the concat axis for "${x}"`);
    return d;
  });
  if (sizes.length === 1) return [c.g];
  const e = c.e;
  const outs = c.opset >= 13
    ? e.node('Split', [c.g, e.i64(sizes)], { axis }, sizes.length)
    : e.node('Split', [c.g], { axis, split: sizes }, sizes.length);
  return outs.map((o, i) => (c.need(i) ? o : undefined));
};

const split: GradRule = (c) => {
  if (!c.need(0)) return [];
  const r = c.rank(c.input(0));
  const axis = normAxis(c.a.int('axis', 0), r);
  const parts = c.node.output.map((o, i) => c.gy[i] ?? c.e.zerosLike(o));
  return [parts.length === 1 ? parts[0]! : c.e.op('Concat', parts, { axis })];
};

const pad: GradRule = (c) => {
  if (!c.need(0)) return [];
  const mode = c.a.str('mode', 'constant');
  if (mode !== 'constant') c.fail(`mode "${mode}" is not supported (only constant padding)`);
  const x = c.input(0), r = c.rank(x);
  const pads = c.opset >= 11 ? c.constInts(1, 'pads') : c.a.ints('pads') ?? [];
  const axes = c.node.input[3] ? c.constInts(3, 'axes').map((a) => normAxis(a, r)) : range(0, r);
  const n = axes.length;
  const e = c.e;
  let g = c.g;
  // Negative pads crop the input: the gradient re-pads those parts with zeros.
  const neg = range(0, 2 * n).map((j) => Math.max(0, -pads[j]!));
  if (neg.some((v) => v > 0)) {
    const full = new Array(2 * r).fill(0);
    axes.forEach((a, j) => { full[a] = neg[j]; full[a + r] = neg[j + n]; });
    g = e.op('Pad', [g, e.i64(full)]);
  }
  const starts = axes.map((_, j) => Math.max(0, pads[j]!));
  const ends = axes.map((_, j) => (pads[j + n]! > 0 ? -pads[j + n]! : INT64_MAX));
  if (starts.some((v) => v > 0) || ends.some((v) => v !== INT64_MAX)) g = e.op('Slice', [g, e.i64(starts), e.i64(ends), e.i64(axes)]);
  return [g];
};

const slice: GradRule = (c) => {
  if (!c.need(0)) return [];
  const x = c.input(0);
  const xd = c.staticDims(x, 'Slice gradient');
  const r = xd.length;
  let starts: number[], ends: number[], axes: number[], steps: number[];
  if (c.opset >= 10) {
    starts = c.constInts(1, 'starts'); ends = c.constInts(2, 'ends');
    axes = c.node.input[3] ? c.constInts(3, 'axes') : range(0, starts.length);
    steps = c.node.input[4] ? c.constInts(4, 'steps') : starts.map(() => 1);
  } else {
    starts = c.a.ints('starts')!; ends = c.a.ints('ends')!;
    axes = c.a.ints('axes') ?? range(0, starts.length); steps = starts.map(() => 1);
  }
  if (steps.some((s) => s !== 1)) c.fail('only step 1 is supported');
  const full = new Array(2 * r).fill(0);
  axes.forEach((a0, j) => {
    const a = normAxis(a0, r), d = xd[a]!;
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
    const b = clamp(starts[j]!), en = Math.max(b, clamp(ends[j]!));
    full[a] = b; full[a + r] = d - en;
  });
  return [c.e.op('Pad', [c.g, c.e.i64(full)])];
};

const expand: GradRule = (c) => [c.need(0) ? unbroadcast(c, c.g, c.input(0), c.output(0)) : undefined];

function reduceRule(mean: boolean): GradRule {
  return (c) => {
    if (!c.need(0)) return [];
    const x = c.input(0), e = c.e;
    const r = c.rank(x);
    const axesAsInput = c.node.opType === 'ReduceSum' ? c.opset >= 13 : c.opset >= 18;
    let axes = axesAsInput ? (c.node.input[1] ? c.constInts(1, 'axes') : undefined) : c.a.ints('axes');
    if (!axes || axes.length === 0) {
      if (c.a.int('noop_with_empty_axes', 0) === 1) return [c.g];
      axes = range(0, r);
    }
    const ax = [...new Set(axes.map((a) => normAxis(a, r)))].sort((p, q) => p - q);
    let g = c.g;
    if (c.a.int('keepdims', 1) === 0) g = e.unsqueeze(g, ax);
    g = e.op('Expand', [g, e.shapeOf(x)]);
    if (mean) {
      const xd = c.dims(x);
      const red = ax.map((a) => xd[a]!);
      const inv = red.every((v) => typeof v === 'number')
        ? e.scalar(1 / (red as number[]).reduce((p, q) => p * q, 1))
        : e.op('Div', [e.countF(c.output(0)), e.countF(x)]);
      g = e.op('Mul', [g, inv]);
    }
    return [g];
  };
}

const resize: GradRule = (c) => {
  if (!c.need(0)) return [];
  const e = c.e, x = c.input(0);
  const ctm = c.a.str('coordinate_transformation_mode', 'half_pixel');
  if (ctm === 'tf_crop_and_resize') c.fail('coordinate_transformation_mode "tf_crop_and_resize" is not supported');
  const policy = c.a.str('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') c.fail(`keep_aspect_ratio_policy "${policy}" is not supported`);
  if (c.node.input[4]) c.fail('the axes input is not supported');
  const xd = c.staticDims(x, 'Resize gradient'), yd = c.staticDims(c.output(0), 'Resize gradient');
  const r = xd.length;
  const scales = c.node.input[2] && c.shapes.floats.get(c.node.input[2]!)?.length === r ? c.shapes.floats.get(c.node.input[2]!)! : undefined;
  const changed = range(0, r).filter((a) => xd[a] !== yd[a] || (scales && scales[a] !== 1));
  if (changed.some((a) => a < 2)) c.fail('resizing the batch or channel axis is not supported');
  const attrs = Object.fromEntries(c.node.attribute.map((at) => [at.name, at]));
  let g = c.g;
  // Each resized axis is a linear map M (in × out). Read M off the forward op by resizing an identity
  // probe, so every mode and coordinate transform matches the runtime exactly (folded as a constant).
  for (const a of changed) {
    const d = xd[a]!, dout = yd[a]!;
    const probeDims = range(0, r).map((i) => (i === 0 || i === a ? d : 1));
    const eye = new Float32Array(d * d);
    for (let i = 0; i < d; i++) eye[i * d + i] = 1;
    const probe = e.f32(eye, probeDims);
    const inputs = scales
      ? [probe, '', e.f32(range(0, r).map((i) => (i === a ? scales[a]! : 1)))]
      : [probe, '', '', e.i64(range(0, r).map((i) => (i === 0 ? d : i === a ? dout : 1)))];
    const resized = e.nodes.length;
    const m = e.op('Resize', inputs);
    e.nodes[resized]!.attribute = Object.values(attrs);
    const mat = e.reshape(m, e.i64([d, dout])); // M[i, o]
    if (a === r - 1) g = e.op('MatMul', [g, e.transpose(mat, [1, 0])]);
    else if (a === r - 2) g = e.op('MatMul', [mat, g]);
    else {
      const perm = range(0, r); perm[a] = r - 1; perm[r - 1] = a;
      g = e.transpose(e.op('MatMul', [e.transpose(g, perm), e.transpose(mat, [1, 0])]), perm);
    }
  }
  return [g];
};

export const shapeRules: Record<string, GradRule> = {
  Flatten: reshapeBack, Reshape: reshapeBack, Squeeze: reshapeBack, Unsqueeze: reshapeBack,
  Transpose: transpose, Concat: concat, Split: split, Pad: pad, Slice: slice, Expand: expand,
  ReduceSum: reduceRule(false), ReduceMean: reduceRule(true), Resize: resize,
};
