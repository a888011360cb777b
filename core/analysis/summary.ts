// The per-layer and per-model report: shapes, window geometry, parameters, MACs (batch 1),
// receptive fields and a human-readable formula for each Conv/pool output size.
//
// MAC conventions: Conv = C_out·H_out·W_out·(C_in/groups)·k_h·k_w; ConvTranspose = C_in·H_in·W_in·(C_out/groups)·k_h·k_w;
// Gemm = M·K·N; MatMul = (output elements)·K. Element-wise ops, pooling, normalisation and activations
// count 0 (they are memory-bound and conventionally left out of MAC counts). Symbolic dims count as 1.
import { AttributeProto_AttributeType as AT, TensorProto_DataType as DT } from '../onnx/proto.ts';
import type { ModelProto, NodeProto, AttributeProto } from '../onnx/proto.ts';
import { valueInfoElemType } from '../onnx/graph.ts';
import { dtypeName } from '../onnx/tensor-proto.ts';
import type { LayerInfo, ModelSummary, Shape, ShapeDim, TensorInfo } from './types.ts';
import { inferShapesDetailed, type InferOptions, type WindowGeometry } from './shapes.ts';
import { receptiveFields } from './receptive-field.ts';
import { isNum } from './dims.ts';

export interface AnalyzeOptions extends InferOptions {
  /** Display name (defaults to the graph name). */
  name?: string;
}

export function analyzeModel(model: ModelProto, opts: AnalyzeOptions = {}): ModelSummary {
  const inf = inferShapesDetailed(model, opts);
  const rfs = receptiveFields(inf);
  const graph = inf.index.graph;
  const { shapes, windows, index } = inf;

  const counted = new Set<string>();
  const layers: LayerInfo[] = index.order.map((ni, pos) => {
    const node = graph.node[ni]!;
    const outputs = node.output.filter((o) => o !== '');
    const layer: LayerInfo = {
      index: pos,
      name: node.name !== '' ? node.name : `${node.opType}_${ni}`,
      op: node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType,
      inputs: node.input.filter((i) => i !== ''),
      outputs,
      outputShapes: outputs.map((o) => shapes.get(o) ?? null),
      attributes: renderAttributes(node),
      params: 0,
      buffers: 0,
      macs: 0,
      receptiveField: rfs.fields.get(outputs[0] ?? '') ?? null,
    };
    layer.inputs.forEach((i, slot) => {
      const t = index.initializers.get(i);
      // Integer initializers are shapes/axes/indices, not learned parameters.
      if (!t || counted.has(i) || t.dataType === DT.INT64 || t.dataType === DT.INT32) return;
      counted.add(i);
      const n = t.dims.reduce((a, b) => a * Number(b), 1);
      // BatchNormalization's running mean and variance (inputs 3, 4) are statistics, not learned
      // parameters: counted apart, as PyTorch counts them (buffers), so totals match torchvision.
      if (node.opType === 'BatchNormalization' && slot >= 3) layer.buffers! += n;
      else layer.params += n;
    });
    const g = windows.get(ni);
    if (g) {
      const two = <T>(v: T[], fill: T): [T, T] => v.length >= 2 ? [v[0]!, v[1]!] : [v[0] ?? fill, fill];
      layer.kernel = two(g.kernel, 1);
      layer.stride = two(g.strides, 1);
      layer.dilation = two(g.dilations, 1);
      const [pt, pl] = two(g.padsBegin, 0), [pb, pr] = two(g.padsEnd, 0);
      layer.pads = [pt, pl, pb, pr];
      if (g.kind !== 'pool') layer.groups = g.groups;
      layer.formula = formula(g);
    }
    layer.macs = macs(node, g, (n) => shapes.get(n));
    return layer;
  });

  const info = (name: string): TensorInfo => ({
    name, shape: shapes.get(name) ?? null, dtype: dtypeName(valueInfoElemType(index.valueInfo.get(name)) || DT.FLOAT),
  });
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport) opsets[o.domain === '' ? 'ai.onnx' : o.domain] = Number(o.version);
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps) metadata[p.key] = p.value;

  return {
    name: opts.name ?? (graph.name !== '' ? graph.name : 'model'),
    producer: [model.producerName, model.producerVersion].filter((s) => s !== '').join(' '),
    irVersion: Number(model.irVersion),
    opsets,
    inputs: index.inputs.map(info),
    outputs: index.outputs.map(info),
    layers,
    totals: {
      params: layers.reduce((a, l) => a + l.params, 0),
      buffers: layers.reduce((a, l) => a + (l.buffers ?? 0), 0),
      macs: layers.reduce((a, l) => a + l.macs, 0),
      layers: layers.length,
    },
    metadata,
    warnings: [...inf.warnings, ...rfs.warnings],
  };
}

