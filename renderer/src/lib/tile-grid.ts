// Feature maps and kernels as one grid of tiles on one canvas: layout (which tile goes where),
// value ranges (per tile or per layer), ordering, and writing the colour-mapped pixels.
// Pure functions over typed arrays, so the views stay thin and this is testable without a DOM.

export interface TileBox { channel: number; x: number; y: number; w: number; h: number }

export interface TileLayout {
  cols: number;
  rows: number;
  /** Device pixels per map pixel (nearest-neighbour upscaling by a whole factor). */
  scale: number;
  tileW: number;
  tileH: number;
  gap: number;
  /** Height of the caption strip under each tile (0 when tiles are too small for one). */
  labelH: number;
  width: number;
  height: number;
  /** One box per tile in drawing order (canvas pixels); the caption strip is below the box. */
  boxes: TileBox[];
}

export interface LayoutOptions {
  /** Width and height available, in device pixels. */
  width: number;
  height: number;
  gap: number;
  /** Largest tile side in device pixels (small maps are not blown up past this). */
  maxTile: number;
  /** Caption height to reserve when tiles are at least `labelMinTile` wide. */
  labelH: number;
  labelMinTile: number;
  /** Force a scale instead of fitting (user zoom). */
  scale?: number;
}

/**
 * Tiles of planeH×planeW in `order`: the largest scale that fits them all in the area, else 1
 * (scroll). Whole scales keep every map pixel the same size; only between 1 and 2, where the
 * next whole scale would not fit, a fractional one (in eighths) fills the room instead.
 */
export function layoutTiles(order: readonly number[], planeH: number, planeW: number, o: LayoutOptions): TileLayout {
  const n = order.length;
  const fits = (s: number) => {
    const tw = Math.round(planeW * s), th = Math.round(planeH * s);
    const lab = tw >= o.labelMinTile ? o.labelH : 0;
    const fitCols = Math.max(1, Math.floor((o.width + o.gap) / (tw + o.gap)));
    const rows = Math.ceil(n / fitCols);
    // Balanced rows (6 tiles as 3 + 3, not 5 + 1).
    const cols = Math.max(1, Math.ceil(n / Math.max(1, rows)));
    return { ok: tw <= o.width && rows * (th + lab + o.gap) - o.gap <= o.height, lab, cols, rows, tw, th };
  };
  let scale = o.scale ?? 1;
  if (o.scale === undefined) {
    const maxScale = Math.max(1, o.maxTile / Math.max(planeH, planeW));
    const candidates: number[] = [];
    for (let s = Math.floor(maxScale); s >= 2; s--) candidates.push(s);
    for (let s = Math.min(2, maxScale); s > 1; s -= 0.125) candidates.push(s);
    scale = candidates.find((s) => fits(s).ok) ?? 1;
  }
  const { lab, cols, rows, tw: tileW, th: tileH } = fits(scale);
  const usedCols = Math.min(cols, Math.max(1, n));
  const boxes: TileBox[] = order.map((channel, i) => ({
    channel, x: (i % cols) * (tileW + o.gap), y: Math.floor(i / cols) * (tileH + lab + o.gap), w: tileW, h: tileH,
  }));
  return {
    cols, rows, scale, tileW, tileH, gap: o.gap, labelH: lab, boxes,
    width: usedCols * (tileW + o.gap) - o.gap,
    height: Math.max(0, rows * (tileH + lab + o.gap) - o.gap),
  };
}

export interface ChannelStat { min: number; max: number; mean: number }

export type NormMode = 'channel' | 'layer';

/** The [lo, hi] each channel's values are mapped from: its own range, or the layer's. */
export function valueRanges(stats: readonly ChannelStat[], mode: NormMode): [number, number][] {
  if (mode === 'channel') return stats.map((s) => [s.min, s.max]);
  let lo = Infinity, hi = -Infinity;
  for (const s of stats) { if (s.min < lo) lo = s.min; if (s.max > hi) hi = s.max; }
  return stats.map(() => [lo, hi]);
}

