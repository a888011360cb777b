// Images (PNG, JPEG, TIFF…; 8- or 16-bit; gray, gray+alpha, RGB, RGBA) → NCHW float32 model
// input, following a Preprocessing. Decoding and resizing go through sharp; channel conversion and
// normalisation are done here so the numbers are exactly the documented formulas.
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { FloatTensor } from '../tensor.ts';
import type { Preprocessing } from './types.ts';

/** Largest image accepted (width × height); sharp refuses bigger ones before decoding. */
export const MAX_IMAGE_PIXELS = 16384 * 16384;
/** Largest image file read from disk. */
export const MAX_IMAGE_FILE_BYTES = 512 * 1024 ** 2;

/** A bad image (not an image, truncated, too large, unsupported). */
export class ImageError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface ImageGeometry {
  /** The decoded image (after EXIF orientation), in pixels. */
  original: { width: number; height: number };
  /** Size after resizing, before cropping. Equals `original` when no resize happened. */
  resized: { width: number; height: number };
  /** The window taken from the resized image; its size is the model input size. */
  crop: { left: number; top: number; width: number; height: number };
  /** resized / original, per axis. */
  scale: { x: number; y: number };
}

export interface ImageSource {
  format: string;
  width: number;
  height: number;
  /** Channels in the file, alpha included. */
  channels: number;
  bitDepth: 8 | 16;
  hasAlpha: boolean;
}

export interface LoadedImage {
  /** [1, C, H, W] float32. */
  tensor: FloatTensor;
  geometry: ImageGeometry;
  source: ImageSource;
}

/** Map a model-input pixel (x, y) back to original image coordinates (for aligning overlays). */
export function toOriginal(g: ImageGeometry, x: number, y: number): { x: number; y: number } {
  return { x: (x + g.crop.left) / g.scale.x, y: (y + g.crop.top) / g.scale.y };
}

// Python's round(): half to even, as torchvision's CenterCrop uses.
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Where the model input window comes from, given the image size and the preprocessing. */
export function planGeometry(width: number, height: number, prep: Pick<Preprocessing, 'size' | 'resize' | 'resizeShorter'>): ImageGeometry {
  const [H, W] = prep.size;
  const original = { width, height };
  if (width === W && height === H) {
    return { original, resized: { ...original }, crop: { left: 0, top: 0, width: W, height: H }, scale: { x: 1, y: 1 } };
  }
  if (prep.resize === 'stretch') {
    return { original, resized: { width: W, height: H }, crop: { left: 0, top: 0, width: W, height: H }, scale: { x: W / width, y: H / height } };
  }
  // center-crop: the shorter side goes to resizeShorter (torchvision Resize(int) semantics: the
  // longer side is truncated), grown if needed so the crop fits, then the centre window is taken.
  let shorter = prep.resizeShorter ?? Math.max(W, H);
  const short = Math.min(width, height);
  let rw: number, rh: number;
  const sizeFor = (s: number) => (width <= height
    ? [s, Math.floor((s * height) / width)] : [Math.floor((s * width) / height), s]) as [number, number];
  [rw, rh] = sizeFor(shorter);
  if (rw < W || rh < H) {
    shorter = Math.ceil(short * Math.max(W / width, H / height));
    [rw, rh] = sizeFor(shorter);
    rw = Math.max(rw, W); rh = Math.max(rh, H);
  }
  if (rw === width && rh === height) rw = width; // no resize needed, only a crop
  const left = roundHalfEven((rw - W) / 2), top = roundHalfEven((rh - H) / 2);
  return { original, resized: { width: rw, height: rh }, crop: { left, top, width: W, height: H }, scale: { x: rw / width, y: rh / height } };
}

function describeSharpError(e: unknown, what: string): ImageError {
  const msg = (e as Error)?.message ?? String(e);
  if (/unsupported image format/i.test(msg)) return new ImageError(`${what}: not an image (or a format this tool cannot read; use PNG, JPEG or TIFF)`);
  if (/pixel limit/i.test(msg)) return new ImageError(`${what}: the image is larger than ${Math.sqrt(MAX_IMAGE_PIXELS)}×${Math.sqrt(MAX_IMAGE_PIXELS)} pixels; downscale it first`);
  if (/corrupt|truncat|premature|read error|bad|invalid|unexpected end/i.test(msg)) return new ImageError(`${what}: the image file is damaged or truncated (${msg.split('\n')[0]!.trim()})`);
  return new ImageError(`${what}: cannot decode the image (${msg.split('\n')[0]!.trim()})`);
}

