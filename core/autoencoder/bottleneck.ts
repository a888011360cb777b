// Where an autoencoder compresses: the smallest tensor (elements per sample) that every
// input→output path passes through (it dominates the output). With a skip connection (U-Net
// style) the globally smallest tensor is bypassed, so there is no true bottleneck; we say so and
// still offer the smallest dominating tensor. The caller may pick any dominating tensor instead.
import type { ModelProto, NodeProto } from '../onnx/proto.ts';
import { ModelError } from '../onnx/errors.ts';
import { indexGraph, nodeReads, type GraphIndex } from '../onnx/graph.ts';
import { inferShapes } from '../analysis/shapes.ts';
import type { Shape } from '../analysis/types.ts';

export interface TensorSize { tensor: string; shape: Shape; elements: number }

export interface AeSplit {
  input: TensorSize;
  output: TensorSize;
  bottleneck: TensorSize;
  /** input elements / bottleneck elements (per sample). */
  compressionRatio: number;
  /** False when a skip connection bypasses the smallest tensor (see `note`). */
  trueBottleneck: boolean;
  /** The user named the tensor (splitAt) rather than detection. */
  chosen: boolean;
  note?: string;
  /** Node names (or #index when unnamed), in graph order. */
  encoderNodes: string[];
  decoderNodes: string[];
  /** Every tensor on all input→output paths, smallest first: the tensors a user may choose. */
  candidates: TensorSize[];
  /** The smallest tensor on any path (may be bypassed by a skip connection). */
  smallest: TensorSize;
  /** Every node's part, in graph order (see partsOfNodes): what the graph view tints. */
  nodeParts: AeNodePart[];
}

export type AePart = 'encoder' | 'bottleneck' | 'decoder';

export interface AeNodePart {
  /** Node name (or #index when unnamed). */
  node: string;
  /** The node's first output tensor: unique in a graph, so views match nodes by it. */
  output: string;
  part: AePart;
}

/** What partsOfNodes needs of a node: the tensors it reads and writes (model nodes and summary layers both fit). */
export interface PartNode { inputs: readonly string[]; outputs: readonly string[] }

/**
 * Each node's part of the split at `bottleneck`: the node producing it is the bottleneck; what it
 * needs is the encoder; what lies downstream of it, or else only feeds the outputs (a decoder's
 * constant Reshape shape, a skip path around the bottleneck), is the decoder. Anything left over
 * (a dead-end branch off the encoder, an auxiliary head) reads only encoder-side tensors, so it
 * counts as encoder. Throws when no node produces `bottleneck`.
 */
export function partsOfNodes(nodes: readonly PartNode[], bottleneck: string, outputs: readonly string[]): AePart[] {
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o !== '') producer.set(o, i);
    for (const r of n.inputs) if (r !== '') { const c = consumers.get(r); if (c) c.push(i); else consumers.set(r, [i]); }
  });
  const bn = producer.get(bottleneck);
  if (bn === undefined) throw new ModelError('unknown-tensor', `no node produces "${bottleneck}", so the graph cannot be split there`);
  /** Nodes producing what `from` tensors need, transitively. */
  const upstream = (from: readonly string[]) => {
    const seen = new Set<number>();
    const stack = [...from];
    while (stack.length) {
      const p = producer.get(stack.pop()!);
      if (p === undefined || seen.has(p)) continue;
      seen.add(p);
      stack.push(...nodes[p]!.inputs);
    }
    return seen;
  };
  const enc = upstream(nodes[bn]!.inputs);
  const feedsOutput = upstream(outputs);
  const down = new Set<number>();
  const stack = [...nodes[bn]!.outputs];
  while (stack.length) {
    for (const c of consumers.get(stack.pop()!) ?? []) {
      if (down.has(c)) continue;
      down.add(c);
      stack.push(...nodes[c]!.outputs);
    }
  }
  return nodes.map((_, i) => (i === bn ? 'bottleneck' : enc.has(i) ? 'encoder' : down.has(i) || feedsOutput.has(i) ? 'decoder' : 'encoder'));
}

const nodeLabel = (n: NodeProto, i: number) => (n.name !== '' ? n.name : `#${i}`);

interface PathInfo { idx: GraphIndex; input: string; output: string; onPath: string[]; sizes: Map<string, TensorSize>; order: Map<string, number> }

