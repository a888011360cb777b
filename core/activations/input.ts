// Model inputs for activations: an image (file or bytes) or a shipped dataset sample, made with the
// model's preprocessing. Each input keeps a display preview (what the model sees, 8-bit) and the
// geometry that maps input pixels back to the original image.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { loadImage, toTensor, type ImageGeometry } from '../data/image.ts';
import type { Preprocessing } from '../data/types.ts';
import type { FloatTensor } from '../tensor.ts';
import { sampleDataset, type SampleDatasetId } from './samples.ts';

export interface Preview { width: number; height: number; channels: 1 | 3; data: Uint8Array }

export interface PreparedInput {
  /** [1, C, H, W] float32, normalised. */
  tensor: FloatTensor;
  preview: Preview;
  geometry: ImageGeometry;
  /** Hex SHA-1 of dims and values: the cache key of everything computed from this input. */
  hash: string;
  /** For dataset samples: the true class. */
  label?: number;
  name: string;
}

export type InputSource =
  | { kind: 'sample'; dataset: SampleDatasetId; index: number }
  | { kind: 'bytes'; name: string; data: Uint8Array }
  | { kind: 'path'; path: string }
  /** 8-bit gray pixels already in memory (an IDX or shipped-set image behind an embedding point). */
  | { kind: 'gray'; name: string; width: number; height: number; pixels: Uint8Array; label?: number };

export function tensorHash(t: FloatTensor): string {
  const h = createHash('sha1');
  h.update(t.dims.join('x'));
  h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return h.digest('hex');
}

/** Undo the normalisation: the [0, 1] image the model sees, as interleaved 8-bit pixels. */
export function previewOf(t: FloatTensor, prep: Pick<Preprocessing, 'mean' | 'std'>): Preview {
  const [C, H, W] = t.dims.slice(-3) as [number, number, number];
  const plane = H * W, out = new Uint8Array(plane * C);
  for (let c = 0; c < C; c++) {
    const m = prep.mean[c] ?? prep.mean[0] ?? 0, s = prep.std[c] ?? prep.std[0] ?? 1;
    for (let i = 0; i < plane; i++) out[i * C + c] = Math.round(Math.min(1, Math.max(0, t.data[c * plane + i]! * s + m)) * 255);
  }
  return { width: W, height: H, channels: C === 1 ? 1 : 3, data: out };
}

/**
 * Gray 8-bit pixels (a dataset image) → model input. Same size: straight through toTensor; other sizes
 * (e.g. MNIST into a 224×224 RGB net) go through the image loader, so resizing matches real files.
 */
export async function grayToInput(pixels: Uint8Array, width: number, height: number, prep: Preprocessing): Promise<{ tensor: FloatTensor; geometry: ImageGeometry }> {
  if (prep.size[0] === height && prep.size[1] === width) {
    return {
      tensor: toTensor(pixels, width, height, 1, 255, prep),
      geometry: { original: { width, height }, resized: { width, height }, crop: { left: 0, top: 0, width, height }, scale: { x: 1, y: 1 } },
    };
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
  const im = await loadImage(new Uint8Array(png), prep, { name: 'sample' });
  return { tensor: im.tensor, geometry: im.geometry };
}

export async function prepareInput(source: InputSource, prep: Preprocessing): Promise<PreparedInput> {
  let tensor: FloatTensor, geometry: ImageGeometry, label: number | undefined, name: string;
  if (source.kind === 'sample') {
    const ds = sampleDataset(source.dataset);
    ({ tensor, geometry } = await grayToInput(ds.pixels(source.index), ds.width, ds.height, prep));
    label = ds.label(source.index);
    name = `${source.dataset}:${source.index}`;
  } else if (source.kind === 'gray') {
    if (source.pixels.length !== source.width * source.height) throw new RangeError(`${source.name}: ${source.pixels.length} pixels do not make a ${source.width}×${source.height} image`);
    ({ tensor, geometry } = await grayToInput(source.pixels, source.width, source.height, prep));
    label = source.label;
    name = source.name;
  } else {
    const im = await loadImage(source.kind === 'path' ? source.path : source.data, prep, { name: source.kind === 'path' ? source.path : source.name });
    tensor = im.tensor; geometry = im.geometry;
    name = source.kind === 'path' ? source.path : source.name;
  }
  return { tensor, geometry, preview: previewOf(tensor, prep), hash: tensorHash(tensor), label, name };
}
