// `window.__receptiveGraph`: where tests and benchmarks find node positions and timings without
// reading pixels. Read-only apart from centerOn, which does what search does.
export interface NodeScreenBox { kind: 'layer' | 'input' | 'output'; layer: number; name: string; op: string; x: number; y: number; w: number; h: number }

export interface GraphHook {
  readonly phase: 'layout' | 'ready' | 'error';
  readonly layerCount: number;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** layoutMs: ELK time in the worker; firstDrawMs: from the openModel response to the first frame. */
  readonly stats: { layoutMs: number; firstDrawMs: number };
  nodes(): NodeScreenBox[];
  centerOn(layerName: string): boolean;
}

export function installGraphHook(hook: GraphHook): () => void {
  const g = globalThis as { __receptiveGraph?: GraphHook };
  g.__receptiveGraph = hook;
  return () => { if (g.__receptiveGraph === hook) delete g.__receptiveGraph; };
}
