// `window.__receptiveActivations` / `window.__receptiveFilters`: where tests and benchmarks read
// tile positions and timings without reading pixels. Boxes are in page (CSS) pixels.
import type { TileBox } from './tile-grid.ts';

export interface TilesHook {
  /** The layer drawn, and how many tiles it has. */
  readonly layer: string | null;
  readonly tileCount: number;
  tiles(): TileBox[];
  /** Activations: ms from the layer click to the drawn grid (performance marks), or null. */
  readonly lastClickToDrawnMs: number | null;
  /** Activations: the host's own time (ms) when the drawn layer was fetched. */
  readonly serviceMs?: number;
}

type HookName = '__receptiveActivations' | '__receptiveFilters';

export function installTilesHook(name: HookName, hook: TilesHook): () => void {
  const g = globalThis as Partial<Record<HookName, TilesHook>>;
  g[name] = hook;
  return () => { if (g[name] === hook) delete g[name]; };
}

export const MARK_CLICK = 'receptive:activations-click';
export const MARK_DRAWN = 'receptive:activations-drawn';
export const MEASURE_CLICK_TO_DRAWN = 'receptive:activations-click-to-drawn';

/** Close the click→drawn measure if a click is pending; returns its duration. */
export function markDrawn(): number | null {
  if (performance.getEntriesByName(MARK_CLICK, 'mark').length === 0) return null;
  performance.clearMarks(MARK_DRAWN);
  performance.mark(MARK_DRAWN);
  performance.clearMeasures(MEASURE_CLICK_TO_DRAWN);
  const m = performance.measure(MEASURE_CLICK_TO_DRAWN, MARK_CLICK, MARK_DRAWN);
  performance.clearMarks(MARK_CLICK);
  return m.duration;
}

export function markClick(): void {
  performance.clearMarks(MARK_CLICK);
  performance.mark(MARK_CLICK);
}
