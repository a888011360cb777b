// The gradient model runs at opset ≥ 17. Ops whose meaning changed between the model's opset and 13
// are rewritten to the new form first, so the forward part computes exactly what it did before.
import { create, NodeProtoSchema } from '../onnx/proto.ts';
import type { GraphProto, NodeProto } from '../onnx/proto.ts';
import { makeAttribute } from '../onnx/builder.ts';
import { makeTensor } from '../onnx/tensor-proto.ts';
import { NodeAttrs } from './attrs.ts';

export const MIN_SOURCE_OPSET = 11;

export function upgradeOpset(g: GraphProto, from: number, used: Set<string>): void {
  if (from >= 13) return;
  if (from < MIN_SOURCE_OPSET) {
    throw new Error(`autodiff: model opset ${from} is older than ${MIN_SOURCE_OPSET}; re-export the model with a newer opset (e.g. torch.onnx.export(…, opset_version=17))`);
  }
  let k = 0;
  const fresh = (base: string) => { let n: string; do n = `upgrade/${base}_${k++}`; while (used.has(n)); used.add(n); return n; };
  const axesInput = (values: number[]) => {
    const name = fresh('axes');
    g.initializer.push(makeTensor(name, BigInt64Array.from(values, (v) => BigInt(v)), [values.length]));
    return name;
  };
  const out: NodeProto[] = [];
  const mk = (op: string, input: string[], output: string[], attrs: Record<string, number> = {}) =>
    create(NodeProtoSchema, { name: fresh(op), opType: op, input, output, attribute: Object.entries(attrs).map(([n, v]) => makeAttribute(n, v)) });
  for (const n of g.node) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') { out.push(n); continue; }
    const a = new NodeAttrs(n);
    const dropAttr = (name: string) => { n.attribute = n.attribute.filter((x) => x.name !== name); };
    switch (n.opType) {
      case 'Squeeze': case 'Unsqueeze': case 'ReduceSum': {
        // opset 13: axes moved from an attribute to an input.
        const axes = a.ints('axes');
        if (axes) { dropAttr('axes'); n.input = [n.input[0]!, axesInput(axes)]; }
        out.push(n);
        break;
      }
      case 'Split': {
        const split = a.ints('split');
        if (split) { dropAttr('split'); n.input = [n.input[0]!, axesInput(split)]; }
        out.push(n);
        break;
      }
      case 'Softmax': case 'LogSoftmax': case 'Hardmax': {
        // Before 13 these coerce the input to 2-D at `axis`; spell that out with Flatten/Reshape.
        const axis = a.int('axis', 1);
        if (axis === -1) { out.push(n); break; }
        const x = n.input[0]!, y = n.output[0]!;
        const flat = fresh('flat'), soft = fresh('soft'), shape = fresh('shape');
        out.push(mk('Flatten', [x], [flat], { axis }));
        out.push(mk(n.opType, [flat], [soft], { axis: 1 }));
        out.push(mk('Shape', [x], [shape]));
        out.push(mk('Reshape', [soft, shape], [y]));
        break;
      }
      case 'Dropout': {
        // opset 12 moved ratio to an input; in inference it is the identity either way.
        dropAttr('ratio'); dropAttr('seed');
        out.push(n);
        break;
      }
      default:
        out.push(n);
    }
  }
  g.node = out;
}