/** Symmetric range around 0 (kernels: 0 sits mid-map, positive and negative weights look opposite). */
export function symmetricRanges(data: Float32Array, count: number, per: number, mode: NormMode): [number, number][] {
  const maxAbs = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    let m = 0;
    for (let i = c * per, e = i + per; i < e; i++) { const a = Math.abs(data[i]!); if (a > m) m = a; }
    maxAbs[c] = m;
  }
  if (mode === 'layer') { const m = Math.max(0, ...maxAbs); maxAbs.fill(m); }
  return Array.from(maxAbs, (m) => [-m, m] as [number, number]);
}

export type SortMode = 'index' | 'mean' | 'max';

export function tileOrder(stats: readonly ChannelStat[], mode: SortMode): number[] {
  const idx = stats.map((_, i) => i);
  if (mode === 'mean') idx.sort((a, b) => stats[b]!.mean - stats[a]!.mean || a - b);
  if (mode === 'max') idx.sort((a, b) => stats[b]!.max - stats[a]!.max || a - b);
  return idx;
}

/**
 * Colour-map every tile into `pixels` (RGBA words, row stride `stride`): channel c's plane of
 * planeH×planeW values at `data[c·plane …]`, mapped from ranges[c] through `lut` (256 packed
 * colours), nearest-neighbour scaled to the tile box. A flat channel (hi = lo) maps to the middle.
 */
export function drawTiles(
  pixels: Uint32Array, stride: number, layout: TileLayout, data: Float32Array, planeH: number, planeW: number,
  ranges: readonly [number, number][], lut: Uint32Array,
): void {
  const { tileW, tileH } = layout;
  const plane = planeH * planeW;
  // Source column / row of every tile pixel (nearest), shared by all tiles.
  const xs = Int32Array.from({ length: tileW }, (_, x) => Math.min(planeW - 1, Math.floor(((x + 0.5) * planeW) / tileW)));
  const ys = Int32Array.from({ length: tileH }, (_, y) => Math.min(planeH - 1, Math.floor(((y + 0.5) * planeH) / tileH)));
  const row = new Uint32Array(planeW);
  for (const b of layout.boxes) {
    const [lo, hi] = ranges[b.channel]!;
    const k = hi > lo ? 255 / (hi - lo) : 0;
    const base = b.channel * plane;
    let lastY = -1;
    for (let ty = 0; ty < tileH; ty++) {
      const y = ys[ty]!;
      if (y !== lastY) {
        for (let x = 0; x < planeW; x++) {
          const v = data[base + y * planeW + x]!;
          const t = k === 0 ? 128 : (v - lo) * k;
          row[x] = lut[t <= 0 ? 0 : t >= 255 ? 255 : t | 0]!;
        }
        lastY = y;
      }
      let o = (b.y + ty) * stride + b.x;
      for (let tx = 0; tx < tileW; tx++) pixels[o++] = row[xs[tx]!]!;
    }
  }
}

/** The map unit (row, column) under a point inside tile box `b`. */
export function unitAt(b: TileBox, planeH: number, planeW: number, x: number, y: number): [number, number] {
  return [
    Math.max(0, Math.min(planeH - 1, Math.floor(((y - b.y) * planeH) / b.h))),
    Math.max(0, Math.min(planeW - 1, Math.floor(((x - b.x) * planeW) / b.w))),
  ];
}

/** The tile under canvas pixel (x, y), or null (gaps and captions count as no tile). */
export function tileAt(layout: TileLayout, x: number, y: number): TileBox | null {
  const col = Math.floor(x / (layout.tileW + layout.gap));
  const row = Math.floor(y / (layout.tileH + layout.labelH + layout.gap));
  if (col < 0 || row < 0 || col >= layout.cols) return null;
  const b = layout.boxes[row * layout.cols + col];
  if (!b || x >= b.x + b.w || y >= b.y + b.h) return null;
  return b;
}

/** How a tensor's dims split into channels of planeH × planeW for tiling. */
export function planeShape(dims: readonly number[], channels: number, plane: number): { h: number; w: number } {
  if (dims.length === 4 && dims[1] === channels && dims[2]! * dims[3]! === plane) return { h: dims[2]!, w: dims[3]! };
  return { h: 1, w: plane };
}
