// What a gradient rule sees: the forward node, its output gradients, and build-time shape facts.
import type { NodeProto } from '../../onnx/proto.ts';
import type { Emitter } from '../emitter.ts';
import { NodeAttrs, nodeLabel } from '../attrs.ts';
import type { Dim, ShapeTable } from '../shapes.ts';

export class GradCtx {
  readonly a: NodeAttrs;
  constructor(
    readonly e: Emitter,
    readonly node: NodeProto,
    readonly shapes: ShapeTable,
    readonly opset: number,
    /** Gradient of each output (undefined: the target does not depend on that output). */
    readonly gy: readonly (string | undefined)[],
    private readonly needed: readonly boolean[],
  ) { this.a = new NodeAttrs(node); }

  need(i: number): boolean { return this.needed[i] === true; }
  input(i: number): string { return this.node.input[i]!; }
  output(i: number): string { return this.node.output[i]!; }
  /** The gradient of output 0, which single-output rules require. */
  get g(): string {
    const g = this.gy[0];
    if (!g) this.fail('internal: missing output gradient');
    return g;
  }
  fail(msg: string): never {
    throw new Error(`autodiff: ${this.node.opType} node "${nodeLabel(this.node)}": ${msg}`);
  }
  dims(name: string): Dim[] {
    const d = this.shapes.get(name).dims;
    if (!d) this.fail(`the shape of tensor "${name}" could not be inferred; add value_info or use static input shapes`);
    return d;
  }
  rank(name: string): number { return this.dims(name).length; }
  staticDims(name: string, what = 'this gradient'): number[] {
    const d = this.dims(name);
    if (!d.every((x) => typeof x === 'number')) this.fail(`${what} needs static dims for "${name}", got [${d.join(',')}]`);
    return d as number[];
  }
  /** Dims [from, to) of `name` that must be static. */
  staticSlice(name: string, from: number, to?: number): number[] {
    const d = this.dims(name).slice(from, to);
    if (!d.every((x) => typeof x === 'number')) this.fail(`needs static spatial/channel dims for "${name}", got [${this.dims(name).join(',')}]`);
    return d as number[];
  }
  /** Integer values of a constant input (initializer / Constant / folded shape arithmetic). */
  constInts(i: number, what: string): number[] {
    const v = this.node.input[i] ? this.shapes.ints.get(this.node.input[i]!) : undefined;
    if (!v) this.fail(`${what} (input ${i}) must be a constant`);
    return v;
  }
  constFloats(i: number, what: string): number[] {
    const v = this.node.input[i] ? this.shapes.floats.get(this.node.input[i]!) : undefined;
    if (!v) this.fail(`${what} (input ${i}) must be a constant`);
    return v;
  }
}

export type GradRule = (c: GradCtx) => (string | undefined)[];

/** Sum `g` (shaped like the broadcast output) back to the shape of input `x`. */
export function unbroadcast(c: GradCtx, g: string, x: string, outName: string): string {
  const xd = c.dims(x), od = c.dims(outName);
  const lead = od.length - xd.length;
  const axes: number[] = [];
  for (let i = 0; i < od.length; i++) {
    if (i < lead) { axes.push(i); continue; }
    const xv = xd[i - lead]!, ov = od[i]!;
    if (xv === 1 && ov !== 1) axes.push(i);
  }
  if (axes.length === 0) return g;
  let r = c.e.reduce('ReduceSum', g, axes, true);
  if (lead > 0) r = c.e.reshape(r, c.e.shapeTensor(xd, x));
  return r;
}