async function readInput(input: string | Uint8Array, what: string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  let size: number;
  try {
    const s = await stat(input);
    if (!s.isFile()) throw new ImageError(`${what}: not a file`);
    size = s.size;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(`${what}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  if (size > MAX_IMAGE_FILE_BYTES) throw new ImageError(`${what}: the file is ${(size / 1024 ** 2).toFixed(0)} MB, more than the ${MAX_IMAGE_FILE_BYTES / 1024 ** 2} MB this tool reads`);
  if (size === 0) throw new ImageError(`${what}: the file is empty`);
  return new Uint8Array(await readFile(input));
}

/** Decode an image and make the model input described by `prep`. */
export async function loadImage(input: string | Uint8Array, prep: Preprocessing, opts: { name?: string } = {}): Promise<LoadedImage> {
  const what = opts.name ?? (typeof input === 'string' ? input : 'image');
  const bytes = await readInput(input, what);
  const open = () => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'truncated' });
  let meta: Metadata;
  try {
    meta = await open().metadata();
  } catch (e) {
    throw describeSharpError(e, what);
  }
  if (!meta.width || !meta.height) throw new ImageError(`${what}: the image has no size`);
  if (meta.width * meta.height > MAX_IMAGE_PIXELS) throw describeSharpError(new Error('pixel limit'), what);
  // No image codec compresses beyond ~1000:1 (deflate's ceiling is ~1032:1): a tiny file that
  // declares a huge image is damaged, and decoding it would allocate the declared size first.
  if (meta.width * meta.height > 2000 * bytes.length + 1_000_000) {
    throw new ImageError(`${what}: the file declares ${meta.width}×${meta.height} pixels but holds only ${bytes.length} bytes; it is damaged or truncated`);
  }
  const is16 = meta.depth === 'ushort';
  if (meta.depth && meta.depth !== 'uchar' && meta.depth !== 'ushort') {
    throw new ImageError(`${what}: ${meta.depth} samples are not supported (use 8- or 16-bit images)`);
  }
  const hasAlpha = meta.hasAlpha ?? false;
  const fileChannels = meta.channels ?? 3;
  const colourChannels = fileChannels - (hasAlpha ? 1 : 0);
  const gray = colourChannels === 1 && meta.space !== 'cmyk';
  // EXIF orientation is applied first, so geometry refers to the image as a person sees it.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width, height = swap ? meta.width : meta.height;
  const geometry = planGeometry(width, height, prep);

  let pipeline = open().rotate();
  if (hasAlpha) pipeline = pipeline.removeAlpha();
  // Keep gray as one channel and 16-bit as 16-bit: sharp would otherwise expand to 8-bit sRGB.
  pipeline = pipeline.toColourspace(gray ? (is16 ? 'grey16' : 'b-w') : (is16 ? 'rgb16' : 'srgb'));
  const { original, resized, crop } = geometry;
  if (resized.width !== original.width || resized.height !== original.height) {
    pipeline = pipeline.resize(resized.width, resized.height, { fit: 'fill', kernel: 'linear' });
  }
  if (crop.width !== resized.width || crop.height !== resized.height) pipeline = pipeline.extract(crop);
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw({ depth: is16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw describeSharpError(e, what);
  }
  const { info } = raw;
  const samples: Uint8Array | Uint16Array = is16
    ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.length / 2)
    : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const expected = info.width * info.height * info.channels;
  if (info.width !== crop.width || info.height !== crop.height || samples.length !== expected) {
    throw new ImageError(`${what}: decoding produced ${info.width}×${info.height}×${info.channels}, expected ${crop.width}×${crop.height}`);
  }
  const tensor = toTensor(samples, info.width, info.height, info.channels, is16 ? 65535 : 255, prep);
  return {
    tensor, geometry,
    source: { format: meta.format ?? 'unknown', width, height, channels: fileChannels, bitDepth: is16 ? 16 : 8, hasAlpha },
  };
}

/**
 * Interleaved samples (1 or 3 channels) → [1, C, H, W]: scale by `maxValue` to [0, 1], convert
 * channels (gray → RGB replicates; RGB → gray is ITU-R 601 luminance 0.299 R + 0.587 G + 0.114 B,
 * as PIL's "L"), then (x − mean[c]) / std[c] (a single mean/std applies to every channel).
 */
export function toTensor(samples: ArrayLike<number>, width: number, height: number, channels: number, maxValue: number, prep: Pick<Preprocessing, 'channels' | 'mean' | 'std'>): FloatTensor {
  if (channels !== 1 && channels !== 3) throw new ImageError(`images with ${channels} colour channels are not supported`);
  const C = prep.channels, plane = width * height;
  const out = new Float32Array(C * plane);
  // Computed in float64 and rounded once, so the result is exactly the formula's float32 value.
  const mean = Array.from({ length: C }, (_, c) => prep.mean[c] ?? prep.mean[0] ?? 0);
  const std = Array.from({ length: C }, (_, c) => prep.std[c] ?? prep.std[0] ?? 1);
  for (let i = 0; i < plane; i++) {
    if (channels === 1) {
      const v = samples[i]! / maxValue;
      for (let c = 0; c < C; c++) out[c * plane + i] = (v - mean[c]!) / std[c]!;
    } else if (C === 3) {
      for (let c = 0; c < 3; c++) out[c * plane + i] = (samples[3 * i + c]! / maxValue - mean[c]!) / std[c]!;
    } else {
      const v = (0.299 * samples[3 * i]! + 0.587 * samples[3 * i + 1]! + 0.114 * samples[3 * i + 2]!) / maxValue;
      out[i] = (v - mean[0]!) / std[0]!;
    }
  }
  return { dtype: 'float32', dims: [1, C, height, width], data: out, layout: 'NCHW' };
}

/** Several images as one [N, C, H, W] batch (all made with the same preprocessing). */
export async function loadImageBatch(inputs: readonly (string | Uint8Array)[], prep: Preprocessing): Promise<{ tensor: FloatTensor; images: LoadedImage[] }> {
  const images: LoadedImage[] = [];
  for (const input of inputs) images.push(await loadImage(input, prep));
  const per = prep.channels * prep.size[0] * prep.size[1];
  const data = new Float32Array(images.length * per);
  images.forEach((im, i) => data.set(im.tensor.data, i * per));
  return { tensor: { dtype: 'float32', dims: [images.length, prep.channels, prep.size[0], prep.size[1]], data, layout: 'NCHW' }, images };
}
