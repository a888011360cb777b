// The laid-out graph on a canvas: viewport (pan/zoom), drawing with level of detail, hit tests.
// Plain TypeScript so the Svelte view stays a thin shell around it.
import type { GraphModel } from './graph-model.ts';
import type { LayoutResult } from './layout-protocol.ts';
import { FAMILY_STYLE } from './op-family.ts';
import { AE_PART_STYLE, AE_PARTS, type AePart } from './ae-split.ts';

export interface Viewport { scale: number; x: number; y: number }
export interface Box { x: number; y: number; w: number; h: number }

const MIN_SCALE = 0.005;
const MAX_SCALE = 3;
const FONT = '"Inter", "Segoe UI", system-ui, -apple-system, sans-serif';
const MONO = '"JetBrains Mono", "SF Mono", "Cascadia Mono", Menlo, Consolas, monospace';

export const COLORS = {
  background: '#11151b',
  grid: '#1a2029',
  node: '#1b222d',
  nodeHover: '#222b38',
  border: '#2d3644',
  edge: '#4c5868',
  edgeActive: '#9ec5ff',
  title: '#e6eaf0',
  shape: '#c9d1dc',
  muted: '#7e8a99',
  match: '#ffe066',
};

export class GraphScene {
  view: Viewport = { scale: 1, x: 0, y: 0 };
  selected = -1;
  hovered = -1;
  matches = new Set<number>();
  /** An autoencoder's split: each node's part (or null), drawn as tinted regions with coloured borders. */
  private parts: readonly (AePart | null)[] | null = null;
  /** Beside each region, in screen space: its name and an optional second line (the bottleneck's shape and ratio). */
  private partLabels: Partial<Record<AePart, { title: string; detail?: string }>> = {};
  /** Edges touching the selected node, drawn on top in the accent colour. */
  private activeEdges: number[] = [];
  private labelCache = new Map<string, string>();

  constructor(readonly graph: GraphModel, readonly layout: LayoutResult) {}

  nodeBox(i: number): Box {
    const n = this.graph.nodes[i]!;
    return { x: this.layout.positions[2 * i]!, y: this.layout.positions[2 * i + 1]!, w: n.width, h: n.height };
  }

  /** A node's box in CSS pixels relative to the canvas. */
  screenBox(i: number): Box {
    const b = this.nodeBox(i);
    const { scale, x, y } = this.view;
    return { x: b.x * scale + x, y: b.y * scale + y, w: b.w * scale, h: b.h * scale };
  }

  select(i: number): void {
    this.selected = i;
    this.activeEdges = [];
    if (i < 0) return;
    this.graph.edges.forEach((e, k) => { if (e.source === i || e.target === i) this.activeEdges.push(k); });
  }

  /** Show (or with null, clear) an autoencoder's encoder/bottleneck/decoder split. */
  setParts(parts: readonly (AePart | null)[] | null, labels: Partial<Record<AePart, { title: string; detail?: string }>> = {}): void {
    this.parts = parts && parts.length === this.graph.nodes.length ? parts : null;
    this.partLabels = this.parts ? labels : {};
  }

  partOf(i: number): AePart | null {
    return this.parts?.[i] ?? null;
  }

  hit(px: number, py: number): number {
    const { scale, x, y } = this.view;
    const wx = (px - x) / scale;
    const wy = (py - y) / scale;
    const pos = this.layout.positions;
    for (let i = 0; i < this.graph.nodes.length; i++) {
      const n = this.graph.nodes[i]!;
      const nx = pos[2 * i]!;
      const ny = pos[2 * i + 1]!;
      if (wx >= nx && wx <= nx + n.width && wy >= ny && wy <= ny + n.height) return i;
    }
    return -1;
  }

  /** Whole graph in view (an overview; labels may be too small to read on deep nets). */
  fit(w: number, h: number, pad = 24): void {
    const s = clamp(Math.min((w - 2 * pad) / this.layout.width, (h - 2 * pad) / this.layout.height), MIN_SCALE, 1.2);
    this.view = { scale: s, x: (w - this.layout.width * s) / 2, y: (h - this.layout.height * s) / 2 };
  }

  /** First view of a model: readable labels, starting at the input, centred across. */
  home(w: number, h: number): void {
    this.fit(w, h);
    if (this.view.scale >= 0.75) return;
    const s = clamp(Math.min(1, (w - 48) / this.layout.width), 0.75, 1);
    this.view = { scale: s, x: (w - this.layout.width * s) / 2, y: 12 };
  }

