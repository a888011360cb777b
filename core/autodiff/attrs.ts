// Private attribute readers for ONNX nodes (kept local so autodiff does not depend on graph.ts).
import type { NodeProto, AttributeProto, TensorProto } from '../onnx/proto.ts';

export class NodeAttrs {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(readonly node: NodeProto) {
    for (const a of node.attribute) this.byName.set(a.name, a);
  }
  has(name: string): boolean { return this.byName.has(name); }
  int(name: string, dflt: number): number {
    const a = this.byName.get(name);
    return a ? Number(a.i) : dflt;
  }
  float(name: string, dflt: number): number {
    const a = this.byName.get(name);
    return a ? a.f : dflt;
  }
  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? a.ints.map(Number) : undefined;
  }
  floats(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? [...a.floats] : undefined;
  }
  str(name: string, dflt: string): string {
    const a = this.byName.get(name);
    return a ? new TextDecoder().decode(a.s) : dflt;
  }
  tensor(name: string): TensorProto | undefined {
    return this.byName.get(name)?.t;
  }
}

export function nodeLabel(node: NodeProto): string {
  return node.name || node.output[0] || node.opType;
}
