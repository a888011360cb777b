// Builds ONNX models programmatically (the zoo, autodiff graphs, tests).
// Attribute shorthand: integer number → INT, other number → FLOAT, number[] → INTS,
// string → STRING; use float()/floats() to force FLOAT(S) for integral values.
import {
  create, ModelProtoSchema, GraphProtoSchema, NodeProtoSchema, AttributeProtoSchema, ValueInfoProtoSchema,
  TypeProtoSchema, TypeProto_TensorSchema, TensorShapeProtoSchema, TensorShapeProto_DimensionSchema,
  OperatorSetIdProtoSchema, StringStringEntryProtoSchema, AttributeProto_AttributeType as AT,
} from './proto.ts';
import type { ModelProto, NodeProto, TensorProto, AttributeProto, ValueInfoProto } from './proto.ts';
import { makeTensor, onnxTypeOf, type DType, type TypedArray } from './tensor-proto.ts';

export interface FloatAttr { readonly kind: 'float'; readonly value: number }
export interface FloatsAttr { readonly kind: 'floats'; readonly value: readonly number[] }
export interface TensorAttr { readonly kind: 'tensor'; readonly value: TensorProto }
export type Attr = number | readonly number[] | string | FloatAttr | FloatsAttr | TensorAttr;
export type Attrs = Record<string, Attr | undefined>;
export type Dim = number | string;

export const float = (value: number): FloatAttr => ({ kind: 'float', value });
export const floats = (value: readonly number[]): FloatsAttr => ({ kind: 'floats', value });
export const tensorAttr = (value: TensorProto): TensorAttr => ({ kind: 'tensor', value });

export const DEFAULT_OPSET = 17;

export function makeAttribute(name: string, a: Attr): AttributeProto {
  if (typeof a === 'string') return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(a) });
  if (typeof a === 'number') {
    return Number.isInteger(a)
      ? create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(a) })
      : create(AttributeProtoSchema, { name, type: AT.FLOAT, f: a });
  }
  if (Array.isArray(a)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: (a as number[]).map((x) => BigInt(x)) });
  const o = a as FloatAttr | FloatsAttr | TensorAttr;
  if (o.kind === 'float') return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: o.value });
  if (o.kind === 'floats') return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: [...o.value] });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: o.value });
}

export function makeValueInfo(name: string, dims: readonly Dim[] | undefined, dtype: DType = 'float32'): ValueInfoProto {
  const shape = dims === undefined ? undefined : create(TensorShapeProtoSchema, {
    dim: dims.map((d) => create(TensorShapeProto_DimensionSchema, {
      value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
    })),
  });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: onnxTypeOf(dtype), shape }) } }),
  });
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly name: string, readonly opset: number = DEFAULT_OPSET) {}

  /** A name not used yet in this graph, derived from `base` (base itself when free). */
  unique(base: string): string {
    if (!this.used.has(base)) { this.used.add(base); return base; }
    let i = this.counters.get(base) ?? 1;
    while (this.used.has(`${base}_${i}`)) i++;
    this.counters.set(base, i + 1);
    const n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }

  input(name: string, dims: readonly Dim[], dtype: DType = 'float32'): string {
    const n = this.unique(name);
    this.inputs.push(makeValueInfo(n, dims, dtype));
    return n;
  }

  /** Mark an existing tensor as a graph output (shape optional). */
  output(name: string, dims?: readonly Dim[], dtype: DType = 'float32'): string {
    this.outputs.push(makeValueInfo(name, dims, dtype));
    return name;
  }

  initializer(name: string, data: TypedArray, dims: readonly number[], dtype?: DType): string {
    const n = this.unique(name);
    this.initializers.push(makeTensor(n, data, dims, dtype));
    return n;
  }

  /** Add a node; returns its output names (fresh names derived from the node name unless given). */
  node(op: string, inputs: readonly string[], attrs: Attrs = {}, opts: { name?: string; outputs?: readonly string[] | number; domain?: string } = {}): string[] {
    const nodeName = this.unique(opts.name ?? op);
    const outs = typeof opts.outputs === 'object'
      ? opts.outputs.map((o) => { this.used.add(o); return o; })
      : Array.from({ length: opts.outputs ?? 1 }, (_, i) => this.unique(i === 0 ? `${nodeName}_out` : `${nodeName}_out${i}`));
    const attribute = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => makeAttribute(k, v as Attr));
    this.nodes.push(create(NodeProtoSchema, { name: nodeName, opType: op, input: [...inputs], output: outs, attribute, domain: opts.domain ?? '' }));
    return outs;
  }

  /** Single-output convenience. */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, name?: string): string {
    return this.node(op, inputs, attrs, { name })[0]!;
  }

  build(opts: { producer?: string; doc?: string; metadata?: Record<string, string>; irVersion?: number } = {}): ModelProto {
    return create(ModelProtoSchema, {
      irVersion: BigInt(opts.irVersion ?? 8),
      producerName: opts.producer ?? 'receptive',
      producerVersion: '0.1.0',
      docString: opts.doc ?? '',
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(this.opset) })],
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
      graph: create(GraphProtoSchema, {
        name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs,
      }),
    });
  }
}
