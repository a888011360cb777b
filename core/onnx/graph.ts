// An index over one GraphProto: who produces and who consumes each tensor, initializers,
// declared value infos, a topological order, and typed attribute readers.
import { AttributeProto_AttributeType as AT } from './proto.ts';
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto, AttributeProto } from './proto.ts';
import { ModelError } from './errors.ts';

export interface NodeRef { node: NodeProto; index: number; slot: number }

export interface GraphIndex {
  graph: GraphProto;
  /** Producer of each node output. */
  producers: Map<string, NodeRef>;
  /** Consumers of each tensor, in node order (including implicit reads by subgraphs). */
  consumers: Map<string, NodeRef[]>;
  initializers: Map<string, TensorProto>;
  /** Declared types/shapes: graph inputs, outputs and value_info. */
  valueInfo: Map<string, ValueInfoProto>;
  /** Graph inputs that are not initializers (what a caller must feed). */
  inputs: string[];
  outputs: string[];
  /** Node indices in a topological order. */
  order: number[];
}

/** Short display of a node for error messages: `node "conv1" (Conv)`. */
export function describeNode(n: NodeProto, index?: number): string {
  const name = n.name !== '' ? `"${n.name}"` : `#${index ?? '?'}`;
  return `node ${name} (${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${n.opType})`;
}

/** Subgraphs held in a node's attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(n: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of n.attribute) {
    if (a.g) out.push(a.g);
    for (const g of a.graphs) out.push(g);
  }
  return out;
}

/** Names a subgraph reads from enclosing scopes (used but not defined inside it). */
export function outerReads(g: GraphProto, depth = 0): Set<string> {
  if (depth > 64) throw new ModelError('too-deep', `subgraphs are nested more than 64 levels deep; the model is malformed`);
  const defined = new Set<string>();
  for (const i of g.input) defined.add(i.name);
  for (const t of g.initializer) defined.add(t.name);
  for (const n of g.node) for (const o of n.output) defined.add(o);
  const reads = new Set<string>();
  for (const n of g.node) {
    for (const i of n.input) if (i !== '' && !defined.has(i)) reads.add(i);
    for (const sg of subgraphsOf(n)) for (const r of outerReads(sg, depth + 1)) if (!defined.has(r)) reads.add(r);
  }
  for (const o of g.output) if (!defined.has(o.name)) reads.add(o.name);
  return reads;
}

/** All tensors a node reads: explicit inputs plus outer-scope names its subgraphs use. */
export function nodeReads(n: NodeProto): string[] {
  const reads = n.input.filter((i) => i !== '');
  for (const g of subgraphsOf(n)) for (const r of outerReads(g)) if (!reads.includes(r)) reads.push(r);
  return reads;
}

export interface IndexOptions {
  /** Names visible from enclosing graphs (for subgraphs). */
  outerScope?: ReadonlySet<string>;
  /** Throw on reads of tensors nothing provides (default true). */
  checkInputs?: boolean;
}

