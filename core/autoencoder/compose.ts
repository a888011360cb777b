// Encoder + decoder files → one runnable autoencoder. The encoder's output feeds the decoder's input
// (per-sample shapes must match; equal element counts with different shapes get a Reshape). Decoder
// names are prefixed so nothing collides; the bottleneck tensor is the encoder's output.
import { create, NodeProtoSchema, OperatorSetIdProtoSchema, StringStringEntryProtoSchema } from '../onnx/proto.ts';
import type { GraphProto, ModelProto, NodeProto } from '../onnx/proto.ts';
import { makeTensor } from '../onnx/tensor-proto.ts';
import { ModelError } from '../onnx/errors.ts';
import { indexGraph, subgraphsOf } from '../onnx/graph.ts';
import { inferShapes } from '../analysis/shapes.ts';
import type { Shape } from '../analysis/types.ts';
import { BOTTLENECK_KEY } from './bottleneck.ts';

export interface ComposedAutoencoder { model: ModelProto; bottleneck: string; warnings: string[] }

const perSample = (s: Shape | undefined): Shape | undefined => (s && s.length > 0 ? s.slice(1) : undefined);
const known = (s: Shape | undefined): s is number[] => !!s && s.every((d) => typeof d === 'number');

export function composeEncoderDecoder(encoder: ModelProto, decoder: ModelProto): ComposedAutoencoder {
  const eg = encoder.graph, dg = decoder.graph;
  if (!eg || !dg) throw new ModelError('no-graph', 'the encoder or decoder file has no graph');
  const ei = indexGraph(eg), di = indexGraph(dg);
  if (ei.outputs.length !== 1) throw new ModelError('unknown-tensor', `the encoder has ${ei.outputs.length} outputs; it needs exactly one (the latent code)`);
  if (di.inputs.length !== 1) throw new ModelError('unknown-tensor', `the decoder has ${di.inputs.length} inputs; it needs exactly one (the latent code)`);
  if (dg.node.some((n) => subgraphsOf(n).length > 0)) throw new ModelError('unknown-tensor', 'the decoder uses control flow (If/Loop/Scan); export the autoencoder as one model instead');
  const code = ei.outputs[0]!, dIn = di.inputs[0]!;
  const es = perSample(inferShapes(encoder).get(code)), ds = perSample(inferShapes(decoder).get(dIn));
  const warnings: string[] = [];
  let needReshape = false;
  if (known(es) && known(ds)) {
    const ne = es.reduce((a, b) => a * b, 1), nd = ds.reduce((a, b) => a * b, 1);
    if (ne !== nd) throw new ModelError('bad-dims', `the encoder outputs [${es.join('×')}] (${ne} values per sample) but the decoder takes [${ds.join('×')}] (${nd}); they are not two halves of one autoencoder`);
    needReshape = es.join('x') !== ds.join('x');
  } else warnings.push('the encoder output or decoder input shape is unknown; they were joined unchecked');

  const eOpset = encoder.opsetImport, dOpset = decoder.opsetImport;
  const opset = new Map<string, bigint>();
  for (const o of [...eOpset, ...dOpset]) {
    const prev = opset.get(o.domain);
    if (prev !== undefined && prev !== o.version) warnings.push(`opset ${o.domain || 'ai.onnx'}: encoder and decoder differ (${prev} vs ${o.version}); using ${prev > o.version ? prev : o.version}`);
    if (prev === undefined || o.version > prev) opset.set(o.domain, o.version);
  }

  const taken = new Set<string>([...ei.producers.keys(), ...eg.input.map((i) => i.name), ...eg.initializer.map((t) => t.name)]);
  let prefix = 'decoder/';
  while ([...taken].some((t) => t.startsWith(prefix))) prefix = `_${prefix}`;
  const joinName = needReshape ? `${prefix}${dIn}` : code;
  const rename = (t: string) => (t === '' ? '' : t === dIn ? joinName : `${prefix}${t}`);
  const nodes: NodeProto[] = [];
  const extraInit = [];
  if (needReshape) {
    const shapeName = `${prefix}__latent_shape`;
    nodes.push(create(NodeProtoSchema, { name: `${prefix}__reshape_latent`, opType: 'Reshape', input: [code, shapeName], output: [joinName] }));
    extraInit.push(makeTensor(shapeName, BigInt64Array.from([-1n, ...(ds as number[]).map((d) => BigInt(d))]), [ds!.length + 1], 'int64'));
  }
  for (const n of dg.node) {
    nodes.push({ ...n, name: n.name ? `${prefix}${n.name}` : '', input: n.input.map(rename), output: n.output.map(rename) });
  }
  const graph: GraphProto = {
    ...eg,
    name: `${eg.name || 'encoder'}+${dg.name || 'decoder'}`,
    node: [...eg.node, ...nodes],
    initializer: [...eg.initializer, ...dg.initializer.map((t) => ({ ...t, name: rename(t.name) })), ...extraInit],
    input: eg.input,
    output: dg.output.map((o) => ({ ...o, name: rename(o.name) })),
    valueInfo: [...eg.valueInfo, ...dg.valueInfo.map((v) => ({ ...v, name: rename(v.name) }))],
  };
  const model: ModelProto = {
    ...encoder,
    opsetImport: [...opset].map(([domain, version]) => create(OperatorSetIdProtoSchema, { domain, version })),
    irVersion: encoder.irVersion > decoder.irVersion ? encoder.irVersion : decoder.irVersion,
    // A re-joined model's old record would shadow the new one.
    metadataProps: [...encoder.metadataProps.filter((m) => m.key !== BOTTLENECK_KEY), create(StringStringEntryProtoSchema, { key: BOTTLENECK_KEY, value: code })],
    graph,
  };
  return { model, bottleneck: code, warnings };
}
