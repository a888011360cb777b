// First-layer RGB kernels as colour tiles: each of the 3 input channels drives one colour,
// symmetric around 0 (0 → mid gray), so a kernel looks like the colour pattern it responds to.
import type { TileLayout } from '../../lib/tile-grid.ts';

export function drawRgbKernels(
  pixels: Uint32Array, stride: number, layout: TileLayout, data: Float32Array, kh: number, kw: number, ranges: readonly [number, number][],
): void {
  const plane = kh * kw;
  const { tileW, tileH } = layout;
  for (const b of layout.boxes) {
    const m = Math.max(1e-12, ranges[b.channel]![1]);
    const base = b.channel * 3 * plane;
    const ch = (v: number) => Math.max(0, Math.min(255, Math.round(127.5 + (127.5 * v) / m)));
    const colours = new Uint32Array(plane);
    for (let i = 0; i < plane; i++) {
      const j = base + i;
      colours[i] = ((255 << 24) | (ch(data[j + 2 * plane]!) << 16) | (ch(data[j + plane]!) << 8) | ch(data[j]!)) >>> 0;
    }
    for (let ty = 0; ty < tileH; ty++) {
      const y = Math.min(kh - 1, Math.floor(((ty + 0.5) * kh) / tileH));
      let o = (b.y + ty) * stride + b.x;
      for (let tx = 0; tx < tileW; tx++) pixels[o++] = colours[y * kw + Math.min(kw - 1, Math.floor(((tx + 0.5) * kw) / tileW))]!;
    }
  }
}
