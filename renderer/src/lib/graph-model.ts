// Turns a model summary into the drawable graph: one node per layer (plus the model's inputs and
// outputs as small terminals), edges from each tensor's producer to its consumers. Weights and
// other initializers never become nodes: they are inputs no layer produces and no graph input names.
import type { ModelSummary } from '../../../core/analysis/types.ts';
import { compactShape, formatCount } from './format.ts';
import { opFamily, type OpFamily } from './op-family.ts';

export const LAYER_W = 196;
export const LAYER_H = 62;
export const IO_W = 168;
export const IO_H = 40;

/** Long op names shortened on the node (the details panel shows the full name). */
const SHORT_OP: Record<string, string> = {
  BatchNormalization: 'BatchNorm', InstanceNormalization: 'InstanceNorm', LayerNormalization: 'LayerNorm',
  GroupNormalization: 'GroupNorm', GlobalAveragePool: 'GlobalAvgPool',
};

export interface GraphNode {
  kind: 'layer' | 'input' | 'output';
  /** Position in summary.layers for layers; -1 for terminals. */
  layer: number;
  name: string;
  /** Bold first line: the op, or "input"/"output". */
  title: string;
  /** Second line: the output shape without batch. */
  shape: string;
  /** Right of the title: parameter count, when the layer has any. */
  badge: string;
  family: OpFamily;
  width: number;
  height: number;
}

export interface GraphEdge { source: number; target: number }

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  layerCount: number;
  /** Node index of layer i. */
  nodeOfLayer: Int32Array;
}

export function buildGraph(summary: ModelSummary): GraphModel {
  const nodes: GraphNode[] = [];
  const producer = new Map<string, number>();
  const consumed = new Set<string>();
  for (const l of summary.layers) for (const t of l.inputs) if (t) consumed.add(t);

  for (const input of summary.inputs) {
    if (!consumed.has(input.name)) continue;
    producer.set(input.name, nodes.length);
    nodes.push({ kind: 'input', layer: -1, name: input.name, title: 'input', shape: input.shape ? input.shape.join('×') : '?', badge: '', family: 'io', width: IO_W, height: IO_H });
  }
  const nodeOfLayer = new Int32Array(summary.layers.length);
  summary.layers.forEach((l, i) => {
    nodeOfLayer[i] = nodes.length;
    for (const t of l.outputs) if (t) producer.set(t, nodes.length);
    nodes.push({
      kind: 'layer', layer: i, name: l.name || `${l.op} #${l.index}`, title: SHORT_OP[l.op] ?? l.op,
      shape: compactShape(l.outputShapes[0]), badge: l.params > 0 ? formatCount(l.params) : '',
      family: opFamily(l.op), width: LAYER_W, height: LAYER_H,
    });
  });

  const edges: GraphEdge[] = [];
  const seen = new Set<number>();
  const link = (s: number, t: number) => {
    const key = s * 1_000_003 + t;
    if (s === t || seen.has(key)) return;
    seen.add(key);
    edges.push({ source: s, target: t });
  };
  summary.layers.forEach((l, i) => {
    for (const t of l.inputs) {
      const s = t ? producer.get(t) : undefined;
      if (s !== undefined) link(s, nodeOfLayer[i]!);
    }
  });
  for (const out of summary.outputs) {
    const s = producer.get(out.name);
    if (s === undefined) continue;
    const shape = out.shape ? out.shape.join('×') : '?';
    const target = nodes.length;
    nodes.push({ kind: 'output', layer: -1, name: out.name, title: 'output', shape, badge: '', family: 'io', width: IO_W, height: IO_H });
    link(s, target);
  }
  return { nodes, edges, layerCount: summary.layers.length, nodeOfLayer };
}

/** Layers whose name or op contains the query (case-insensitive), in model order. */
export function searchLayers(summary: ModelSummary, query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: number[] = [];
  summary.layers.forEach((l, i) => {
    if (l.name.toLowerCase().includes(q) || l.op.toLowerCase().includes(q)) out.push(i);
  });
  return out;
}
