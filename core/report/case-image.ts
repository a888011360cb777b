// A case's picture for people (review UI, reports): DICOM through the VOI window recorded in the
// file (readDicom + displayImage), other images decoded by sharp (EXIF orientation applied), as
// 8-bit gray or RGB, downscaled so the longer side is at most `maxSide`.
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { readDicom } from '../dicom/read.ts';
import { displayImage } from '../dicom/voi.ts';
import { ImageError, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../data/image.ts';

export interface CaseImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Interleaved 8-bit samples, row-major. */
  data: Uint8Array;
  /** Size of the image as stored (before downscaling for display). */
  original: { width: number; height: number };
  kind: 'dicom' | 'image';
  /** DICOM: the VOI applied (e.g. "LINEAR window C 40 W 400"). */
  voi?: string;
}

export const DEFAULT_MAX_SIDE = 1024;

export function isDicomBytes(b: Uint8Array): boolean {
  return b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
}

export async function readCaseFile(path: string, what = path): Promise<Uint8Array> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ImageError(`${what}: not a file`);
    size = s.size;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(`${what}: ${code === 'ENOENT' ? 'the file is missing (moved or deleted?)' : (e as Error).message}`);
  }
  if (size > MAX_IMAGE_FILE_BYTES) throw new ImageError(`${what}: the file is larger than ${MAX_IMAGE_FILE_BYTES / 1024 ** 2} MB`);
  return new Uint8Array(await readFile(path));
}

export async function decodeCaseImage(bytes: Uint8Array, opts: { maxSide?: number; name?: string } = {}): Promise<CaseImage> {
  const what = opts.name ?? 'image';
  const maxSide = Math.max(1, Math.floor(opts.maxSide ?? DEFAULT_MAX_SIDE));
  if (isDicomBytes(bytes)) {
    const img = await readDicom(bytes, { name: what });
    const d = displayImage(img);
    const px = new Uint8Array(d.data.length);
    for (let i = 0; i < px.length; i++) { const v = d.data[i]!; px[i] = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0; }
    const scaled = await downscale(px, d.width, d.height, d.channels, maxSide);
    return { ...scaled, original: { width: d.width, height: d.height }, kind: 'dicom', voi: d.voi };
  }
  try {
    const open = () => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'truncated' });
    const meta = await open().metadata();
    const colour = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
    const gray = colour === 1 && meta.space !== 'cmyk';
    const swap = (meta.orientation ?? 1) >= 5;
    const ow = (swap ? meta.height : meta.width) ?? 0, oh = (swap ? meta.width : meta.height) ?? 0;
    if (!ow || !oh) throw new Error('the image has no size');
    let p = open().rotate();
    if (meta.hasAlpha) p = p.flatten({ background: '#000000' });
    p = p.toColourspace(gray ? 'b-w' : 'srgb');
    if (Math.max(ow, oh) > maxSide) p = p.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
    const { data, info } = await p.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length), original: { width: ow, height: oh }, kind: 'image' };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim();
    throw new ImageError(/unsupported image format/i.test(msg) ? `${what}: not an image (use PNG, JPEG, TIFF or DICOM)` : `${what}: cannot decode the image (${msg})`);
  }
}

async function downscale(px: Uint8Array, w: number, h: number, c: 1 | 3, maxSide: number): Promise<Pick<CaseImage, 'width' | 'height' | 'channels' | 'data'>> {
  if (Math.max(w, h) <= maxSide) return { width: w, height: h, channels: c, data: px };
  const { data, info } = await sharp(px, { raw: { width: w, height: h, channels: c }, limitInputPixels: MAX_IMAGE_PIXELS })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: c, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
