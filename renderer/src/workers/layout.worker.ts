// Lays the graph out with ELK (layered, top to bottom) off the UI thread.
import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse, LayoutResult } from '../lib/layout-protocol.ts';

// Loaded inside a worker, ELK's bundle installs itself as this worker's onmessage handler
// (it expects to *be* the worker script); take that back so only our protocol answers.
(self as unknown as { onmessage: unknown }).onmessage = null;

const elk = new ELK();

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
};

async function layout(req: LayoutRequest): Promise<LayoutResult> {
  const t0 = performance.now();
  const n = req.sizes.length / 2;
  const children: ElkNode[] = [];
  for (let i = 0; i < n; i++) children.push({ id: `n${i}`, width: req.sizes[2 * i]!, height: req.sizes[2 * i + 1]! });
  const edges: ElkExtendedEdge[] = [];
  for (let e = 0; e < req.edges.length / 2; e++) edges.push({ id: `e${e}`, sources: [`n${req.edges[2 * e]}`], targets: [`n${req.edges[2 * e + 1]}`] });
  // Big nets (DenseNet: 427 layers) are nearly chains; fewer crossing-minimisation sweeps
  // cost little in looks and keep the first draw well under two seconds.
  const layoutOptions = n > 200 ? { ...OPTIONS, 'elk.layered.thoroughness': '2' } : OPTIONS;
  const root: ElkNode = { id: 'root', layoutOptions, children, edges };
  const out = await elk.layout(root);

  const positions = new Float64Array(2 * n);
  for (const c of out.children ?? []) {
    const i = Number(c.id.slice(1));
    positions[2 * i] = c.x ?? 0;
    positions[2 * i + 1] = c.y ?? 0;
  }
  const ne = edges.length;
  const offsets = new Int32Array(ne + 1);
  const pts: number[] = [];
  const laid = new Map<string, ElkExtendedEdge>();
  for (const e of out.edges ?? []) laid.set(e.id, e as ElkExtendedEdge);
  for (let e = 0; e < ne; e++) {
    offsets[e] = pts.length;
    const s = laid.get(`e${e}`)?.sections?.[0];
    if (s) {
      pts.push(s.startPoint.x, s.startPoint.y);
      for (const b of s.bendPoints ?? []) pts.push(b.x, b.y);
      pts.push(s.endPoint.x, s.endPoint.y);
    }
  }
  offsets[ne] = pts.length;
  return { width: out.width ?? 0, height: out.height ?? 0, positions, offsets, points: Float64Array.from(pts), ms: performance.now() - t0 };
}

self.addEventListener('message', (ev: MessageEvent<LayoutRequest>) => {
  const req = ev.data;
  layout(req).then(
    (result) => {
      const msg: LayoutResponse = { id: req.id, ok: true, result };
      (self as unknown as Worker).postMessage(msg, [result.positions.buffer, result.offsets.buffer, result.points.buffer]);
    },
    (e: unknown) => {
      const msg: LayoutResponse = { id: req.id, ok: false, message: `graph layout failed: ${e instanceof Error ? e.message : String(e)}` };
      (self as unknown as Worker).postMessage(msg);
    },
  );
});