  centerOn(i: number, w: number, h: number): void {
    const b = this.nodeBox(i);
    const s = Math.max(this.view.scale, 0.8);
    this.view = { scale: s, x: w / 2 - (b.x + b.w / 2) * s, y: h / 2 - (b.y + b.h / 2) * s };
  }

  zoomAt(px: number, py: number, factor: number): void {
    const s = clamp(this.view.scale * factor, MIN_SCALE, MAX_SCALE);
    const k = s / this.view.scale;
    this.view = { scale: s, x: px - (px - this.view.x) * k, y: py - (py - this.view.y) * k };
  }

  panBy(dx: number, dy: number): void {
    this.view = { ...this.view, x: this.view.x + dx, y: this.view.y + dy };
  }

  draw(ctx: CanvasRenderingContext2D, w: number, h: number, dpr: number): void {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, w, h);
    const { scale, x, y } = this.view;
    this.drawGrid(ctx, w, h);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * x, dpr * y);
    // Visible world rectangle, for culling.
    const vx0 = -x / scale, vy0 = -y / scale, vx1 = (w - x) / scale, vy1 = (h - y) / scale;
    if (this.parts) this.drawRegions(ctx, vx0, vy0, vx1, vy1);
    this.drawEdges(ctx, vx0, vy0, vx1, vy1);
    this.drawNodes(ctx, vx0, vy0, vx1, vy1);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (this.parts) this.drawPartLabels(ctx, w, h);
    this.drawMinimap(ctx, w, h);
  }

  private drawGrid(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const step = 24 * this.view.scale;
    if (step < 8) return;
    ctx.fillStyle = COLORS.grid;
    const ox = ((this.view.x % step) + step) % step;
    const oy = ((this.view.y % step) + step) % step;
    const r = Math.min(1.5, Math.max(0.75, this.view.scale));
    for (let gx = ox; gx < w; gx += step) for (let gy = oy; gy < h; gy += step) ctx.fillRect(gx - r / 2, gy - r / 2, r, r);
  }

  /**
   * Each part as one tinted region behind its nodes: every node's box grown by half the layer gap,
   * all in one path, so neighbours merge into a band filled once (no darker overlaps).
   */
  private drawRegions(ctx: CanvasRenderingContext2D, vx0: number, vy0: number, vx1: number, vy1: number): void {
    const pos = this.layout.positions;
    const pad = REGION_PAD;
    for (const part of AE_PARTS) {
      ctx.beginPath();
      for (let i = 0; i < this.graph.nodes.length; i++) {
        if (this.parts![i] !== part) continue;
        const n = this.graph.nodes[i]!;
        const nx = pos[2 * i]! - pad, ny = pos[2 * i + 1]! - pad, nw = n.width + 2 * pad, nh = n.height + 2 * pad;
        if (nx + nw < vx0 || nx > vx1 || ny + nh < vy0 || ny > vy1) continue;
        ctx.roundRect(nx, ny, nw, nh, 14);
      }
      ctx.fillStyle = withAlpha(AE_PART_STYLE[part].color, part === 'bottleneck' ? 0.3 : 0.15);
      ctx.fill();
    }
  }

  /** World bounding box of each part's nodes. */
  private partBoxes(): Partial<Record<AePart, Box>> {
    const out: Partial<Record<AePart, Box>> = {};
    if (!this.parts) return out;
    const pos = this.layout.positions;
    this.graph.nodes.forEach((n, i) => {
      const p = this.parts![i];
      if (!p) return;
      const x = pos[2 * i]!, y = pos[2 * i + 1]!;
      const b = out[p];
      if (!b) { out[p] = { x, y, w: n.width, h: n.height }; return; }
      const x1 = Math.max(b.x + b.w, x + n.width), y1 = Math.max(b.y + b.h, y + n.height);
      b.x = Math.min(b.x, x); b.y = Math.min(b.y, y); b.w = x1 - b.x; b.h = y1 - b.y;
    });
    return out;
  }

  /** Region names beside the regions at a constant screen size, kept in view while the region is. */
  private drawPartLabels(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const { scale, x, y } = this.view;
    const boxes = this.partBoxes();
    ctx.textBaseline = 'middle';
    for (const part of AE_PARTS) {
      const b = boxes[part];
      const label = this.partLabels[part];
      if (!b || !label) continue;
      const pad = REGION_PAD * scale;
      const left = b.x * scale + x - pad, right = (b.x + b.w) * scale + x + pad;
      const top = b.y * scale + y - pad, bottom = (b.y + b.h) * scale + y + pad;
      if (bottom < 0 || top > h || right < 0 || left > w) continue;
      // Level with the region's middle, but never off screen while part of the region shows.
      // Kept below the split's legend, which the view lays over the canvas's top-left corner.
      const cy = clamp((top + bottom) / 2, Math.max(top, LEGEND_INSET) + 12, Math.min(bottom, h) - 12);
      ctx.font = `600 12px ${FONT}`;
      const title = label.title.toUpperCase();
      ctx.font = `11.5px ${FONT}`;
      const detailW = label.detail ? ctx.measureText(label.detail).width : 0;
      ctx.font = `600 12px ${FONT}`;
      const textW = Math.max(ctx.measureText(title).width, detailW);
      const onLeft = left - 14 - textW >= 8;
      const tx = onLeft ? left - 12 : right + 12;
      ctx.textAlign = onLeft ? 'right' : 'left';
      const dy = label.detail ? -8 : 0;
      ctx.fillStyle = AE_PART_STYLE[part].color;
      ctx.fillText(title, tx, cy + dy);
      if (label.detail) {
        ctx.font = `11.5px ${FONT}`;
        ctx.fillStyle = COLORS.shape;
        ctx.fillText(label.detail, tx, cy + 8);
      }
      // A short tick joining the label to its region.
      ctx.strokeStyle = withAlpha(AE_PART_STYLE[part].color, 0.7);
      ctx.lineWidth = 2;
      ctx.beginPath();
      const ex = onLeft ? left : right;
      ctx.moveTo(onLeft ? ex - 6 : ex + 6, cy - 10 + dy / 2);
      ctx.lineTo(onLeft ? ex - 6 : ex + 6, cy + 10 - dy / 2);
      ctx.stroke();
    }
  }

  private drawEdges(ctx: CanvasRenderingContext2D, vx0: number, vy0: number, vx1: number, vy1: number): void {
    const { offsets, points } = this.layout;
    const s = this.view.scale;
    const lw = Math.max(1.4, 1 / s);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    const path = (e: number) => {
      const a = offsets[e]!, b = offsets[e + 1]!;
      if (b - a < 4) return;
      // Cull an edge whose bounding box is off screen.
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let k = a; k < b; k += 2) {
        minX = Math.min(minX, points[k]!); maxX = Math.max(maxX, points[k]!);
        minY = Math.min(minY, points[k + 1]!); maxY = Math.max(maxY, points[k + 1]!);
      }
      if (maxX < vx0 || minX > vx1 || maxY < vy0 || minY > vy1) return;
      ctx.moveTo(points[a]!, points[a + 1]!);
      for (let k = a + 2; k < b; k += 2) ctx.lineTo(points[k]!, points[k + 1]!);
    };
    const heads = (list: Iterable<number>) => {
      const size = Math.max(5, 5 / s);
      for (const e of list) {
        const a = offsets[e]!, b = offsets[e + 1]!;
        if (b - a < 4) continue;
        const ex = points[b - 2]!, ey = points[b - 1]!;
        const px = points[b - 4]!, py = points[b - 3]!;
        const len = Math.hypot(ex - px, ey - py) || 1;
        const ux = (ex - px) / len, uy = (ey - py) / len;
        ctx.moveTo(ex, ey);
        ctx.lineTo(ex - ux * size * 1.6 - uy * size, ey - uy * size * 1.6 + ux * size);
        ctx.lineTo(ex - ux * size * 1.6 + uy * size, ey - uy * size * 1.6 - ux * size);
        ctx.closePath();
      }
    };
    ctx.strokeStyle = COLORS.edge;
    ctx.lineWidth = lw;
    ctx.beginPath();
    for (let e = 0; e < this.graph.edges.length; e++) path(e);
    ctx.stroke();
    if (s > 0.3) {
      ctx.fillStyle = COLORS.edge;
      ctx.beginPath();
      heads(this.graph.edges.keys());
      ctx.fill();
    }
    if (this.activeEdges.length) {
      ctx.strokeStyle = COLORS.edgeActive;
      ctx.fillStyle = COLORS.edgeActive;
      ctx.lineWidth = lw * 1.6;
      ctx.beginPath();
      for (const e of this.activeEdges) path(e);
      ctx.stroke();
      ctx.beginPath();
      heads(this.activeEdges);
      ctx.fill();
    }
  }

  private drawNodes(ctx: CanvasRenderingContext2D, vx0: number, vy0: number, vx1: number, vy1: number): void {
    const s = this.view.scale;
    const pos = this.layout.positions;
    // Level of detail by on-screen text size: all three lines, op and shape, or colour only.
    const detailed = s >= 0.75;
    const brief = !detailed && s >= 0.28;
    const blocks = s < 0.28;
    for (let i = 0; i < this.graph.nodes.length; i++) {
      const n = this.graph.nodes[i]!;
      const nx = pos[2 * i]!, ny = pos[2 * i + 1]!;
      if (nx + n.width < vx0 || nx > vx1 || ny + n.height < vy0 || ny > vy1) continue;
      const color = FAMILY_STYLE[n.family].color;
      const io = n.kind !== 'layer';
      const r = io ? n.height / 2 : 8;
      // While searching, everything but the matches (and the selection) steps back.
      ctx.globalAlpha = this.matches.size && !this.matches.has(i) && i !== this.selected ? 0.35 : 1;

      ctx.beginPath();
      ctx.roundRect(nx, ny, n.width, n.height, r);
      ctx.fillStyle = blocks ? color : i === this.hovered ? COLORS.nodeHover : COLORS.node;
      ctx.fill();
      if (!io && !blocks) {
        // Family stripe along the left edge.
        ctx.save();
        ctx.clip();
        ctx.fillStyle = color;
        ctx.fillRect(nx, ny, brief ? 8 : 5, n.height);
        ctx.restore();
      }
      const isSel = i === this.selected;
      const isMatch = this.matches.has(i);
      if (blocks && !isSel && !isMatch) continue;
      const part = this.parts?.[i] ?? null;
      const partW = part === 'bottleneck' ? Math.max(3, 2.4 / s) : Math.max(1.75, 1.4 / s);
      ctx.lineWidth = isSel ? Math.max(2.5, 2 / s) : isMatch ? Math.max(2, 1.5 / s) : part ? partW : Math.max(1, 0.8 / s);
      ctx.strokeStyle = isSel ? COLORS.edgeActive : isMatch ? COLORS.match : part ? AE_PART_STYLE[part].color : io ? color : COLORS.border;
      ctx.beginPath();
      ctx.roundRect(nx, ny, n.width, n.height, r);
      ctx.stroke();

      if (detailed) this.drawLabels(ctx, i, nx, ny);
      else if (brief) {
        ctx.textAlign = 'center';
        ctx.textBaseline = 'alphabetic';
        ctx.fillStyle = COLORS.title;
        ctx.font = `600 19px ${FONT}`;
        ctx.fillText(this.ellipsize(ctx, `t:${i}`, n.title, n.width - 24), nx + n.width / 2 + 3, ny + n.height / 2 - 2);
        ctx.fillStyle = COLORS.shape;
        ctx.font = `16px ${MONO}`;
        ctx.fillText(this.ellipsize(ctx, `s:${i}`, n.shape, n.width - 24), nx + n.width / 2 + 3, ny + n.height / 2 + 19);
      }
    }
    ctx.globalAlpha = 1;
  }

  private drawLabels(ctx: CanvasRenderingContext2D, i: number, nx: number, ny: number): void {
    const n = this.graph.nodes[i]!;
    ctx.textBaseline = 'alphabetic';
    if (n.kind !== 'layer') {
      ctx.textAlign = 'center';
      ctx.fillStyle = COLORS.muted;
      ctx.font = `600 11px ${FONT}`;
      ctx.fillText(n.title.toUpperCase(), nx + n.width / 2, ny + 16);
      ctx.fillStyle = COLORS.shape;
      ctx.font = `12px ${MONO}`;
      ctx.fillText(this.ellipsize(ctx, `s:${i}`, n.shape, n.width - 24), nx + n.width / 2, ny + 31);
      return;
    }
    const left = nx + 15;
    const right = nx + n.width - 10;
    ctx.textAlign = 'right';
    ctx.font = `11px ${FONT}`;
    ctx.fillStyle = COLORS.muted;
    let badgeW = 0;
    if (n.badge) {
      ctx.fillText(n.badge, right, ny + 20);
      badgeW = ctx.measureText(n.badge).width + 8;
    }
    ctx.textAlign = 'left';
    ctx.font = `600 13.5px ${FONT}`;
    ctx.fillStyle = COLORS.title;
    ctx.fillText(this.ellipsize(ctx, `t:${i}`, n.title, right - left - badgeW), left, ny + 20);
    ctx.font = `12px ${MONO}`;
    ctx.fillStyle = COLORS.shape;
    ctx.fillText(this.ellipsize(ctx, `s:${i}`, n.shape, right - left), left, ny + 38);
    ctx.font = `11px ${FONT}`;
    ctx.fillStyle = COLORS.muted;
    // Deep names (features.denseblock3.denselayer12.conv2) differ at the end: keep the tail.
    ctx.fillText(this.ellipsize(ctx, `n:${i}`, n.name, right - left, true), left, ny + 54);
  }

  /** Text shortened with an ellipsis to fit `max` (world units); cached per node and line. */
  private ellipsize(ctx: CanvasRenderingContext2D, key: string, text: string, max: number, keepTail = false): string {
    const k = `${key}@${ctx.font}`;
    const hit = this.labelCache.get(k);
    if (hit !== undefined) return hit;
    let out = text;
    if (ctx.measureText(text).width > max) {
      let lo = 0, hi = text.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        const cand = keepTail ? '…' + text.slice(text.length - mid) : text.slice(0, mid) + '…';
        if (ctx.measureText(cand).width <= max) lo = mid; else hi = mid - 1;
      }
      out = keepTail ? '…' + text.slice(text.length - lo) : text.slice(0, lo) + '…';
    }
    this.labelCache.set(k, out);
    return out;
  }

  /** Overview of the whole graph in the corner with the visible area outlined. */
  minimapRect(w: number, h: number): Box & { scale: number } {
    // Deep nets are tall and narrow: let the overview use most of the height.
    const maxW = 150, maxH = Math.max(60, h - 140);
    // Capped so a small net's overview stays an overview, not a second copy of the graph.
    const s = Math.min(maxW / this.layout.width, maxH / this.layout.height, 0.08);
    const mw = this.layout.width * s, mh = this.layout.height * s;
    return { x: w - mw - 16, y: h - mh - 16, w: mw, h: mh, scale: s };
  }

  private drawMinimap(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const m = this.minimapRect(w, h);
    if (m.w < 6 || w < 500 || this.allVisible(w, h)) return;
    ctx.fillStyle = 'rgba(20, 25, 33, 0.92)';
    ctx.strokeStyle = COLORS.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.roundRect(m.x - 6, m.y - 6, m.w + 12, m.h + 12, 6);
    ctx.fill();
    ctx.stroke();
    const pos = this.layout.positions;
    for (let i = 0; i < this.graph.nodes.length; i++) {
      const n = this.graph.nodes[i]!;
      ctx.globalAlpha = this.matches.size && !this.matches.has(i) ? 0.3 : 1;
      const part = this.parts?.[i];
      ctx.fillStyle = this.matches.has(i) ? COLORS.match : i === this.selected ? COLORS.edgeActive : part ? AE_PART_STYLE[part].color : FAMILY_STYLE[n.family].color;
      ctx.fillRect(m.x + pos[2 * i]! * m.scale, m.y + pos[2 * i + 1]! * m.scale, Math.max(1.5, n.width * m.scale), Math.max(1.5, n.height * m.scale));
    }
    ctx.globalAlpha = 1;
    const { scale, x, y } = this.view;
    const rx = m.x + (-x / scale) * m.scale, ry = m.y + (-y / scale) * m.scale;
    const rw = (w / scale) * m.scale, rh = (h / scale) * m.scale;
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.x - 6, m.y - 6, m.w + 12, m.h + 12);
    ctx.clip();
    ctx.fillStyle = 'rgba(158, 197, 255, 0.14)';
    ctx.fillRect(rx, ry, rw, rh);
    ctx.strokeStyle = COLORS.edgeActive;
    ctx.lineWidth = 1.25;
    ctx.strokeRect(rx, ry, rw, rh);
    ctx.restore();
  }

  /** The whole graph is on screen (then an overview would only repeat it). */
  private allVisible(w: number, h: number): boolean {
    const { scale, x, y } = this.view;
    return x >= -1 && y >= -1 && x + this.layout.width * scale <= w + 1 && y + this.layout.height * scale <= h + 1;
  }

  /** Clicking the minimap moves the view there; returns false when the point is outside it. */
  minimapJump(px: number, py: number, w: number, h: number): boolean {
    const m = this.minimapRect(w, h);
    if (m.w < 6 || w < 500 || this.allVisible(w, h) || px < m.x - 6 || px > m.x + m.w + 6 || py < m.y - 6 || py > m.y + m.h + 6) return false;
    const wx = (px - m.x) / m.scale, wy = (py - m.y) / m.scale;
    this.view = { ...this.view, x: w / 2 - wx * this.view.scale, y: h / 2 - wy * this.view.scale };
    return true;
  }
}

/** Half the gap between layers: grown by this much, vertically neighbouring nodes' regions just meet. */
const REGION_PAD = 17;
/** Height of the split legend over the canvas's top edge (GraphView's .ae-legend). */
const LEGEND_INSET = 50;

/** "#5b8def" with alpha → "rgba(91, 141, 239, a)". */
function withAlpha(hex: string, a: number): string {
  const v = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${a})`;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
