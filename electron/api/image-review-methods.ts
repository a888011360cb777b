// loadImageForReview (heatmaps helper): decode an input for interactive windowing in the renderer.
// DICOM goes through core/dicom (modality LUT, windows, MONOCHROME1, pixel spacing); other images
// through sharp at their own bit depth (16-bit PNG/TIFF keep all 65536 levels).
import sharp from 'sharp';
import type { ApiRequest } from './contract.ts';
import type { ReviewImage, ReviewWindow } from './image-review-contract.ts';
import { ApiFailure } from './errors.ts';
import { embedPointResolver, type EmbedPointResolver } from './embed-point.ts';

export interface ImageReviewDeps {
  isGranted(path: string): boolean;
  /** The image behind an embedding point (`{ kind: 'embedding' }` inputs); absent = no embeddings. */
  embedPoint?: EmbedPointResolver;
}

const DEFAULT_MAX_PIXELS = 4096 * 4096;
const isDicom = (b: Uint8Array) => b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;

/** Sample interleaved values every `step` pixels (nearest), keeping all channels. */
function sampleGrid(src: ArrayLike<number>, w: number, h: number, ch: number, step: number): { values: Float32Array; width: number; height: number } {
  const width = Math.ceil(w / step), height = Math.ceil(h / step);
  const values = new Float32Array(width * height * ch);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const s = ((y * step) * w + x * step) * ch, d = (y * width + x) * ch;
    for (let c = 0; c < ch; c++) values[d + c] = src[s + c]!;
  }
  return { values, width, height };
}

function rangeOf(v: Float32Array): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (const x of v) { if (x < min) min = x; if (x > max) max = x; }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 1 };
}

const fullWindow = (r: { min: number; max: number }, explanation: string): ReviewWindow =>
  ({ center: r.min + (r.max - r.min + 1) / 2, width: Math.max(1, r.max - r.min + 1), fn: 'LINEAR', explanation });

