// The scalar target and its seed gradient (d target / d tensor), per GradTarget kind.
import type { GraphProto, NodeProto, ValueInfoProto } from '../onnx/proto.ts';
import { makeValueInfo } from '../onnx/builder.ts';
import type { GradTarget } from './types.ts';
import type { Emitter } from './emitter.ts';
import type { ShapeTable, Dim } from './shapes.ts';

export interface TargetParts {
  /** Name of the scalar output. */
  output: string;
  /** Gradient of the target w.r.t. target.tensor. */
  seed: string;
  inputs: ValueInfoProto[];
  extraInputs: string[];
  nodes: NodeProto[];
}

export function buildTarget(e: Emitter, g: GraphProto, shapes: ShapeTable, t: GradTarget): TargetParts {
  const x = t.tensor;
  const dims = shapes.get(x).dims as Dim[] | undefined;
  const taken = new Set([...g.input.map((i) => i.name), ...g.initializer.map((i) => i.name), ...g.node.flatMap((n) => n.output)]);
  const newInput = (name: string, role: string) => {
    if (!name) throw new Error(`autodiff: ${role} needs a non-empty input name`);
    if (taken.has(name)) throw new Error(`autodiff: ${role} "${name}" clashes with an existing tensor name; choose another`);
  };
  const start = e.nodes.length;
  const output = e.named(t.kind === 'loss' ? 'loss' : 'target');
  const inputs: ValueInfoProto[] = [];
  const extraInputs: string[] = [];
  let seed: string;
  let value: string;
  if (t.kind === 'weighted-sum') {
    newInput(t.weightsInput, 'weightsInput');
    inputs.push(makeValueInfo(t.weightsInput, dims, 'float32'));
    extraInputs.push(t.weightsInput);
    value = e.reduceAll('ReduceSum', e.op('Mul', [x, t.weightsInput]));
    seed = t.weightsInput;
  } else if (t.kind === 'element') {
    if (dims && dims.length !== t.index.length) throw new Error(`autodiff: element index [${t.index}] has ${t.index.length} coordinates, tensor "${x}" has rank ${dims.length}`);
    dims?.forEach((d, i) => {
      const v = t.index[i]!;
      if (!Number.isInteger(v) || v < 0 || (typeof d === 'number' && v >= d)) throw new Error(`autodiff: element index [${t.index}] is outside tensor "${x}" of dims [${dims.join(',')}]`);
    });
    const idx = e.i64(t.index, [1, t.index.length]);
    value = e.reshape(e.op('GatherND', [x, idx]), e.i64([]));
    seed = e.op('ScatterND', [e.zerosLike(x), idx, e.f32([1], [1])]);
  } else {
    newInput(t.labelsInput, 'labelsInput');
    if (t.loss === 'softmax-cross-entropy') {
      if (dims && dims.length < 2) throw new Error(`autodiff: softmax-cross-entropy needs logits [N, C, …]; "${x}" has dims [${dims.join(',')}]`);
      inputs.push(makeValueInfo(t.labelsInput, dims ? [dims[0]!, ...dims.slice(2)] : undefined, 'int64'));
      const [loss, logProb] = e.node('SoftmaxCrossEntropyLoss', [x, t.labelsInput], { reduction: 'mean' }, 2);
      value = loss!;
      const depth = e.op('Gather', [e.shapeOf(x), e.i64([1])]);
      const onehot = e.op('OneHot', [t.labelsInput, depth, e.f32([0, 1])], { axis: 1 });
      seed = e.op('Div', [e.op('Sub', [e.op('Exp', [logProb!]), onehot]), e.countF(t.labelsInput)]);
    } else {
      inputs.push(makeValueInfo(t.labelsInput, dims, 'float32'));
      const diff = e.op('Sub', [x, t.labelsInput]);
      const n = e.countF(x);
      if (t.loss === 'mse') {
        value = e.reduceAll('ReduceMean', e.op('Mul', [diff, diff]));
        seed = e.op('Div', [e.op('Mul', [diff, e.scalar(2)]), n]);
      } else if (t.loss === 'l1') {
        value = e.reduceAll('ReduceMean', e.op('Abs', [diff]));
        seed = e.op('Div', [e.op('Sign', [diff]), n]);
      } else {
        throw new Error(`autodiff: unknown loss "${(t as { loss: string }).loss}" (use softmax-cross-entropy, mse or l1)`);
      }
    }
    extraInputs.push(t.labelsInput);
  }
  e.node('Identity', [value], {}, 1, [output]);
  // The target's nodes sit between the forward graph and the backward pass.
  const nodes = e.nodes.splice(start);
  return { output, seed, inputs, extraInputs, nodes };
}
