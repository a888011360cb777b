// Free-hand (lasso) selection: which projected points lie inside a closed screen polygon. One pass
// over the projected positions with a bounding-box reject, then an even-odd crossing test against
// only the edges spanning the point's band, so a 200,000-point cloud selects in milliseconds.

/** A polygon as flat [x0, y0, x1, y1, …] screen coordinates (implicitly closed). */
export type Polygon = ArrayLike<number>;

export interface Box { x0: number; y0: number; x1: number; y1: number }

export function polygonBounds(poly: Polygon): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let k = 0; k + 1 < poly.length; k += 2) {
    const x = poly[k]!, y = poly[k + 1]!;
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/** Even-odd rule: a horizontal ray from (x, y) crosses the boundary an odd number of times. */
export function insidePolygon(x: number, y: number, poly: Polygon): boolean {
  const m = poly.length >> 1;
  let inside = false;
  for (let a = 0, b = m - 1; a < m; b = a++) {
    const ax = poly[a * 2]!, ay = poly[a * 2 + 1]!, bx = poly[b * 2]!, by = poly[b * 2 + 1]!;
    if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside;
}

/**
 * Indices of the points (`screen` = n × [x, y]) inside `poly`; fewer than 3 vertices select nothing.
 * Edges are bucketed by the horizontal bands they span, so each point tests only the few edges
 * crossing its band (a hand-drawn lasso has hundreds of vertices).
 */
export function pointsInPolygon(screen: Float32Array, n: number, poly: Polygon): number[] {
  const out: number[] = [];
  const m = poly.length >> 1;
  if (m < 3) return out;
  const b = polygonBounds(poly);
  const bands = Math.max(1, Math.min(1024, m * 2)), bandH = (b.y1 - b.y0) / bands || 1;
  const bandOf = (y: number) => Math.max(0, Math.min(bands - 1, Math.floor((y - b.y0) / bandH)));
  // CSR lists of edge indices per band (edge a joins vertex a−1 → a).
  const count = new Int32Array(bands + 1);
  for (let a = 0; a < m; a++) {
    const p = a === 0 ? m - 1 : a - 1, ya = poly[a * 2 + 1]!, yp = poly[p * 2 + 1]!;
    for (let k = bandOf(Math.min(ya, yp)), e = bandOf(Math.max(ya, yp)); k <= e; k++) count[k + 1]!++;
  }
  for (let k = 0; k < bands; k++) count[k + 1]! += count[k]!;
  const fill = count.slice(0, bands), edges = new Int32Array(count[bands]!);
  for (let a = 0; a < m; a++) {
    const p = a === 0 ? m - 1 : a - 1, ya = poly[a * 2 + 1]!, yp = poly[p * 2 + 1]!;
    for (let k = bandOf(Math.min(ya, yp)), e = bandOf(Math.max(ya, yp)); k <= e; k++) edges[fill[k]!++] = a;
  }
  for (let i = 0; i < n; i++) {
    const x = screen[i * 2]!, y = screen[i * 2 + 1]!;
    if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1) continue;
    const k = bandOf(y);
    let inside = false;
    for (let t = count[k]!; t < count[k + 1]!; t++) {
      const a = edges[t]!, p = a === 0 ? m - 1 : a - 1;
      const ax = poly[a * 2]!, ay = poly[a * 2 + 1]!, bx = poly[p * 2]!, by = poly[p * 2 + 1]!;
      if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
    }
    if (inside) out.push(i);
  }
  return out;
}

/** Append (x, y) to a lasso path unless it is within `minStep` px of the last vertex (keeps paths short). */
export function extendPath(path: number[], x: number, y: number, minStep = 2): boolean {
  const n = path.length;
  if (n >= 2 && Math.hypot(x - path[n - 2]!, y - path[n - 1]!) < minStep) return false;
  path.push(x, y);
  return true;
}
