// Writing PNGs through sharp (heatmaps, filters, sample images). Pixels are interleaved, row-major.
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

export interface RawImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
  channels: 1 | 2 | 3 | 4;
  /** 8-bit samples (Uint8Array) or 16-bit samples (Uint16Array). */
  data: Uint8Array | Uint16Array;
}

function check(img: RawImage): void {
  const n = img.width * img.height * img.channels;
  if (!(img.width > 0 && img.height > 0)) throw new Error(`png: bad size ${img.width}×${img.height}`);
  if (img.data.length !== n) throw new Error(`png: ${img.width}×${img.height}×${img.channels} needs ${n} samples, got ${img.data.length}`);
}

/** Encode as PNG (8- or 16-bit, following the sample type). */
export async function encodePng(img: RawImage): Promise<Uint8Array> {
  check(img);
  const is16 = img.data instanceof Uint16Array;
  // sharp takes the sample depth from the typed array's type (Uint16Array → ushort).
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  const gray = img.channels <= 2;
  s = s.toColourspace(gray ? (is16 ? 'grey16' : 'b-w') : (is16 ? 'rgb16' : 'srgb'));
  const out = await s.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export async function writePng(path: string, img: RawImage): Promise<void> {
  await writeFile(path, await encodePng(img));
}

/** Map floats linearly to 0–255 (min → 0, max → 255; defaults to the data range). NaN → 0. */
export function floatsToGray8(values: ArrayLike<number>, range: { min?: number; max?: number } = {}): Uint8Array {
  let lo = range.min, hi = range.max;
  if (lo === undefined || hi === undefined) {
    let mn = Infinity, mx = -Infinity;
    for (let i = 0; i < values.length; i++) { const v = values[i]!; if (v < mn) mn = v; if (v > mx) mx = v; }
    lo ??= Number.isFinite(mn) ? mn : 0; hi ??= Number.isFinite(mx) ? mx : 1;
  }
  const span = hi - lo || 1;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = (values[i]! - lo) / span;
    out[i] = Number.isNaN(t) ? 0 : Math.round(Math.min(1, Math.max(0, t)) * 255);
  }
  return out;
}

/** A [C, H, W] (or [1, C, H, W]) float image with values in [0, 1] → interleaved 8-bit pixels. */
export function chwToRawImage(data: Float32Array, dims: readonly number[]): RawImage {
  const d = dims.length === 4 ? dims.slice(1) : dims;
  if (d.length !== 3 || (d[0] !== 1 && d[0] !== 3)) throw new Error(`png: expected [C, H, W] with C = 1 or 3, got [${dims.join(', ')}]`);
  const [C, H, W] = d as [1 | 3, number, number];
  const plane = H * W, out = new Uint8Array(plane * C);
  for (let i = 0; i < plane; i++) for (let c = 0; c < C; c++) {
    out[i * C + c] = Math.round(Math.min(1, Math.max(0, data[c * plane + i]!)) * 255);
  }
  return { width: W, height: H, channels: C, data: out };
}
