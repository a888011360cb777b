// Main-thread side of the layout worker: one worker for the app, requests matched by id.
import type { GraphModel } from './graph-model.ts';
import type { LayoutRequest, LayoutResponse, LayoutResult } from './layout-protocol.ts';

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('../workers/layout.worker.ts', import.meta.url), { type: 'module', name: 'graph-layout' });
  worker.addEventListener('message', (ev: MessageEvent<LayoutResponse>) => {
    const p = pending.get(ev.data.id);
    if (!p) return;
    pending.delete(ev.data.id);
    if (ev.data.ok) p.resolve(ev.data.result);
    else p.reject(new Error(ev.data.message));
  });
  worker.addEventListener('error', (ev) => {
    const err = new Error(`the graph layout worker failed: ${ev.message || 'unknown error'}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker?.terminate();
    worker = undefined;
  });
  return worker;
}

export function layoutGraph(graph: GraphModel): Promise<LayoutResult> {
  const sizes = new Float64Array(graph.nodes.length * 2);
  graph.nodes.forEach((n, i) => { sizes[2 * i] = n.width; sizes[2 * i + 1] = n.height; });
  const edges = new Int32Array(graph.edges.length * 2);
  graph.edges.forEach((e, i) => { edges[2 * i] = e.source; edges[2 * i + 1] = e.target; });
  const id = nextId++;
  const req: LayoutRequest = { id, sizes, edges };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    getWorker().postMessage(req, [sizes.buffer, edges.buffer]);
  });
}
