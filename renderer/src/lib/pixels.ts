// Host images (8-bit gray or RGB, interleaved) to canvas pixels.
import type { ImagePixels } from '../../../electron/api/contract.ts';

export function toImageData(img: ImagePixels): ImageData {
  const n = img.width * img.height;
  const out = new ImageData(img.width, img.height);
  const d = out.data;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (img.channels === 1) {
      const v = img.data[i]!;
      d[o] = d[o + 1] = d[o + 2] = v;
    } else {
      d[o] = img.data[i * 3]!; d[o + 1] = img.data[i * 3 + 1]!; d[o + 2] = img.data[i * 3 + 2]!;
    }
    d[o + 3] = 255;
  }
  return out;
}

/** An offscreen canvas holding the image at its own size, for drawImage scaling. */
export function imageCanvas(img: ImagePixels): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')!.putImageData(toImageData(img), 0, 0);
  return c;
}

/** Draw `img` into a canvas element, scaled up by whole pixels (nearest) to fit `maxSide`. */
export function drawPixelated(canvas: HTMLCanvasElement, img: ImagePixels, maxSide: number): void {
  const s = Math.max(1, Math.floor(maxSide / Math.max(img.width, img.height)));
  canvas.width = img.width * s;
  canvas.height = img.height * s;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(imageCanvas(img), 0, 0, canvas.width, canvas.height);
}