const one = (d: ShapeDim | undefined): number => (isNum(d) ? d : 1); // symbolic (batch) → 1
const prodNum = (s: readonly ShapeDim[]): number => s.reduce<number>((a, d) => a * one(d), 1);

function macs(node: NodeProto, g: WindowGeometry | undefined, shapeOf: (n: string) => Shape | undefined): number {
  const x = shapeOf(node.input[0] ?? ''), w = shapeOf(node.input[1] ?? ''), y = shapeOf(node.output[0] ?? '');
  switch (node.opType) {
    case 'Conv': {
      if (!g || !x || !w || !y || !g.outSpatial.every(isNum)) return 0;
      return one(w[0]) * prodNum(g.outSpatial) * (one(x[1]) / g.groups) * prodNum(g.kernel);
    }
    case 'ConvTranspose': {
      if (!g || !x || !w || !y || !g.inSpatial.every(isNum)) return 0;
      return one(x[1]) * prodNum(g.inSpatial) * (one(y[1]) / g.groups) * prodNum(g.kernel);
    }
    case 'Gemm': {
      if (!x || !y || x.length !== 2) return 0;
      const transA = node.attribute.find((a) => a.name === 'transA')?.i ?? 0n;
      const k = transA ? x[0] : x[1];
      return one(y[0]) * one(y[1]) * one(k);
    }
    case 'MatMul': {
      if (!x || !y || x.length === 0) return 0;
      return prodNum(y) * one(x[x.length - 1]);
    }
    default: return 0;
  }
}

const AXES = ['H', 'W', 'D'];
function formula(g: WindowGeometry): string {
  const axisNames = g.kernel.length === 1 ? ['L'] : g.kernel.length === 2 ? ['H', 'W'] : ['D', 'H', 'W'];
  return g.kernel.map((k, i) => {
    const label = axisNames[i] ?? AXES[i] ?? `axis${i}`;
    const m = g.inSpatial[i], s = g.strides[i]!, d = g.dilations[i]!, pb = g.padsBegin[i]!, pe = g.padsEnd[i]!, out = g.outSpatial[i];
    const keff = d * (k - 1) + 1;
    const kText = d === 1 ? `${k}` : `${keff}`;
    const keffNote = d === 1 ? '' : ` (k_eff = ${d}·(${k} − 1) + 1 = ${keff})`;
    const padText = pb === pe ? (pb === 0 ? '' : ` + 2·${pb}`) : ` + ${pb} + ${pe}`;
    if (g.kind === 'convTranspose') {
      const op = g.outputPadding?.[i] ?? 0;
      return `${label}: ${s}·(${m} − 1) + ${kText} − ${pb} − ${pe}${op ? ` + ${op}` : ''} = ${out}${keffNote}`;
    }
    if (g.autoPad === 'SAME_UPPER' || g.autoPad === 'SAME_LOWER') {
      return `${label}: ceil(${m} / ${s}) = ${out} (${g.autoPad}, pads ${pb}+${pe})${keffNote}`;
    }
    const round = g.ceilMode ? 'ceil' : 'floor';
    return `${label}: ${round}((${m} − ${kText}${padText}) / ${s}) + 1 = ${out}${keffNote}`;
  }).join('; ');
}

function renderAttributes(node: NodeProto): Record<string, string | number | number[]> {
  const out: Record<string, string | number | number[]> = {};
  for (const a of node.attribute) out[a.name] = renderAttr(a);
  return out;
}

function renderAttr(a: AttributeProto): string | number | number[] {
  switch (a.type) {
    case AT.INT: return Number(a.i);
    case AT.FLOAT: return a.f;
    case AT.INTS: return a.ints.map(Number);
    case AT.FLOATS: return [...a.floats];
    case AT.STRING: return new TextDecoder().decode(a.s);
    case AT.STRINGS: return a.strings.map((s) => new TextDecoder().decode(s)).join(', ');
    case AT.TENSOR: return a.t ? `tensor ${dtypeName(a.t.dataType)}[${a.t.dims.join('×')}]` : 'tensor';
    case AT.GRAPH: return `graph (${a.g?.node.length ?? 0} nodes)`;
    case AT.GRAPHS: return `${a.graphs.length} graphs`;
    case AT.TENSORS: return `${a.tensors.length} tensors`;
    default: return a.ints.length ? a.ints.map(Number) : a.floats.length ? [...a.floats] : a.s.length ? new TextDecoder().decode(a.s) : a.f || Number(a.i);
  }
}
