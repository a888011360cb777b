// Inputs to explain, from a file or bytes: images (through core/data/image with the model's
// preprocessing), DICOM (core/dicom: VOI windowing to display intensities, then the same
// preprocessing), or .npy arrays already in model-input units. Each comes with its geometry
// (for mapping maps back to the original pixels) and a display image for overlays.
import type { Window } from '../dicom/voi.ts';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import type { Preprocessing } from '../data/types.ts';
import { loadImage, ImageError, type ImageGeometry } from '../data/image.ts';
import { decodeNpy } from '../data/npy.ts';
import { encodePng } from '../data/png.ts';
import { identityGeometry } from './resize.ts';

export interface ExplainInput {
  name: string;
  /** [C, H, W] model input. */
  x: Float32Array;
  geometry: ImageGeometry;
  kind: 'image' | 'dicom' | 'npy';
  /** The original picture as encoded bytes sharp can read (for overlays); absent for .npy. */
  display?: Uint8Array;
  note?: string;
}

/** DICOM files start with a 128-byte preamble and "DICM" (files without it are rare and unsupported here). */
export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length > 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

const isNpy = (b: Uint8Array) => b.length > 6 && b[0] === 0x93 && b[1] === 0x4e && b[2] === 0x55 && b[3] === 0x4d && b[4] === 0x50 && b[5] === 0x59;

/** Load one input; throws an Error naming the file and the problem. */
export async function loadExplainInput(source: string | Uint8Array, prep: Preprocessing, shape: readonly [number, number, number], opts: { name?: string; window?: Window } = {}): Promise<ExplainInput> {
  const name = opts.name ?? (typeof source === 'string' ? basename(source) : 'input');
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try { bytes = new Uint8Array(await readFile(source)); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ImageError(`${name}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
    }
  } else bytes = source;
  if (bytes.length === 0) throw new ImageError(`${name}: the file is empty`);
  const [C, H, W] = shape;
  if (isNpy(bytes)) {
    const a = decodeNpy(bytes, name);
    const n = a.data.length;
    if (n !== C * H * W) throw new ImageError(`${name}: the array has ${n} values ([${a.dims.join(', ')}]); the model takes [${C}, ${H}, ${W}] (already normalised)`);
    return { name, x: a.data, geometry: identityGeometry(H, W), kind: 'npy' };
  }
  if (isDicom(bytes)) {
    const { readDicom } = await import('../dicom/read.ts');
    const { displayImage } = await import('../dicom/voi.ts');
    let png: Uint8Array, voi: string;
    try {
      // The reviewer's window when given (the model sees what is on screen), else the file's default.
      const d = displayImage(await readDicom(bytes, { name }), opts.window ? { kind: 'window', window: opts.window } : undefined);
      voi = d.voi;
      // 16-bit PNG keeps the windowed intensities' precision through the shared resize path.
      const samples = Uint16Array.from(d.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 65535));
      png = await encodePng({ width: d.width, height: d.height, channels: d.channels, data: samples });
    } catch (e) {
      throw new ImageError(`${name}: ${(e as Error).message}`);
    }
    const im = await loadImage(png, prep, { name });
    return { name, x: im.tensor.data, geometry: im.geometry, kind: 'dicom', display: png, note: `DICOM shown with ${voi}` };
  }
  const im = await loadImage(bytes, prep, { name });
  return { name, x: im.tensor.data, geometry: im.geometry, kind: 'image', display: bytes };
}

/** The input as the model sees it, undoing mean/std (for showing .npy inputs). */
export function denormalized(x: Float32Array, shape: readonly [number, number, number], prep: Pick<Preprocessing, 'mean' | 'std'>): Float32Array {
  const [C, H, W] = shape, hw = H * W, out = new Float32Array(x.length);
  for (let c = 0; c < C; c++) {
    const m = prep.mean[c] ?? prep.mean[0] ?? 0, s = prep.std[c] ?? prep.std[0] ?? 1;
    for (let i = 0; i < hw; i++) out[c * hw + i] = Math.min(1, Math.max(0, x[c * hw + i]! * s + m));
  }
  return out;
}

/** RGBA pixels of the display image at width×height (EXIF-rotated, resized to the map's grid). */
export async function displayRgba(input: ExplainInput, width: number, height: number, prep: Pick<Preprocessing, 'mean' | 'std'>, shape: readonly [number, number, number]): Promise<Uint8ClampedArray> {
  if (input.display) {
    const { data } = await sharp(input.display, { limitInputPixels: false }).rotate().resize(width, height, { fit: 'fill' })
      .toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  }
  const [C, H, W] = shape;
  const v = denormalized(input.x, shape, prep);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const sy = Math.min(H - 1, Math.floor((y * H) / height)), sx = Math.min(W - 1, Math.floor((x * W) / width));
    const o = (y * width + x) * 4;
    for (let c = 0; c < 3; c++) out[o + c] = Math.round(255 * v[(C === 3 ? c : 0) * H * W + sy * W + sx]!);
    out[o + 3] = 255;
  }
  return out;
}