export function indexGraph(graph: GraphProto, opts: IndexOptions = {}): GraphIndex {
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer) initializers.set(t.name, t);
  const valueInfo = new Map<string, ValueInfoProto>();
  for (const v of graph.valueInfo) valueInfo.set(v.name, v);
  for (const v of graph.output) valueInfo.set(v.name, v);
  for (const v of graph.input) valueInfo.set(v.name, v);
  const graphInputs = new Set(graph.input.map((i) => i.name));

  const producers = new Map<string, NodeRef>();
  graph.node.forEach((node, index) => {
    node.output.forEach((o, slot) => {
      if (o === '') return; // omitted optional output
      const prev = producers.get(o);
      if (prev) {
        throw new ModelError('duplicate-output',
          `tensor "${o}" is produced twice: by ${describeNode(prev.node, prev.index)} and by ${describeNode(node, index)}; each tensor name must have one producer — re-export the model`);
      }
      if (graphInputs.has(o) || initializers.has(o)) {
        throw new ModelError('duplicate-output',
          `${describeNode(node, index)} writes "${o}", which is already a graph ${graphInputs.has(o) ? 'input' : 'initializer'}; re-export the model`);
      }
      producers.set(o, { node, index, slot });
    });
  });

  const reads = graph.node.map((n) => nodeReads(n));
  const consumers = new Map<string, NodeRef[]>();
  const checkInputs = opts.checkInputs ?? true;
  reads.forEach((names, index) => {
    const node = graph.node[index]!;
    for (const name of names) {
      if (checkInputs && !producers.has(name) && !initializers.has(name) && !graphInputs.has(name) && !opts.outerScope?.has(name)) {
        throw new ModelError('missing-input',
          `${describeNode(node, index)} reads tensor "${name}" which nothing produces (not a graph input, initializer or node output); the file may be incomplete or exported without its weights`);
      }
      const slot = node.input.indexOf(name);
      let list = consumers.get(name);
      if (!list) consumers.set(name, (list = []));
      list.push({ node, index, slot });
    }
  });
  if (checkInputs) {
    for (const o of graph.output) {
      if (!producers.has(o.name) && !initializers.has(o.name) && !graphInputs.has(o.name) && !opts.outerScope?.has(o.name)) {
        throw new ModelError('missing-input', `graph output "${o.name}" is not produced by any node; the file is incomplete — re-export the model`);
      }
    }
  }

  const order = topologicalOrder(graph.node, reads, producers);
  return {
    graph, producers, consumers, initializers, valueInfo,
    inputs: graph.input.map((i) => i.name).filter((n) => !initializers.has(n)),
    outputs: graph.output.map((o) => o.name),
    order,
  };
}

/** Kahn's algorithm over node → producer-of-input edges; a cycle is reported with its tensors. */
function topologicalOrder(nodes: readonly NodeProto[], reads: readonly string[][], producers: Map<string, NodeRef>): number[] {
  const n = nodes.length;
  const indegree = new Int32Array(n);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const seen = new Set<number>();
    for (const name of reads[i]!) {
      const p = producers.get(name);
      if (!p || seen.has(p.index)) continue;
      seen.add(p.index);
      indegree[i]!++;
      dependents[p.index]!.push(i);
    }
  }
  // A FIFO seeded in file order keeps the order close to the file's for display.
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  const order: number[] = [];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    order.push(i);
    for (const d of dependents[i]!) if (--indegree[d]! === 0) queue.push(d);
  }
  if (order.length === n) return order;
  throw new ModelError('cycle', `the graph has a cycle through tensors ${describeCycle(nodes, reads, producers, indegree)}; ONNX graphs must be acyclic — re-export the model`);
}

function describeCycle(nodes: readonly NodeProto[], reads: readonly string[][], producers: Map<string, NodeRef>, indegree: Int32Array): string {
  // Every node left with indegree > 0 has a predecessor that is also left, so walking
  // predecessors from any of them must revisit a node: that loop is a cycle.
  let cur = indegree.findIndex((d) => d > 0);
  const visitedAt = new Map<number, number>();
  const path: { node: number; via: string }[] = [];
  while (!visitedAt.has(cur)) {
    visitedAt.set(cur, path.length);
    const via = reads[cur]!.find((name) => { const p = producers.get(name); return p !== undefined && indegree[p.index]! > 0; });
    if (via === undefined) break;
    path.push({ node: cur, via });
    cur = producers.get(via)!.index;
  }
  const cycle = path.slice(visitedAt.get(cur) ?? 0).reverse();
  const names = cycle.map((c) => `"${c.via}"`);
  const shown = names.length > 8 ? [...names.slice(0, 8), `… (${names.length} tensors)`] : names;
  if (names.length > 0 && names.length <= 8) shown.push(names[0]!);
  const writers = cycle.slice(0, 4).map((c) => describeNode(nodes[producers.get(c.via)!.index]!, producers.get(c.via)!.index).replace(/^node /, ''));
  return `${shown.join(' → ')}${writers.length ? ` (written by nodes ${writers.join(', ')}${cycle.length > 4 ? ', …' : ''})` : ''}`;
}