function pathInfo(model: ModelProto): PathInfo {
  const g = model.graph;
  if (!g) throw new ModelError('no-graph', 'the model has no graph');
  const idx = indexGraph(g);
  const input = idx.inputs[0];
  const output = idx.outputs[0];
  if (!input || !output) throw new ModelError('no-graph', 'an autoencoder needs one image input and one reconstruction output');
  // Shapes at batch 1, so per-sample counts are plain numbers even with a symbolic batch.
  const declared = inferShapes(model).get(input);
  const inputShapes: Record<string, Shape> = declared && declared.length > 0 ? { [input]: [1, ...declared.slice(1)] } : {};
  const shapes = inferShapes(model, { inputShapes });
  // Tensors reachable from the input (forward) that reach the output (backward).
  const fwd = new Set<string>([input]);
  for (const ni of idx.order) {
    const n = g.node[ni]!;
    if (nodeReads(n).some((r) => fwd.has(r))) for (const o of n.output) if (o !== '') fwd.add(o);
  }
  const back = new Set<string>([output]);
  for (let k = idx.order.length - 1; k >= 0; k--) {
    const n = g.node[idx.order[k]!]!;
    if (n.output.some((o) => back.has(o))) for (const r of nodeReads(n)) back.add(r);
  }
  if (!back.has(input)) throw new ModelError('unknown-tensor', `output "${output}" does not depend on input "${input}"; this is not an autoencoder`);
  const order = new Map<string, number>([[input, -1]]);
  idx.order.forEach((ni, k) => { for (const o of g.node[ni]!.output) if (o !== '' && !order.has(o)) order.set(o, k); });
  const onPath = [...fwd].filter((t) => back.has(t)).sort((a, b) => order.get(a)! - order.get(b)!);
  const sizes = new Map<string, TensorSize>();
  for (const t of onPath) {
    const s = shapes.get(t);
    // The batch dimension may stay symbolic (a Reshape whose target is read at run time); the rest must be known.
    if (!s || s.length === 0 || !s.slice(1).every((d) => typeof d === 'number')) continue;
    const elements = (s.slice(1) as number[]).reduce((a, b) => a * b, 1);
    sizes.set(t, { tensor: t, shape: s, elements });
  }
  if (!sizes.has(input)) throw new ModelError('bad-dims', `the shape of input "${input}" is unknown; the model must declare its input shape (e.g. [N, 1, 28, 28])`);
  return { idx, input, output, onPath, sizes, order };
}

/** Does every input→output path pass through `t`? (BFS from the input with `t` removed.) */
function dominates(p: PathInfo, t: string): boolean {
  if (t === p.input || t === p.output) return true;
  const g = p.idx.graph;
  const seen = new Set<string>([p.input]);
  const stack = [p.input];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const c of p.idx.consumers.get(cur) ?? []) {
      for (const o of g.node[c.index]!.output) {
        if (o === '' || o === t || seen.has(o)) continue;
        if (o === p.output) return false;
        seen.add(o);
        stack.push(o);
      }
    }
  }
  return true;
}

