// `window.__receptiveEmbeddings`: where tests and benchmarks find point positions, the hover state
// and frame times without reading pixels.
export interface FrameStats { frames: number; meanMs: number; p95Ms: number; maxMs: number; rafMeanMs: number }

export interface EmbeddingsHook {
  readonly phase: 'idle' | 'running' | 'ready' | 'error';
  readonly n: number;
  readonly dims: 2 | 3;
  readonly layoutUpdates: number;
  readonly hovered: number;
  /** What the points are coloured by: 'label' | 'prediction' | 'correct' | 'scalar:NAME'. */
  readonly colourMode: string;
  /** The colour bar's range when colouring by a scalar, else null. */
  readonly scalarRange: { min: number; max: number } | null;
  /** Points in the last box or lasso selection. */
  readonly selectionCount: number;
  /** The last closed lasso polygon in page (CSS px) coordinates, flat [x0, y0, x1, y1, …], or null. */
  readonly lasso: number[] | null;
  /** Page (CSS px) position of point i, or null when it has none. */
  screenPosition(i: number): { x: number; y: number } | null;
  /** The point the hover logic picks at page position (x, y), or -1. */
  pick(x: number, y: number): number;
  /** Replace the cloud with `n` synthetic points (bench). */
  loadSynthetic(n: number, dims: 2 | 3): void;
  /** Draw `count` frames, rotating/panning a little each time; times each (GPU-synced) frame. */
  measureFrames(count: number): Promise<FrameStats>;
}

export function installEmbeddingsHook(hook: EmbeddingsHook): () => void {
  const g = globalThis as { __receptiveEmbeddings?: EmbeddingsHook };
  g.__receptiveEmbeddings = hook;
  return () => { if (g.__receptiveEmbeddings === hook) delete g.__receptiveEmbeddings; };
}
