// Messages between the graph view and the layout worker. Coordinates travel as flat typed
// arrays so a 1000-node layout is one cheap transfer.
export interface LayoutRequest {
  id: number;
  /** width, height per node */
  sizes: Float64Array;
  /** source, target per edge (node indices) */
  edges: Int32Array;
}

export interface LayoutResult {
  width: number;
  height: number;
  /** x, y (top-left) per node */
  positions: Float64Array;
  /** Per edge: offset into `points` (points of edge i are [offsets[i], offsets[i+1]) as x,y pairs). */
  offsets: Int32Array;
  points: Float64Array;
  ms: number;
}

export type LayoutResponse = { id: number; ok: true; result: LayoutResult } | { id: number; ok: false; message: string };