function describeSplit(model: ModelProto, p: PathInfo, bottleneck: string, chosen: boolean): AeSplit {
  const g = p.idx.graph;
  // Encoder: everything the bottleneck needs; decoder: the rest of what the output needs.
  const enc = new Set<number>();
  const stack = [bottleneck];
  const seen = new Set<string>();
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const pr = p.idx.producers.get(t);
    if (!pr || enc.has(pr.index)) continue;
    enc.add(pr.index);
    for (const r of nodeReads(pr.node)) stack.push(r);
  }
  const dec = new Set<number>();
  const stack2 = [p.output];
  const seen2 = new Set<string>();
  while (stack2.length) {
    const t = stack2.pop()!;
    if (seen2.has(t)) continue;
    seen2.add(t);
    const pr = p.idx.producers.get(t);
    if (!pr || enc.has(pr.index) || dec.has(pr.index)) continue;
    dec.add(pr.index);
    for (const r of nodeReads(pr.node)) stack2.push(r);
  }
  const candidates = [...p.sizes.values()].filter((s) => s.tensor !== p.input && s.tensor !== p.output)
    .sort((a, b) => a.elements - b.elements || p.order.get(a.tensor)! - p.order.get(b.tensor)!);
  const b = p.sizes.get(bottleneck)!;
  const smallest = candidates[0] ?? b;
  const input = p.sizes.get(p.input)!;
  const output = p.sizes.get(p.output) ?? { tensor: p.output, shape: [], elements: NaN };
  const trueBottleneck = smallest.elements >= b.elements;
  let note: string | undefined;
  if (!trueBottleneck) {
    note = `no true bottleneck: the smallest tensor "${smallest.tensor}" (${smallest.elements} values per sample) is bypassed by a skip connection, so the output does not depend on it alone; "${b.tensor}" (${b.elements} values) is the smallest tensor every path passes through`;
  }
  if (b.elements >= input.elements) {
    note = `${note ? `${note}; ` : ''}"${b.tensor}" holds ${b.elements} values per sample, not fewer than the input's ${input.elements}: the model does not compress`;
  }
  const sorted = (s: Set<number>) => [...s].sort((x, y) => x - y).map((i) => nodeLabel(g.node[i]!, i));
  const parts = partsOfNodes(g.node.map((n) => ({ inputs: nodeReads(n), outputs: n.output })), bottleneck, g.output.map((o) => o.name));
  const nodeParts = g.node.map((n, i) => ({ node: nodeLabel(n, i), output: n.output.find((o) => o !== '') ?? '', part: parts[i]! }));
  return {
    input, output, bottleneck: b, compressionRatio: input.elements / b.elements, trueBottleneck, chosen, note,
    encoderNodes: sorted(enc), decoderNodes: sorted(dec), candidates: candidates.filter((c) => dominates(p, c.tensor)), smallest, nodeParts,
  };
}

/**
 * Metadata key naming the model's bottleneck tensor, written when an encoder and a decoder file are
 * joined (compose.ts): there the split is known, not guessed, so detection defers to it.
 */
export const BOTTLENECK_KEY = 'receptive.autoencoder.bottleneck';

/**
 * Detect the bottleneck: the tensor recorded under BOTTLENECK_KEY when it is a valid split, else the
 * smallest dominating tensor (earliest on ties, i.e. before activations).
 */
export function findBottleneck(model: ModelProto): AeSplit {
  const p = pathInfo(model);
  const doms = p.onPath.filter((t) => t !== p.input && t !== p.output && p.sizes.has(t) && dominates(p, t));
  if (doms.length === 0) {
    throw new ModelError('unknown-tensor', `every tensor between "${p.input}" and "${p.output}" is bypassed by some path (or has an unknown shape), so the model has no bottleneck to split at`);
  }
  let best = doms[0]!;
  for (const t of doms) if (p.sizes.get(t)!.elements < p.sizes.get(best)!.elements) best = t;
  const recorded = model.metadataProps.find((m) => m.key === BOTTLENECK_KEY)?.value;
  if (recorded === undefined || recorded === best) return describeSplit(model, p, best, false);
  if (!doms.includes(recorded)) {
    const split = describeSplit(model, p, best, false);
    const why = `the recorded bottleneck "${recorded}" is not a tensor every input→output path passes through (or its shape is unknown); "${best}" was detected instead`;
    return { ...split, note: split.note ? `${why}; ${split.note}` : why };
  }
  const split = describeSplit(model, p, recorded, false);
  const b = p.sizes.get(best)!;
  if (b.elements >= split.bottleneck.elements) return split;
  const smaller = `"${recorded}" is the encoder's output (recorded when the encoder and decoder were joined); "${best}" (${b.elements} values per sample) is smaller — choose it to split there`;
  return { ...split, note: split.note ? `${split.note}; ${smaller}` : smaller };
}

/** Split at a tensor the user chose; it must lie on every input→output path. */
export function splitAt(model: ModelProto, tensor: string): AeSplit {
  const p = pathInfo(model);
  if (!p.onPath.includes(tensor) || tensor === p.input || tensor === p.output) {
    throw new ModelError('unknown-tensor', `"${tensor}" is not an intermediate tensor between "${p.input}" and "${p.output}"; choose one of the split's candidates`);
  }
  if (!p.sizes.has(tensor)) throw new ModelError('bad-dims', `the shape of "${tensor}" is unknown, so it cannot serve as the bottleneck`);
  if (!dominates(p, tensor)) throw new ModelError('unknown-tensor', `"${tensor}" is bypassed by a skip connection (some path from the input reaches the output without it); the decoder would need more than this tensor — choose a tensor every path passes through`);
  return describeSplit(model, p, tensor, true);
}
