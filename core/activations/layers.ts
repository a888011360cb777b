// Which tensor a user means by a layer name: a node output tensor, or a node name (its first
// output). Unknown names get a one-line error with the closest names.
import type { ModelProto } from '../onnx/proto.ts';

export interface ResolvedLayer { tensor: string; node?: string; op?: string; nodeIndex?: number }

export class LayerNotFoundError extends Error {
  readonly code = 'not-found';
  constructor(message: string, readonly suggestions: string[]) {
    super(message);
    this.name = 'LayerNotFoundError';
  }
}

export function resolveLayer(model: ModelProto, layer: string): ResolvedLayer {
  const g = model.graph;
  if (!g) throw new LayerNotFoundError('the model has no graph', []);
  let byName: ResolvedLayer | undefined;
  for (let i = 0; i < g.node.length; i++) {
    const n = g.node[i]!;
    if (n.output.includes(layer)) return { tensor: layer, node: n.name || undefined, op: n.opType, nodeIndex: i };
    if (!byName && n.name !== '' && n.name === layer) {
      const first = n.output.find((o) => o !== '');
      if (first) byName = { tensor: first, node: n.name, op: n.opType, nodeIndex: i };
    }
  }
  if (byName) return byName;
  const inputs = new Set(g.input.map((x) => x.name));
  if (inputs.has(layer) && !g.initializer.some((t) => t.name === layer)) return { tensor: layer };
  const names = new Set<string>();
  for (const n of g.node) { if (n.name) names.add(n.name); for (const o of n.output) if (o) names.add(o); }
  const close = closeMatches(layer, [...names], 5);
  throw new LayerNotFoundError(`no layer or tensor named "${layer}"${close.length ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''} (see \`receptive inspect MODEL\` for the layer names)`, close);
}

/** The `k` names nearest to `query` by edit distance (case-insensitive), substring matches first. */
export function closeMatches(query: string, names: readonly string[], k: number): string[] {
  const q = query.toLowerCase();
  const scored = names.map((n) => {
    const l = n.toLowerCase();
    const sub = l.includes(q) || q.includes(l) ? -1000 + Math.abs(l.length - q.length) : 0;
    return { n, d: sub || editDistance(q, l) };
  });
  const limit = Math.max(2, Math.ceil(q.length / 2));
  return scored.filter((s) => s.d <= limit).sort((a, b) => a.d - b.d || a.n.localeCompare(b.n)).slice(0, k).map((s) => s.n);
}

function editDistance(a: string, b: string): number {
  if (a.length > 200 || b.length > 200) return Math.abs(a.length - b.length) + 100;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