export function createImageReviewMethods(deps: ImageReviewDeps) {
  return {
    async loadImageForReview(req: ApiRequest<'loadImageForReview'>): Promise<ReviewImage> {
      const maxPixels = req.maxPixels ?? DEFAULT_MAX_PIXELS;
      const src = req.source;
      const stepFor = (w: number, h: number) => Math.max(1, Math.ceil(Math.sqrt((w * h) / maxPixels)));
      const gray8 = (name: string, width: number, height: number, pixels: Uint8Array): ReviewImage => {
        const range = { min: 0, max: 255 };
        return {
          name, kind: 'sample', original: { width, height }, width, height, step: 1,
          channels: 1, values: Float32Array.from(pixels), range, windows: [fullWindow(range, '8-bit range')], invert: false, bitDepth: 8,
        };
      };
      if (src.kind === 'sample') {
        const { sampleDataset } = await import('../../core/activations/samples.ts');
        let ds;
        try { ds = sampleDataset(src.dataset); ds.pixels(src.index); } catch (e) { throw new ApiFailure('invalid-request', (e as Error).message); }
        return gray8(`${src.dataset}:${src.index}`, ds.width, ds.height, ds.pixels(src.index));
      }
      const readPath = async (path: string, name: string): Promise<Uint8Array> => {
        try {
          const { readFile } = await import('node:fs/promises');
          return new Uint8Array(await readFile(path));
        } catch (e) { throw new ApiFailure('invalid-request', `${name}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
      };
      let bytes: Uint8Array, name: string;
      if (src.kind === 'embedding') {
        const pt = (deps.embedPoint ?? embedPointResolver(undefined))(src.embeddingId, src.index);
        if (pt.kind === 'gray') return gray8(pt.name, pt.width, pt.height, pt.pixels);
        // Folder/CSV sets: the original file (it came from a granted set).
        name = pt.name;
        bytes = await readPath(pt.path, name);
      } else if (src.kind === 'path') {
        if (!deps.isGranted(src.path)) throw new ApiFailure('forbidden', 'this file was not chosen through the file dialog; choose it there or drop it on the window');
        name = src.path.split(/[\\/]/).pop() ?? src.path;
        bytes = await readPath(src.path, name);
      } else { bytes = src.data; name = src.name; }
      if (bytes.length === 0) throw new ApiFailure('invalid-request', `${name}: the file is empty`);

      if (isDicom(bytes)) {
        const { readDicom } = await import('../../core/dicom/read.ts');
        let img;
        try { img = await readDicom(bytes, { name }); } catch (e) { throw new ApiFailure('invalid-request', (e as Error).message); }
        const ch = img.samplesPerPixel;
        const step = stepFor(img.columns, img.rows);
        // Colour DICOM carries no VOI: show stored values scaled by their bit depth.
        const source = ch === 3 ? img.stored : img.modality;
        const g = sampleGrid(source, img.columns, img.rows, ch, step);
        const range = rangeOf(g.values);
        const windows: ReviewWindow[] = ch === 3 ? [] : img.windows.map((w) => ({ center: w.center, width: w.width, fn: w.fn, ...(w.explanation ? { explanation: w.explanation } : {}) }));
        windows.push(ch === 3 ? fullWindow({ min: 0, max: 2 ** img.bitsStored - 1 }, 'stored range') : fullWindow(range, 'min–max'));
        return {
          name, kind: 'dicom', original: { width: img.columns, height: img.rows }, width: g.width, height: g.height, step, channels: ch,
          values: g.values, range, windows, invert: img.photometric === 'MONOCHROME1',
          ...(img.pixelSpacing ? { pixelSpacing: img.pixelSpacing } : {}),
          bitDepth: img.bitsStored, ...(img.modalityName ? { modality: img.modalityName } : {}), photometric: img.photometric,
        };
      }

      try {
        const meta = await sharp(bytes, { limitInputPixels: 16384 * 16384 }).metadata();
        const deep = meta.depth === 'ushort' || meta.depth === 'short';
        const gray = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0) === 1;
        let pipe = sharp(bytes, { limitInputPixels: 16384 * 16384 }).rotate().removeAlpha();
        // Without this sharp widens gray to RGB (and 16-bit gray to RGB16) on the way out.
        if (gray) pipe = pipe.toColourspace(deep ? 'grey16' : 'b-w');
        const { data, info } = await pipe
          .raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
        const samples = deep ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
        const chIn = info.channels;
        const ch: 1 | 3 = chIn >= 3 ? 3 : 1;
        const step = stepFor(info.width, info.height);
        let g = sampleGrid(samples, info.width, info.height, chIn, step);
        if (chIn !== ch) {
          // Keep the first `ch` channels (gray from gray+x, RGB from RGB+x).
          const out = new Float32Array(g.width * g.height * ch);
          for (let i = 0; i < g.width * g.height; i++) for (let c = 0; c < ch; c++) out[i * ch + c] = g.values[i * chIn + c]!;
          g = { ...g, values: out };
        }
        const bits = deep ? 16 : 8;
        const range = rangeOf(g.values);
        const windows = [fullWindow({ min: 0, max: 2 ** bits - 1 }, `${bits}-bit range`)];
        if (ch === 1 && (range.min > 0 || range.max < 2 ** bits - 1)) windows.unshift(fullWindow(range, 'min–max'));
        return {
          name, kind: 'image', original: { width: info.width, height: info.height }, width: g.width, height: g.height, step, channels: ch,
          values: g.values, range, windows, invert: false, bitDepth: bits,
        };
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        throw new ApiFailure('invalid-request', `${name}: ${/unsupported image format/i.test(msg) ? 'not an image or DICOM file (use DICOM, PNG, JPEG or TIFF)' : `cannot decode the image (${msg.split('\n')[0]})`}`);
      }
    },
  };
}
