// Emits the gradient part of the graph: fresh names, cached constants, and opset-aware helpers
// (axes moved from attributes to inputs at opset 13 for ReduceSum/Squeeze/Unsqueeze, 18 for the other reductions).
import { create, NodeProtoSchema } from '../onnx/proto.ts';
import type { NodeProto, TensorProto } from '../onnx/proto.ts';
import { makeAttribute, type Attrs, type Attr } from '../onnx/builder.ts';
import { makeTensor } from '../onnx/tensor-proto.ts';
import type { Dim } from './shapes.ts';

export class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly consts = new Map<string, string>();
  private readonly shapes = new Map<string, string>();
  private counter = 0;

  constructor(private readonly used: Set<string>, readonly opset: number, private readonly prefix = 'ad') {}

  fresh(base: string): string {
    let n: string;
    do n = `${this.prefix}/${base}_${this.counter++}`; while (this.used.has(n));
    this.used.add(n);
    return n;
  }

  /** `base` itself when free (readable output names), else base_1, base_2… */
  named(base: string): string {
    let n = base, i = 1;
    while (this.used.has(n)) n = `${base}_${i++}`;
    this.used.add(n);
    return n;
  }

  node(op: string, inputs: readonly string[], attrs: Attrs = {}, nOut = 1, outputs?: string[]): string[] {
    const outs = outputs ?? Array.from({ length: nOut }, () => this.fresh(op));
    const attribute = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => makeAttribute(k, v as Attr));
    this.nodes.push(create(NodeProtoSchema, { name: this.fresh(`${op}_node`), opType: op, input: [...inputs], output: outs, attribute }));
    return outs;
  }

  op(op: string, inputs: readonly string[], attrs: Attrs = {}): string {
    return this.node(op, inputs, attrs)[0]!;
  }

  private cached(key: string, make: () => TensorProto): string {
    let n = this.consts.get(key);
    if (!n) {
      n = this.fresh('const');
      const t = make();
      t.name = n;
      this.initializers.push(t);
      this.consts.set(key, n);
    }
    return n;
  }

  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.cached(`i64:${dims.join(',')}:${values.join(',')}`, () => makeTensor('', BigInt64Array.from(values, (v) => BigInt(v)), dims));
  }

  f32(values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    if (values.length > 64) {
      const n = this.fresh('const');
      this.initializers.push(makeTensor(n, Float32Array.from(values), dims));
      return n;
    }
    return this.cached(`f32:${dims.join(',')}:${Array.from(values).join(',')}`, () => makeTensor('', Float32Array.from(values), dims));
  }

  scalar(v: number): string { return this.f32([v], []); }

  shapeOf(x: string): string {
    let s = this.shapes.get(x);
    if (!s) { s = this.op('Shape', [x]); this.shapes.set(x, s); }
    return s;
  }

  /** A shape tensor for `dims`: a constant when static, else Shape(like). */
  shapeTensor(dims: readonly Dim[] | undefined, like: string): string {
    if (dims && dims.every((d) => typeof d === 'number')) return this.i64(dims as number[]);
    return this.shapeOf(like);
  }

  reshape(x: string, shape: string): string { return this.op('Reshape', [x, shape]); }

  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax', x: string, axes: readonly number[], keepdims: boolean): string {
    const axesAsInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    if (axesAsInput) return this.op(op, [x, this.i64(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op(op, [x], { axes: [...axes], keepdims: keepdims ? 1 : 0 });
  }

  /** Sum over all elements to a scalar. */
  reduceAll(op: 'ReduceSum' | 'ReduceMean', x: string): string {
    return this.op(op, [x], { keepdims: 0 });
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.i64(axes)]) : this.op('Unsqueeze', [x], { axes: [...axes] });
  }

  squeeze(x: string, axes: readonly number[]): string {
    return this.opset >= 13 ? this.op('Squeeze', [x, this.i64(axes)]) : this.op('Squeeze', [x], { axes: [...axes] });
  }

  transpose(x: string, perm: readonly number[]): string { return this.op('Transpose', [x], { perm: [...perm] }); }

  /** Zeros shaped like `x`. */
  zerosLike(x: string): string {
    return this.op('ConstantOfShape', [this.shapeOf(x)]);
  }

  /** Number of elements of x as a float scalar (folded by the runtime when shapes are static). */
  countF(x: string): string {
    return this.op('Cast', [this.op('Size', [x])], { to: 1 });
  }
}