// ---- attribute readers ----

export function findAttr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, dflt: number): number;
export function attrInt(node: NodeProto, name: string): number | undefined;
export function attrInt(node: NodeProto, name: string, dflt?: number): number | undefined {
  const a = findAttr(node, name);
  if (!a) return dflt;
  if (a.type === AT.INT || (a.type === AT.UNDEFINED && a.i !== 0n)) return Number(a.i);
  if (a.type === AT.FLOAT) return Math.trunc(a.f);
  return dflt;
}

export function attrInts(node: NodeProto, name: string, dflt: number[]): number[];
export function attrInts(node: NodeProto, name: string): number[] | undefined;
export function attrInts(node: NodeProto, name: string, dflt?: number[]): number[] | undefined {
  const a = findAttr(node, name);
  if (!a) return dflt;
  if (a.type === AT.INTS || (a.type === AT.UNDEFINED && a.ints.length > 0)) return a.ints.map(Number);
  if (a.type === AT.INT) return [Number(a.i)];
  return dflt;
}

export function attrFloat(node: NodeProto, name: string, dflt: number): number;
export function attrFloat(node: NodeProto, name: string): number | undefined;
export function attrFloat(node: NodeProto, name: string, dflt?: number): number | undefined {
  const a = findAttr(node, name);
  if (!a) return dflt;
  if (a.type === AT.FLOAT || a.type === AT.UNDEFINED) return a.f;
  if (a.type === AT.INT) return Number(a.i);
  return dflt;
}

export function attrFloats(node: NodeProto, name: string, dflt: number[]): number[];
export function attrFloats(node: NodeProto, name: string): number[] | undefined;
export function attrFloats(node: NodeProto, name: string, dflt?: number[]): number[] | undefined {
  const a = findAttr(node, name);
  if (!a) return dflt;
  if (a.type === AT.FLOATS || (a.type === AT.UNDEFINED && a.floats.length > 0)) return [...a.floats];
  if (a.type === AT.INTS) return a.ints.map(Number);
  return dflt;
}

export function attrString(node: NodeProto, name: string, dflt: string): string;
export function attrString(node: NodeProto, name: string): string | undefined;
export function attrString(node: NodeProto, name: string, dflt?: string): string | undefined {
  const a = findAttr(node, name);
  if (!a || (a.type !== AT.STRING && a.type !== AT.UNDEFINED)) return dflt;
  return new TextDecoder().decode(a.s);
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  const a = findAttr(node, name);
  return a?.t;
}

/** Declared dims of a value info: numbers, symbolic names, or '?' for unnamed unknown dims; null if no shape. */
export function valueInfoDims(v: ValueInfoProto | undefined): (number | string)[] | null {
  const t = v?.type?.value;
  if (!t || (t.case !== 'tensorType' && t.case !== 'sparseTensorType')) return null;
  const shape = t.value.shape;
  if (!shape) return null;
  // Some exporters write dim_value −1 for "unknown"; treat it (and any absurd value) as unknown.
  return shape.dim.map((d) => d.value.case === 'dimValue'
    ? (d.value.value >= 0n && d.value.value <= 2n ** 53n ? Number(d.value.value) : '?')
    : d.value.case === 'dimParam' && d.value.value !== '' ? d.value.value : '?');
}

/** Declared element type number of a value info (TensorProto.DataType), 0 if unknown. */
export function valueInfoElemType(v: ValueInfoProto | undefined): number {
  const t = v?.type?.value;
  if (!t || (t.case !== 'tensorType' && t.case !== 'sparseTensorType')) return 0;
  return t.value.elemType;
}
