// Receptive fields in input pixels, propagated tensor by tensor through the graph.
// Per spatial axis, with k_eff = d·(k−1)+1:
//   size_out  = size_in + (k_eff − 1)·jump_in
//   jump_out  = jump_in · s
//   start_out = start_in + ((k_eff − 1)/2 − p_begin)·jump_in      (centre of output unit 0)
// Merges (Add, Concat, Mul…) take the union of the input windows (the max size when centred alike).
// Tensors without spatial axes (after Flatten, Gemm, global pooling) see the whole input.
import type { ReceptiveField, Shape } from './types.ts';
import type { ShapeInference, WindowGeometry } from './shapes.ts';
import { isNum } from './dims.ts';
import { describeNode } from '../onnx/graph.ts';

type Axis = { size: number; jump: number; start: number };
const IDENTITY_AXIS: Axis = { size: 1, jump: 1, start: 0 };

export interface ReceptiveFieldResult {
  /** Receptive field of each tensor that derives from an image input. */
  fields: Map<string, ReceptiveField>;
  warnings: string[];
}

const toRF = (h: Axis, w: Axis): ReceptiveField => ({ size: [h.size, w.size], jump: [h.jump, w.jump], start: [h.start, w.start] });
const axesOf = (r: ReceptiveField): [Axis, Axis] => [
  { size: r.size[0], jump: r.jump[0], start: r.start[0] },
  { size: r.size[1], jump: r.jump[1], start: r.start[1] },
];

/** One axis through a Conv/pool window. */
export function windowAxis(a: Axis, k: number, s: number, d: number, padBegin: number): Axis {
  const keff = d * (k - 1) + 1;
  return { size: a.size + (keff - 1) * a.jump, jump: a.jump * s, start: a.start + ((keff - 1) / 2 - padBegin) * a.jump };
}

/**
 * One axis through a ConvTranspose: each output unit sees ⌈k_eff/s⌉ neighbouring input units. The size is
 * exact when s divides k_eff; `start` is the average centre — with s > 1, alternate output units sit up to
 * half an input step either side of it (checked against onnxruntime in tests/analysis/rf-empirical.test.ts).
 */
export function transposedAxis(a: Axis, k: number, s: number, d: number, padBegin: number): Axis {
  const keff = d * (k - 1) + 1;
  return { size: a.size + (Math.ceil(keff / s) - 1) * a.jump, jump: a.jump / s, start: a.start + ((padBegin - (keff - 1) / 2) / s) * a.jump };
}

/** A window spanning all m units of an axis (global pooling, flattening). */
function wholeAxis(a: Axis, m: number): Axis {
  const size = a.size + (m - 1) * a.jump;
  return { size, jump: size, start: a.start + ((m - 1) / 2) * a.jump };
}

function union(list: Axis[]): Axis {
  let lo = Infinity, hi = -Infinity;
  for (const a of list) { lo = Math.min(lo, a.start - (a.size - 1) / 2); hi = Math.max(hi, a.start + (a.size - 1) / 2); }
  return { size: hi - lo + 1, jump: list[0]!.jump, start: (lo + hi) / 2 };
}

const spatial = (s: Shape | undefined): [number, number] | undefined => {
  if (!s || s.length !== 4) return undefined;
  const h = s[2], w = s[3];
  return isNum(h) && isNum(w) ? [h, w] : undefined;
};

export function receptiveFields(inf: ShapeInference): ReceptiveFieldResult {
  const { index, shapes, windows } = inf;
  const graph = index.graph;
  const fields = new Map<string, ReceptiveField>();
  const warnings: string[] = [];
  for (const name of index.inputs) {
    const s = shapes.get(name);
    if (s && s.length === 4) fields.set(name, toRF(IDENTITY_AXIS, IDENTITY_AXIS));
  }

  for (const ni of index.order) {
    const node = graph.node[ni]!;
    const ins = node.input.filter((n) => n !== '' && fields.has(n));
    if (ins.length === 0) continue;
    const outShape = shapes.get(node.output[0] ?? '');
    const first = fields.get(ins[0]!)!;
    const firstShape = shapes.get(ins[0]!);
    let rf: ReceptiveField | undefined;
    const g: WindowGeometry | undefined = windows.get(ni);

    if (g && g.kernel.length === 2 && firstShape?.length === 4) {
      const [h, w] = axesOf(first);
      const f = g.kind === 'convTranspose' ? transposedAxis : windowAxis;
      rf = toRF(f(h, g.kernel[0]!, g.strides[0]!, g.dilations[0]!, g.padsBegin[0]!), f(w, g.kernel[1]!, g.strides[1]!, g.dilations[1]!, g.padsBegin[1]!));
    } else if (firstShape?.length === 4 && (!outShape || outShape.length !== 4 || /^Global/.test(node.opType))) {
      // Spatial axes collapse (global pooling, flatten, reduce): one unit now sees the whole input.
      const m = spatial(firstShape);
      if (m) { const [h, w] = axesOf(first); rf = toRF(wholeAxis(h, m[0]), wholeAxis(w, m[1])); }
    } else if (firstShape?.length !== 4) {
      rf = first; // already global
    } else {
      const mIn = spatial(firstShape), mOut = spatial(outShape);
      if (!mIn || !mOut) continue;
      const [h, w] = axesOf(first);
      if (node.opType === 'Resize' || node.opType === 'Upsample') {
        // Upsampling by r: output units sit r times closer; nearest/linear barely widen the window.
        const rh = mOut[0] / mIn[0], rw = mOut[1] / mIn[1];
        const up = (a: Axis, r: number): Axis => ({ size: a.size, jump: a.jump / r, start: a.start - (a.jump - a.jump / r) / 2 });
        rf = toRF(up(h, rh), up(w, rw));
      } else if (node.opType === 'Pad') {
        const pads = inf.values.get(node.input[1] ?? '');
        const p = pads && pads.length === 8 && pads.every(isNum) ? pads as number[] : undefined;
        if (p) rf = toRF({ ...h, start: h.start - p[2]! * h.jump }, { ...w, start: w.start - p[3]! * w.jump });
      } else if (mIn[0] === mOut[0] && mIn[1] === mOut[1]) {
        const all = ins.filter((n) => shapes.get(n)?.length === 4).map((n) => axesOf(fields.get(n)!));
        const hs = all.map((a) => a[0]), ws = all.map((a) => a[1]);
        if (new Set(hs.map((a) => a.jump)).size > 1 || new Set(ws.map((a) => a.jump)).size > 1) {
          warnings.push(`${describeNode(node, ni)}: merges inputs with different effective strides (${all.map((a) => `${a[0].jump}×${a[1].jump}`).join(', ')}); receptive field uses the first input's stride`);
        }
        rf = toRF(union(hs), union(ws));
      }
    }
    if (rf) for (const o of node.output) if (o !== '') fields.set(o, rf);
  }
  return { fields, warnings };
}
